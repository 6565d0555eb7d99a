"""Django's migration commands on teapot, run from code. Hand-written.

``await teapot.migrate()`` (for a FastAPI lifespan) and the ``teapot`` command line
(teapot/cli.py) both come here. The commands are Django's own, generated into
``teapot.core.management.commands``: their options and output are Django's.

Apps adapted from a Django project (``teapot.adapt``) keep their schema with Django: the
migration loader treats them as apps without migrations, and naming one here is refused.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

# The commands the `teapot` command line offers, in the order its help lists them.
COMMANDS = (
    "makemigrations", "migrate", "showmigrations", "sqlmigrate", "squashmigrations", "optimizemigration", "dbshell",
)


def load_command(name: str):
    """A fresh instance of one of teapot's commands."""
    from teapot.core.management import load_command_class
    from teapot.core.management.base import CommandError

    if name not in COMMANDS:
        raise CommandError(f"Unknown command: {name!r}. teapot's commands: {', '.join(COMMANDS)}.")
    return load_command_class("teapot.core", name)


# Commands whose every positional argument is an app label; the others take one first.
ALL_ARGUMENTS_ARE_APPS = ("makemigrations", "showmigrations")


def app_labels_named(name: str, args: Iterable[Any]) -> list[str]:
    """The app labels among a command's positional arguments."""
    labels = [str(a) for a in args if not str(a).startswith("-")]
    return labels if name in ALL_ARGUMENTS_ARE_APPS else labels[:1]


def refuse_adapted_apps(app_labels: Iterable[str]) -> None:
    """A CommandError for the first app label that names an app adapted from Django."""
    from teapot.apps import apps
    from teapot.core.management.base import CommandError

    for label in app_labels:
        config = apps.app_configs.get(label)
        if config is not None and getattr(config, "adapted_from_django", False):
            raise CommandError(
                f"App '{label}' is adapted from a Django project: Django owns its migrations and "
                "its schema. Run Django's `manage.py makemigrations/migrate` for it; teapot's "
                "commands leave it alone."
            )


async def connect_all() -> None:
    """Open a connection to every configured database: the system checks that commands run
    first read server facts (MariaDB's version, say) that teapot learns when it connects."""
    from teapot.db import connections

    for alias in connections:
        await connections[alias].ensure_connection()


async def run_from_argv(name: str, argv: list[str]) -> None:
    """Run a command from command-line arguments (``argv[0]`` is the program's name)."""
    command = load_command(name)
    await connect_all()
    await command.run_from_argv([argv[0], name, *argv[1:]])


async def call(name: str, *args: Any, **options: Any) -> str:
    """Run a command as ``call_command`` does (options by their Python names) and return
    what it wrote to its stdout when no ``stdout`` is given."""
    from teapot.core.management import call_command

    refuse_adapted_apps(app_labels_named(name, args))
    await connect_all()
    captured = None
    if "stdout" not in options:
        captured = options["stdout"] = io.StringIO()
    result = await call_command(load_command(name), *args, **options)
    if captured is not None:
        return captured.getvalue()
    return result or ""


async def migrate(
    app_label: str | None = None,
    migration_name: str | None = None,
    *,
    database: str = "default",
    fake: bool = False,
    plan: bool = False,
    verbosity: int = 0,
    **options: Any,
) -> str:
    """Bring the schema of ``database`` to the latest migrations (or to ``migration_name``
    of ``app_label``; ``"zero"`` unapplies an app). Returns the command's output."""
    args = [a for a in (app_label, migration_name) if a is not None]
    return await call(
        "migrate", *args, database=database, fake=fake, plan=plan, verbosity=verbosity,
        interactive=False, **options,
    )
