"""Overrides of django.contrib.auth.backends.

RemoteUserBackend's ``configure_user`` is a hook that does nothing upstream and stays sync;
its async twin calls it in the loop (no thread), awaiting what a subclass's hook returns if
that is awaitable.
"""

import inspect

from tools.codemod.overrides import override


@override("RemoteUserBackend.aconfigure_user", upstream="1cc053af4715")
async def aconfigure_user(self, request, user, created=True):
    result = self.configure_user(request, user, created=created)
    if inspect.isawaitable(result):
        result = await result
    return result
