"""The ``teapot`` command line (also ``python -m teapot``). Hand-written.

    teapot [--settings MODULE] [--pythonpath DIR] COMMAND [options]

The settings module is the one the application imports: a module that calls
``teapot.setup(...)`` when imported. It is named by ``--settings`` or ``TEAPOT_SETTINGS``;
the current directory is on the import path, as for ``manage.py``. COMMAND is one of
teapot/commands.py's, with Django's options (``teapot migrate --help``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys

SETTINGS_VARIABLE = "TEAPOT_SETTINGS"


def _usage() -> str:
    from teapot.commands import COMMANDS

    return (
        "usage: teapot [--settings MODULE] [--pythonpath DIR] COMMAND [options]\n\n"
        f"The settings module calls teapot.setup(...) when imported (default: ${SETTINGS_VARIABLE}).\n"
        "Commands (`teapot COMMAND --help` for their options):\n"
        + "".join(f"  {name}\n" for name in COMMANDS)
    )


def load_settings(module_name: str | None) -> None:
    """Import the module that configures teapot, and check that it did."""
    from teapot.conf import settings
    from teapot.core.management.base import CommandError

    if not module_name:
        raise CommandError(
            f"Name the module that calls teapot.setup(...): --settings MODULE or ${SETTINGS_VARIABLE}."
        )
    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise CommandError(f"Settings module {module_name!r} not found on the import path ({exc}).") from exc
        raise
    if not settings.configured:
        raise CommandError(f"Importing {module_name!r} did not call teapot.setup(...).")


async def _run(name: str, argv: list[str]) -> None:
    import teapot
    from teapot.commands import run_from_argv

    try:
        await run_from_argv(name, argv)
    finally:
        await teapot.close()


def main(argv: list[str] | None = None) -> int:
    from teapot.commands import app_labels_named, load_command, refuse_adapted_apps
    from teapot.core.management.base import CommandError

    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--settings")
    pre.add_argument("--pythonpath")
    known, rest = pre.parse_known_args(argv)
    if not rest or rest[0] in ("-h", "--help", "help"):
        sys.stdout.write(_usage())
        return 0
    if rest[0] == "--version":
        import teapot

        sys.stdout.write(f"teapot {teapot.__version__} (Django {teapot.DJANGO_VERSION})\n")
        return 0
    name, options = rest[0], rest[1:]
    sys.path.insert(0, known.pythonpath or os.getcwd())
    try:
        command = load_command(name)
        # Help lists the databases among an option's choices: it needs the settings too.
        load_settings(known.settings or os.environ.get(SETTINGS_VARIABLE))
        if "-h" in options or "--help" in options:
            command.print_help("teapot", name)
            return 0
        refuse_adapted_apps(app_labels_named(name, options))
    except CommandError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return 2
    try:
        asyncio.run(_run(name, ["teapot", *options]))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
