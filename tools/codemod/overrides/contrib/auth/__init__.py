"""Overrides of django.contrib.auth: authenticate() without the debug views' decorator.

Upstream marks the credentials as sensitive for Django's error pages with
``sensitive_variables``; the fork has no views, so the import is cut (tables/closure.toml) and
these functions are restated without it. ``authenticate`` is a coroutine (the backends read the
user); ``aauthenticate`` stays the name Django's async code calls.
"""

import re

from tools.codemod.overrides import override


@override("_clean_credentials", upstream="f64c39573798")
def _clean_credentials(credentials):
    """``credentials`` with the values of secret-looking keys masked (for user_login_failed)."""
    secret = re.compile("api|token|key|secret|password|signature", re.I)
    for key in credentials:
        if secret.search(key):
            credentials[key] = "********************"
    return credentials


@override("authenticate", upstream="7ae854e05127")
async def authenticate(request=None, **credentials):
    """The user the first backend accepting ``credentials`` returns, with ``user.backend`` set
    to that backend's path; None, after sending user_login_failed, when none does."""
    for backend, backend_path in _get_compatible_backends(request, **credentials):
        try:
            user = await backend.aauthenticate(request, **credentials)
        except PermissionDenied:
            break
        if user is None:
            continue
        user.backend = backend_path
        return user
    await user_login_failed.asend(
        sender=__name__, credentials=_clean_credentials(credentials), request=request
    )


@override("aauthenticate", upstream="663d6be5568a")
async def aauthenticate(request=None, **credentials):
    """authenticate(), by Django's async name."""
    return await authenticate(request, **credentials)
