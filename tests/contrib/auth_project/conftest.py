"""A standalone project on teapot's contrib apps: contenttypes, auth, sites and a custom user model
(members.Member), on the database named by AUTH_PROJECT_DATABASE_URL. Its schema comes from
the migrations alone; the tests of test_auth_flow.py run in order, from an empty database
to a migrated one and back to zero."""

import pytest

import teapot


def pytest_configure(config):
    import os

    teapot.setup(
        os.environ["AUTH_PROJECT_DATABASE_URL"],
        installed_apps=["teapot.contrib.contenttypes", "teapot.contrib.auth", "teapot.contrib.sites", "members"],
        auth_user_model="members.Member",
        # The default hasher first; MD5 only to store an outdated hash that a check upgrades.
        password_hashers=[
            "teapot.contrib.auth.hashers.PBKDF2PasswordHasher",
            "teapot.contrib.auth.hashers.MD5PasswordHasher",
        ],
    )


@pytest.fixture(autouse=True)
async def close_pools():
    # Each test runs on an event loop of its own: give its pools back before the loop ends.
    yield
    await teapot.close()
