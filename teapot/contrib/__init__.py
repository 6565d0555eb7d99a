"""Optional parts of teapot beside the ORM. Hand-written (this file only).

``teapot.contrib.contenttypes`` is generated from ``django.contrib.contenttypes`` by
tools/rename_fork.py (git-ignored, like ``teapot.db``). The web framework integrations
``teapot.contrib.starlette``, ``teapot.contrib.fastapi`` (packages) and
``teapot.contrib.pydantic`` are hand-written.
"""
