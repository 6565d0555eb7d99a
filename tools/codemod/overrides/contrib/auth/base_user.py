"""Overrides of django.contrib.auth.base_user: checking a password is a coroutine.

A correct password whose hash was made with an outdated hasher or work factor is hashed again
and saved, which is I/O. Upstream's sync ``check_password`` hands a setter to the hashers'
sync check; here the method is the coroutine (``await user.check_password(raw)``), the hash is
verified off the event loop by the hashers' ``acheck_password`` (PBKDF2 takes a good part of
a second), and ``acheck_password`` is its alias.
"""

import asyncio

from tools.codemod.overrides import override


@override("AbstractBaseUser.check_password", upstream="fdb7c2568f38")
async def check_password(self, raw_password):
    """Whether ``raw_password`` matches; an outdated hash is replaced and saved."""

    async def rehash(raw):
        await self.aset_password(raw)
        # A rehash is not a password change: no password_changed() hook after the save.
        self._password = None
        await self.save(update_fields=["password"])

    return await acheck_password(raw_password, self.password, rehash)


@override("AbstractBaseUser.acheck_password", upstream="0dffe7fbd49d")
async def acheck_password(self, raw_password):
    """check_password(), by Django's async name."""
    return await self.check_password(raw_password)


@override("AbstractBaseUser.aset_password", new=True)
async def aset_password(self, raw_password):
    """set_password() with the hashing off the event loop: PBKDF2 takes a good part of a
    second of CPU, which would stall every other task of the service."""
    self.password = await asyncio.to_thread(make_password, raw_password)
    self._password = raw_password
