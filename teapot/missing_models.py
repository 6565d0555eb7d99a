"""What teapot does when a name it cannot find in its registry may be a model known elsewhere.
Hand-written.

A content type names a model by app label and model name. Standalone, a name teapot's
registry lacks is a stale content type, and ``ContentType.model_class()`` returns None. Beside
a Django project, the name may be a Django model that was simply not adapted: the adapter adds
a check here that raises an error saying how to adapt it.
"""

from __future__ import annotations

from collections.abc import Callable

_checks: list[Callable[[str, str], None]] = []


def add_check(check: Callable[[str, str], None]) -> None:
    """``check(app_label, model_name)`` raises when it knows why the model is missing."""
    if check not in _checks:
        _checks.append(check)


def explain(app_label: str, model_name: str) -> None:
    """Raise the first check's error for a model teapot's registry lacks; return if none has one."""
    for check in _checks:
        check(app_label, model_name)
