"""Run one transformed app of Django's test suite against teapot, in a process of its own
(teapot is configured once per process). Used by tools/django_suite.py.

    python -m tools.conformance.worker --backend sqlite --app basic --apps-dir build/conformance/apps --json out.json

PostgreSQL/MariaDB: the server of TEAPOT_CONFORMANCE_POSTGRESQL_URL / TEAPOT_CONFORMANCE_MYSQL_URL,
databases PREFIX_APP and PREFIX_APP_other (--db-prefix, or TEAPOT_CONFORMANCE_DB_PREFIX; default
teapot_conformance), recreated on start and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import sys
import tempfile
import time
import traceback
import urllib.parse
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SERVER_URLS = {
    "postgresql": os.environ.get("TEAPOT_CONFORMANCE_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432"),
    "mysql": os.environ.get("TEAPOT_CONFORMANCE_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
}
PG_EXTENSIONS = ("pgcrypto",)
DB_PREFIX = os.environ.get("TEAPOT_CONFORMANCE_DB_PREFIX", "teapot_conformance")


def database_urls(backend: str, tmp: Path, app: str = "", prefix: str = DB_PREFIX) -> dict[str, str]:
    """The URLs of the aliases "default" and "other". On a server, the databases are named
    after the prefix and the app (parallel workers do not share one); the server URL's own
    database name, if any, is replaced."""
    if backend == "sqlite":
        return {"default": f"sqlite:///{tmp / 'default.sqlite3'}", "other": f"sqlite:///{tmp / 'other.sqlite3'}"}
    parts = urllib.parse.urlsplit(SERVER_URLS[backend])
    name = f"{prefix}_{app}" if app else prefix
    url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    return {"default": url, "other": url + "_other"}


async def recreate_database(backend: str, url: str, create: bool = True) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if backend == "postgresql":
        import asyncpg

        conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        if create:
            # Django's PostgreSQL SHA1/SHA224/.../SHA512 call pgcrypto's digest(), which the
            # databases of Django's own runs have (its baseline passes those tests).
            conn = await asyncpg.connect(url)
            try:
                for extension in PG_EXTENSIONS:
                    await conn.execute(f'CREATE EXTENSION IF NOT EXISTS "{extension}"')
            finally:
                await conn.close()
    elif backend == "mysql":
        import asyncmy

        conn = await asyncmy.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root", password=parts.password or "")
        try:
            async with conn.cursor() as cur:
                await cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
                if create:
                    await cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        finally:
            conn.close()


def test_modules(app_dir: Path, app: str) -> list[str]:
    modules = []
    for path in sorted(app_dir.rglob("test*.py")):
        rel = path.relative_to(app_dir.parent).with_suffix("")
        if not all((app_dir.parent / Path(*rel.parts[:i]) / "__init__.py").exists() for i in range(1, len(rel.parts))):
            continue
        modules.append(".".join(rel.parts))
    return modules


async def create_tables(aliases) -> list[str]:
    from teapot.apps import apps
    from teapot.db import connections, transaction

    problems = []
    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy and not m._meta.swapped]
    for alias in aliases:
        connection = connections[alias]
        await connection.ensure_connection()
        # No savepoint where DDL cannot roll back (MariaDB): DDL refuses to run inside one.
        transactional = connection.features.can_rollback_ddl

        def savepoint():
            return transaction.atomic(using=alias) if transactional else contextlib.nullcontext()

        async with connection.schema_editor() as editor:
            # A savepoint around each model and each deferred statement where DDL is
            # transactional (PostgreSQL): one failing model would otherwise abort the rest.
            for model in models:
                if not model._meta.can_migrate(connection):
                    continue  # required_db_vendor / required_db_features, as migrate skips it
                try:
                    async with savepoint():
                        await editor.create_model(model)
                except Exception as exc:
                    problems.append(f"{alias}: {model._meta.label}: {exc!r}")
            deferred, editor.deferred_sql = list(editor.deferred_sql), []
            for sql in deferred:
                try:
                    async with savepoint():
                        await editor.execute(sql)
                except Exception as exc:
                    problems.append(f"{alias}: {sql}: {exc!r}")
    return problems


async def create_content_types(aliases) -> list[str]:
    """A content type row for every installed model on each database, as Django's migrate
    creates them (post_migrate): created lazily inside a test instead, the row would roll
    back with the test while the manager's cache kept its id."""
    from teapot.apps import apps

    if not apps.is_installed("teapot.contrib.contenttypes"):
        return []
    from teapot.contrib.contenttypes.models import ContentType

    problems = []
    for alias in aliases:
        try:
            await _create_content_types(ContentType, alias)
        except Exception as exc:
            problems.append(f"{alias}: content types: {exc!r}")
    ContentType.objects.clear_cache()
    return problems


async def _create_content_types(ContentType, alias):
    from teapot.apps import apps

    existing = {(ct.app_label, ct.model) async for ct in ContentType.objects.using(alias).all()}
    wanted = {}
    for model in apps.get_models():
        key = (model._meta.app_label, model._meta.model_name)
        if key not in existing:
            wanted[key] = ContentType(app_label=key[0], model=key[1])
    await ContentType.objects.using(alias).bulk_create(list(wanted.values()))


async def create_permissions(aliases) -> list[str]:
    """The default permissions of every installed model on each database, as Django's migrate
    creates them after the content types (post_migrate)."""
    from teapot.apps import apps

    if not apps.is_installed("teapot.contrib.auth"):
        return []
    from teapot.contrib.auth.management import create_permissions as create
    from teapot.contrib.contenttypes.models import ContentType

    problems = []
    for alias in aliases:
        for config in apps.get_app_configs():
            try:
                await create(config, verbosity=0, interactive=False, using=alias)
            except Exception as exc:
                problems.append(f"{alias}: {config.label} permissions: {exc!r}")
    ContentType.objects.clear_cache()
    return problems


async def create_default_sites(aliases) -> list[str]:
    """The example.com site on each database, as contrib.sites' post_migrate hook makes it."""
    from teapot.apps import apps

    if not apps.is_installed("teapot.contrib.sites"):
        return []
    from teapot.contrib.sites.management import create_default_site

    problems = []
    for alias in aliases:
        try:
            await create_default_site(apps.get_app_config("sites"), verbosity=0, using=alias)
        except Exception as exc:
            problems.append(f"{alias}: default site: {exc!r}")
    return problems


# Django's runner turns off the migrations of these contrib apps (MIGRATION_MODULES), so that
# its test databases create their tables directly and record no migration of theirs.
UNMIGRATED_CONTRIB_APPS = {"auth": None, "contenttypes": None, "sessions": None}


async def create_migration_tables(aliases) -> list[str]:
    """The migration recorder's table on each database, empty, as Django's test databases
    have it after their migrate."""
    from teapot.db import connections
    from teapot.db.migrations.recorder import MigrationRecorder

    problems = []
    for alias in aliases:
        try:
            await MigrationRecorder(connections[alias]).ensure_schema()
        except Exception as exc:
            problems.append(f"{alias}: django_migrations: {exc!r}")
    return problems


@contextlib.contextmanager
def private_tempdir(base: Path):
    """The temporary files of the tests go under ``base`` (removed with it), as Django's runner
    gives each run a temporary folder of its own: a test that leaves a fixed name behind
    (``makemigrations``' copy to ``<tmp>/other_dir_in_path``) must not break the next run."""
    folder = base / "tmp"
    folder.mkdir()
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved


def load_exclusions(path: Path) -> dict[str, str]:
    import tomllib

    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text())
    return {entry["id"]: entry["reason"] for entry in data.get("exclude", [])}


def excluded_reason(test_id: str, exclusions: dict[str, str]) -> str | None:
    for prefix, reason in exclusions.items():
        if test_id == prefix or test_id.startswith(prefix + "."):
            return reason
    return None


def feature_skips(alias: str = "default") -> dict[str, str]:
    """The tests the backend's features skip (``django_test_skips``: reason -> test ids, a
    class or module id covering its tests), as test id -> reason. Django's runner skips them
    on that database (a SQLite too old for a JSON path, a MariaDB without a function)."""
    from teapot.db import connections

    skips = {}
    for reason, ids in connections[alias].features.django_test_skips.items():
        for tid in ids:
            skips[tid] = reason
    return skips


def feature_expected_failures(alias: str = "default") -> set[str]:
    """The test ids the backend's features expect to fail (``django_test_expected_failures``):
    Django's runner marks them ``expectedFailure`` on that database."""
    from teapot.db import connections

    return set(connections[alias].features.django_test_expected_failures)


def write_progress(path: Path | None, results: dict) -> None:
    """The outcomes so far, for the runner to report if this process has to be killed."""
    if path is None:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({k: list(v) for k, v in results.items()}))
    tmp.replace(path)


async def run(args, modules, exclusions) -> dict:
    import unittest

    from teapot.testing.runner import collect, run_classes, test_id, test_names

    results: dict[str, tuple[str, str]] = {}
    problems = await create_tables(["default", "other"])
    problems += await create_content_types(["default", "other"])
    problems += await create_permissions(["default", "other"])
    problems += await create_default_sites(["default", "other"])
    problems += await create_migration_tables(["default", "other"])
    skips = feature_skips()
    expected_failures = feature_expected_failures()
    classes = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception:
            results[f"{name}"] = ("import_error", traceback.format_exc(limit=6)[-4000:])
            continue
        for cls in collect(module):
            if not issubclass(cls, unittest.TestCase):
                continue
            keep = []
            for method in test_names(cls):
                tid = test_id(cls, method)
                reason = excluded_reason(tid, exclusions)
                skip = excluded_reason(tid, skips)
                if reason:
                    results[tid] = ("excluded", reason)
                elif skip:
                    results[tid] = ("skipped", skip)
                else:
                    if tid in expected_failures:
                        setattr(cls, method, unittest.expectedFailure(getattr(cls, method)))
                    keep.append(method)
            if keep:
                if len(keep) != len(test_names(cls)):
                    cls = type(cls.__name__, (cls,), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
                    cls._teapot_only = keep
                classes.append(cls)

    def only(cls):
        return getattr(cls, "_teapot_only", None)

    import teapot.testing.runner as runner_module

    original_names = runner_module.test_names
    runner_module.test_names = lambda cls: only(cls) or original_names(cls)
    progress = Path(args.progress) if args.progress else None

    def on_result(cls, class_results):
        results.update(class_results)
        write_progress(progress, results)

    write_progress(progress, results)
    results.update(
        await run_classes(classes, flush_aliases=["default", "other"], on_result=on_result, test_timeout=args.test_timeout)
    )
    import teapot

    await teapot.close()
    return {"results": results, "table_problems": problems}


def set_warning_filters():
    """The warning filters of Django's suite, for this process only (importing teapot.testing
    leaves a project's filters alone): teapot's deprecation warnings shown, and those of the
    features Django is removing made errors, which its tests of those deprecations expect
    (``assertRaisesMessage`` on the warning), and so are runtime and resource warnings, as in
    Django's runner (a model unpickled from another version is tested that way)."""
    from teapot.utils.deprecation import RemovedInDjango60Warning, RemovedInDjango61Warning

    warnings.filterwarnings("default", category=DeprecationWarning, module="teapot")
    warnings.simplefilter("error", RemovedInDjango60Warning)
    warnings.simplefilter("error", RemovedInDjango61Warning)
    warnings.simplefilter("error", ResourceWarning)
    warnings.simplefilter("error", RuntimeWarning)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", required=True, choices=("sqlite", "postgresql", "mysql"))
    parser.add_argument("--app", required=True)
    parser.add_argument("--apps-dir", default=str(ROOT / "build" / "conformance" / "apps"))
    parser.add_argument("--exclusions", default=str(ROOT / "tools" / "conformance" / "exclusions.toml"))
    parser.add_argument("--json", required=True)
    parser.add_argument("--progress", help="rewrite the outcomes so far to this file after each test class")
    parser.add_argument("--test-timeout", type=float, default=60.0, help="seconds per test (setUp, test, tearDown)")
    parser.add_argument("--db-prefix", default=DB_PREFIX, help="server databases are named PREFIX_APP and PREFIX_APP_other")
    args = parser.parse_args(argv)
    set_warning_filters()
    apps_dir = Path(args.apps_dir)
    sys.path.insert(0, str(apps_dir))  # the transformed apps import each other by app name
    manifest = json.loads((apps_dir / args.app / ".manifest.json").read_text())
    # Django's runner always installs contenttypes, auth and sites (and sessions, messages,
    # admin, staticfiles: teapot has not these).
    installed = ["teapot.contrib.contenttypes", "teapot.contrib.auth", "teapot.contrib.sites", args.app]
    installed += [d for d in manifest["dependencies"] if (apps_dir / d).exists()]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="teapot-conformance-") as tmp:
        urls = database_urls(args.backend, Path(tmp), args.app, args.db_prefix)
        if args.backend != "sqlite":
            for url in urls.values():
                asyncio.run(recreate_database(args.backend, url))
        try:
            import teapot
            from teapot.configure import parse_database_url

            databases = {alias: parse_database_url(url) for alias, url in urls.items()}
            if args.backend == "mysql":
                for entry in databases.values():
                    entry.setdefault("OPTIONS", {})
            # Django's test settings (tests/test_sqlite.py): USE_TZ off, Django's default TIME_ZONE.
            teapot.setup(
                databases,
                installed_apps=installed,
                use_tz=False,
                time_zone="America/Chicago",
                default_auto_field="teapot.db.models.AutoField",
                secret_key="django_tests_secret_key",
                # As Django's test settings: the fast hasher.
                password_hashers=["teapot.contrib.auth.hashers.MD5PasswordHasher"],
                migration_modules=dict(UNMIGRATED_CONTRIB_APPS),
            )
            modules = test_modules(apps_dir / args.app, args.app)
            exclusions = load_exclusions(Path(args.exclusions))
            with private_tempdir(Path(tmp)):
                out = asyncio.run(run(args, modules, exclusions))
        finally:
            if args.backend != "sqlite":
                for url in urls.values():
                    asyncio.run(recreate_database(args.backend, url, create=False))
    out["app"] = args.app
    out["backend"] = args.backend
    out["seconds"] = round(time.monotonic() - started, 2)
    out["results"] = {k: list(v) for k, v in out["results"].items()}
    Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
