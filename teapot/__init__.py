"""teapot: Django's ORM, natively async.

Hand-written. The subpackages apps, conf, core, db, dispatch and utils are generated from
Django by tools/rename_fork.py (git-ignored, built at install time).
"""

__version__ = "0.1.0.dev0"
VERSION = (0, 1, 0, "alpha", 0)
DJANGO_VERSION = "5.2.19"
