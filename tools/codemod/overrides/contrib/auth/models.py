"""Overrides of django.contrib.auth.models.

The fork has no mail: the import of django.core.mail is cut (tables/closure.toml), and
``email_user`` says so instead of failing on a missing name.
"""

import inspect

from tools.codemod.overrides import override


@override("AbstractUser.email_user", upstream="955193b482f9")
def email_user(self, subject, message, from_email=None, **kwargs):
    raise NotImplementedError(
        "teapot has no mail support: send the message with your own mailer to user.email."
    )


@override("_user_get_permissions", upstream="7a04b840df82")
async def _user_get_permissions(user, obj, from_name):
    """The union of what each backend's ``get_<from_name>_permissions`` returns (a backend
    may answer with a coroutine, as the model backend does, or a plain set)."""
    found = set()
    method_name = "get_%s_permissions" % from_name
    for backend in auth.get_backends():
        method = getattr(backend, method_name, None)
        if method is None:
            continue
        result = method(user, obj)
        if inspect.isawaitable(result):
            result = await result
        found.update(result)
    return found


@override("UserManager._create_user", upstream="8c701aa6dad8")
async def _create_user(self, username, email, password, **extra_fields):
    """Create and save a user; the password is hashed off the event loop."""
    # A None password hashes at once (an unusable one); the real hash is aset_password()'s.
    user = self._create_user_object(username, email, None, **extra_fields)
    await user.aset_password(password)
    await user.save(using=self._db)
    return user
