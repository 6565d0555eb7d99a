"""teapot's benchmark: teapot against each backend's raw async driver, and against Django's
own sync ORM. ``python bench/run.py --help``; bench/README.md says what it measures."""
