"""The project's one configuration, imported by its code and named to the command line."""

import os

import teapot

teapot.setup(
    os.environ["TEAPOT_PROJECT_DATABASE_URL"],
    installed_apps=["teapot.contrib.contenttypes", "teapot.contrib.auth", "accounts", "library", "lending"],
    auth_user_model="accounts.Reader",
)
