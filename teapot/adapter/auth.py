"""contrib.auth on teapot: the methods of Django's user model and manager that write, as
coroutines. Hand-written.

Everything else of ``AbstractBaseUser``, ``AbstractUser`` and ``UserManager`` is copied as it
is (password hashing, ``normalize_email``, ``get_by_natural_key``, Django 5's ``acreate_user``).
``create_user`` and ``create_superuser`` end in ``return self._create_user(...)``, so with
the version below they return an awaitable: ``await User.objects.create_user(...)``.
Permission checks (``has_perm`` and friends) go through Django's auth backends and Django's
ORM, so they are not for adapted models.
"""

from __future__ import annotations


class _UserManager:
    async def _create_user(self, username, email, password, **extra_fields):
        from django.contrib.auth.hashers import make_password

        if not username:
            raise ValueError("The given username must be set")
        user = self.model(
            username=self.model.normalize_username(username),
            email=self.normalize_email(email),
            **extra_fields,
        )
        user.password = make_password(password)
        await user.save(using=self._db)
        return user


class _AbstractBaseUser:
    async def save(self, *args, **kwargs):
        from django.contrib.auth import password_validation

        await super().save(*args, **kwargs)
        if self._password is not None:
            # Validators with a password_changed() hook hear of the new password once saved.
            password_validation.password_changed(self._password, self)
            self._password = None

    async def check_password(self, raw_password):
        """Whether ``raw_password`` is this user's password; a hash made with an outdated
        hasher is replaced and saved, as in Django."""
        from django.contrib.auth.hashers import check_password

        upgraded = []

        def setter(raw):
            self.set_password(raw)
            self._password = None
            upgraded.append(True)

        matches = check_password(raw_password, self.password, setter)
        if upgraded:
            await self.save(update_fields=["password"])
        return matches


REPLACEMENTS = {
    ("django.contrib.auth.models.UserManager", "_create_user"): _UserManager.__dict__["_create_user"],
    ("django.contrib.auth.base_user.AbstractBaseUser", "save"): _AbstractBaseUser.__dict__["save"],
    ("django.contrib.auth.base_user.AbstractBaseUser", "check_password"): _AbstractBaseUser.__dict__[
        "check_password"
    ],
}
