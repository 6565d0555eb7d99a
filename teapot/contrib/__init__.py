"""Optional parts of teapot beside the ORM. Hand-written (this file only).

``teapot.contrib.contenttypes`` is generated from ``django.contrib.contenttypes`` by
tools/rename_fork.py (git-ignored, like ``teapot.db``); hand-written integrations get folders
of their own here.
"""
