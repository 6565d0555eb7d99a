"""Checks on real Django functions, read from the pinned sdist at test time.

The colouring runs once over the real closure with the real tables and overrides (as
``pipeline.generate`` does, without writing anything); the tests assert what the output must
be. No Django source text is kept here: only qualified names.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as cstm
import pytest

from tools.codemod.callgraph import COROUTINE, CallGraph, Scope
from tools.codemod.closure import import_closure, module_path
from tools.codemod.colouring_lock import LOCK, check_lock, format_lock, lock_differences, parse_lock, write_lock
from tools.codemod.pin import Pin, fetch_sdist
from tools.codemod.pipeline import COLOUR_RULES, POST_RULES, PRE_RULES, build_graph, colouring_report, graph_tables, load_tables
from tools.codemod.rules._base import Context
from tools.codemod.rules.apply_overrides import ApplyOverrides, find_def
from tools.codemod.rules.async_aliases import TWIN
from tools.codemod.rules.drop_functions import DropFunctions
from tools.libcst_toolkit import MARKER

# Modules whose generated output is checked function by function.
CHECKED_MODULES = [
    "django.db.transaction",
    "django.db.models.base",
    "django.db.models.query",
    "django.db.models.deletion",
    "django.db.models.sql.compiler",
    "django.db.backends.base.base",
    "django.core.paginator",
]


@dataclass(repr=False)
class Snapshot:
    tables: dict
    modules: list
    graph: CallGraph
    overrides: ApplyOverrides
    output: dict  # module -> generated tree, for CHECKED_MODULES


def _extract_django(sdist, dest):
    """Unpack only the django/ package's Python files (the rest of the sdist is not needed)."""
    with tarfile.open(sdist) as tar:
        members = [
            member for member in tar.getmembers()
            if member.name.split("/")[1:2] == ["django"] and (member.isdir() or member.name.endswith(".py"))
        ]
        tar.extractall(dest, members=members, filter="data")
    (root,) = [p for p in dest.iterdir() if (p / "django" / "__init__.py").exists()]
    return root


@pytest.fixture(scope="module")
def snap(tmp_path_factory) -> Snapshot:
    pin = Pin.load()
    root = _extract_django(fetch_sdist(pin), tmp_path_factory.mktemp("sdist"))
    tables = load_tables(pin)
    ctx = Context(tables=tables)
    closure = tables["closure"]
    modules = import_closure(root, closure["seeds"], {tuple(c) for c in closure["cut_imports"]})
    paths = {m: module_path(root, m) for m in modules}
    packages = {m for m, p in paths.items() if p.name == "__init__.py"}
    pristine = {m: cst.parse_module(paths[m].read_text()) for m in modules}

    trees = dict(pristine)
    for rule in [r(ctx) for r in PRE_RULES]:
        trees = {m: rule.transform(m, t, m in packages) if _may_match(rule, t) else t for m, t in trees.items()}
    overrides = ApplyOverrides(ctx)
    overrides.load(pristine)
    graph = build_graph(trees, packages, graph_tables(tables), overrides.fixed_colours(), overrides.new_methods())
    ctx.graph = graph

    checked = {m: trees[m] for m in CHECKED_MODULES}
    for rule in [r(ctx) for r in COLOUR_RULES]:
        checked = {m: rule.transform(m, t, m in packages) for m, t in checked.items()}
    checked = {m: overrides.transform(m, t, m in packages) for m, t in checked.items()}
    for rule in [r(ctx) for r in POST_RULES]:
        checked = {m: rule.transform(m, t, m in packages) for m, t in checked.items()}
    return Snapshot(tables, modules, graph, overrides, checked)


def _may_match(rule, tree) -> bool:
    """Skip drop_functions on modules that define none of its names (it is the slow pre-rule;
    the result is the same, since such a module has nothing to drop)."""
    if isinstance(rule, DropFunctions):
        code = tree.code
        return any(f"def {p.rsplit('.', 1)[-1]}(" in code for p in rule.patterns)
    return True


# ---------------------------------------------------------------------------- the closure

def test_closure_is_the_orm_only(snap):
    # The ORM, the migration engine and its commands, contenttypes and auth with their
    # migrations, forms and the template engine that renders their widgets.
    assert 100 <= len(snap.modules) <= 290
    for needed in ("django.db.models.query", "django.db.transaction", "django.db.backends.sqlite3.base",
                   "django.db.models.sql.compiler", "django.dispatch.dispatcher",
                   "django.core.serializers.json", "django.core.serializers.xml_serializer",
                   "django.core.serializers.pyyaml", "django.core.paginator", "django.db.migrations.executor",
                   "django.core.management.commands.migrate",
                   "django.contrib.auth.models", "django.contrib.auth.migrations.0001_initial",
                   "django.forms.models", "django.contrib.contenttypes.forms", "django.template.defaulttags"):
        assert needed in snap.modules
    for pruned in ("django.template.backends.jinja2", "django.templatetags.cache", "django.urls", "django.views", "django.http",
                   "django.core.mail", "django.middleware", "django.contrib.sessions",
                   "django.contrib.auth.forms", "django.contrib.auth.views", "django.contrib.auth.tokens",
                   "django.contrib.admin", "django.core.checks.security",
                   "django.core.management.commands.runserver", "django.core.management.commands.shell"):
        assert not any(m == pruned or m.startswith(pruned + ".") for m in snap.modules), pruned


# ---------------------------------------------------------------------------- colouring

COLOURED = [
    "django.db.models.query.QuerySet.bulk_create",
    "django.db.models.query.QuerySet.count",
    "django.db.models.query.QuerySet.update",
    "django.db.models.query.QuerySet.delete",
    "django.db.models.query.QuerySet.exists",
    "django.db.models.query.QuerySet.get",
    "django.db.models.base.Model.save",
    "django.db.models.base.Model.save_base",
    "django.db.models.base.Model.delete",
    "django.db.models.deletion.Collector.delete",
    "django.db.transaction.Atomic.__enter__",
    "django.db.transaction.Atomic.__exit__",
    "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
    "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
    "django.db.backends.base.base.BaseDatabaseWrapper.connect",
    "django.db.backends.base.base.BaseDatabaseWrapper.savepoint",
    "django.db.backends.sqlite3.base.DatabaseWrapper.get_new_connection",
    "django.db.backends.base.schema.BaseDatabaseSchemaEditor.execute",
    "django.db.models.sql.compiler.SQLCompiler.execute_sql",
    "django.db.models.sql.compiler.SQLInsertCompiler.execute_sql",
    "django.db.backends.utils.CursorWrapper.execute",
    # The migration engine: what reads or writes the database.
    "django.db.migrations.recorder.MigrationRecorder.applied_migrations",
    "django.db.migrations.executor.MigrationExecutor.migrate",
    "django.db.migrations.operations.models.CreateModel.database_forwards",
    "django.db.migrations.operations.special.RunSQL.database_forwards",
    # Building a loader with a connection reads the applied migrations (awaited_constructions).
    "django.core.management.commands.showmigrations.Command.show_plan",
    # `cursor.execute(sql).fetchone()` on SQLite fetches from the returned cursor.
    "django.db.backends.sqlite3.introspection.DatabaseIntrospection._get_column_collations",
]

# Methods the design needs awaitable (Django's a* twins alias them) reached only through
# typing by assignment, by return value or by dynamic bases.
TWIN_TARGETS = [
    "django.db.models.query.QuerySet.create",
    "django.db.models.query.QuerySet.first",
    "django.db.models.query.QuerySet.last",
    "django.db.models.query.QuerySet.in_bulk",
    "django.db.models.base.Model.refresh_from_db",
    "django.db.models.query.QuerySet.earliest",
    "django.db.models.query.QuerySet.latest",
    "django.db.models.fields.related_descriptors.create_reverse_many_to_one_manager.RelatedManager.create",
    "django.db.models.fields.related_descriptors.create_forward_many_to_many_manager.ManyRelatedManager.create",
    "django.db.models.fields.related_descriptors.create_forward_many_to_many_manager.ManyRelatedManager.count",
]

SYNC = [
    "django.db.models.sql.compiler.SQLCompiler.as_sql",
    "django.db.models.sql.compiler.SQLCompiler.compile",
    "django.db.models.sql.compiler.SQLCompiler.get_order_by",
    "django.db.models.sql.query.Query.get_compiler",
    "django.db.models.sql.query.Query.add_q",
    "django.db.models.sql.where.WhereNode.as_sql",
    "django.db.models.query.QuerySet.filter",
    "django.db.models.query.QuerySet.exclude",
    "django.db.models.query.QuerySet.annotate",
    "django.db.models.query.QuerySet.order_by",
    "django.db.models.query.QuerySet.select_related",
    "django.db.models.query.QuerySet.values",
    "django.db.models.expressions.BaseExpression.as_sql",
    "django.db.models.expressions.Col.as_sql",
    "django.db.models.lookups.BuiltinLookup.as_sql",
    "django.db.models.options.Options.get_field",
    "django.db.models.fields.Field.get_db_prep_value",
    "django.db.backends.base.base.BaseDatabaseWrapper.get_autocommit",
    "django.db.backends.base.operations.BaseDatabaseOperations.quote_name",
    # The migration state and the autodetector share method names with the schema editor
    # (add_field, remove_index...) but never do I/O.
    "django.db.migrations.operations.fields.AddField.state_forwards",
    "django.db.migrations.operations.models.AddIndex.state_forwards",
    "django.db.migrations.migration.Migration.mutate_state",
    "django.db.migrations.loader.MigrationLoader.project_state",
    "django.db.migrations.autodetector.MigrationAutodetector.changes",
    "django.core.management.base.OutputWrapper.flush",
]


@pytest.mark.parametrize("qual", COLOURED)
def test_io_functions_are_coloured(snap, qual):
    colour = snap.graph.colour.get(qual)
    assert colour == COROUTINE, qual


@pytest.mark.parametrize("qual", TWIN_TARGETS)
def test_twin_targets_are_coloured(snap, qual):
    assert qual in snap.graph.funcs
    colour = snap.graph.colour.get(qual)
    assert colour == COROUTINE


@pytest.mark.parametrize("qual", SYNC)
def test_sql_building_stays_sync(snap, qual):
    assert qual in snap.graph.funcs  # a renamed upstream function must not pass vacuously
    reason = snap.graph.reasons.get(qual)
    assert reason is None, f"{qual} is coloured: {reason}"


def test_model_iterable_is_an_async_generator(snap):
    assert snap.graph.colour["django.db.models.query.ModelIterable.__iter__"] == "aiter"


def test_keep_sync_entries_stay_sync(snap):
    keep = snap.graph.tables["keep_sync"]
    assert keep
    coloured = [q for q in keep if q in snap.graph.colour]
    assert coloured == []


def test_every_seed_is_coloured(snap):
    missed = [s for s in snap.graph.tables["seeds"] if snap.graph.colour.get(s) != COROUTINE and s not in snap.graph.fixed]
    assert missed == []


# ---------------------------------------------------------------------------- the output

def _def(snap, module, path):
    node = find_def(snap.output[module], path.split("."))
    assert node is not None, f"{module}.{path} missing from the output"
    return node


def _src(node):
    return cst.Module([]).code_for_node(node)


def test_output_modules_compile_and_are_stamped(snap):
    for module, tree in snap.output.items():
        code = tree.code
        compile(code, module, "exec")
        assert MARKER in code.splitlines()[0]
        assert "import django" not in code and "from django" not in code


def test_model_save_awaits_save_base(snap):
    node = _def(snap, "django.db.models.base", "Model.save")
    assert node.asynchronous is not None
    assert "await self.save_base(" in _src(node)


def test_bulk_create_runs_in_an_async_transaction(snap):
    src = _src(_def(snap, "django.db.models.query", "QuerySet.bulk_create"))
    assert src.lstrip().startswith("async def bulk_create(")
    assert "async with transaction.atomic(" in src
    assert "await self._batched_insert(" in src


def test_atomic_is_an_async_context_manager(snap):
    tree = snap.output["django.db.transaction"]
    for name in ("__aenter__", "__aexit__"):
        assert find_def(tree, ["Atomic", name]).asynchronous is not None
    assert find_def(tree, ["Atomic", "__enter__"]) is None
    assert find_def(tree, ["Atomic", "__exit__"]) is None


def test_paginator_awaits_counting_and_page_reads(snap):
    tree = snap.output["django.core.paginator"]
    awaited = ["Paginator.page", "Paginator.get_page", "Paginator.acount", "Paginator.apage",
               "Paginator.__aiter__", "Page.aget_object_list", "Page.ahas_next"]
    # What reads the loaded count or rows stays sync.
    sync = ["Paginator.count", "Paginator.num_pages", "Paginator.validate_number",
            "Page.has_next", "Page.__getitem__", "Page.start_index"]
    assert [p for p in awaited if find_def(tree, p.split(".")).asynchronous is None] == []
    assert [p for p in sync if find_def(tree, p.split(".")).asynchronous is not None] == []
    assert find_def(tree, ["Paginator", "__iter__"]) is None
    assert "await page.aget_object_list()" in _src(find_def(tree, ["Paginator", "page"]))  # rows read into a list


def test_query_building_is_plain_sync_code(snap):
    for module, path in [
        ("django.db.models.query", "QuerySet.filter"),
        ("django.db.models.sql.compiler", "SQLCompiler.as_sql"),
        ("django.db.models.sql.compiler", "SQLCompiler.get_order_by"),
    ]:
        node = _def(snap, module, path)
        assert node.asynchronous is None
        assert "await " not in _src(node)


class _Collect(cst.CSTVisitor):
    """Calls and awaits directly in one function body (not in nested defs or lambdas)."""

    def __init__(self, root):
        self.root = root
        self.calls, self.awaits, self.with_items = [], 0, set()

    def visit_FunctionDef(self, node):
        return node is self.root

    def visit_Lambda(self, node):
        return False

    def visit_WithItem(self, node):
        self.with_items.add(id(node.item))

    def visit_Call(self, node):
        self.calls.append(node)

    def visit_Await(self, node):
        self.awaits += 1


def _collect(node):
    c = _Collect(node)
    node.visit(c)
    return c


def _same_level_defs(tree, path):
    """Definitions named ``path[-1]`` directly in the body that holds ``path``."""
    parent = find_def(tree, path[:-1]) if len(path) > 1 else tree
    body = parent.body if isinstance(parent, cst.Module) else parent.body.body
    return [s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == path[-1]]


def test_every_coloured_function_is_async_and_awaits_its_io_calls(snap):
    """For each coloured function of the checked modules: an ``async def`` in the output,
    with at least as many awaits as it has calls to coroutines; every other function
    stays a plain ``def`` without awaits."""
    graph = snap.graph
    replaced = {ov.qualname for ov in snap.overrides.overrides}
    dunders = dict(snap.tables["rules"]["dunder_map"])
    checked = coloured = 0
    wrong = []
    for qual, func in graph.funcs.items():
        if func.module not in snap.output or "#" in qual or qual in replaced or qual in graph.fixed:
            continue
        path = qual[len(func.module) + 1:].split(".")
        colour = graph.colour.get(qual)
        tree = snap.output[func.module]
        if colour and path[-1] in dunders:
            path[-1] = dunders[path[-1]]
            # The async name must not already be taken in that class (the later def wins).
            if len(_same_level_defs(tree, path)) != 1:
                wrong.append(f"{qual}: the class defines {path[-1]} twice")
        node = find_def(tree, path)
        if node is None:  # defined under a module-level try/with block: not searched
            continue
        checked += 1
        is_async = node.asynchronous is not None
        awaits = _collect(node).awaits
        if colour:
            coloured += 1
            pristine = _collect(func.node)
            scope = Scope(func.module, func.cls, qual)
            needed = sum(
                1 for call in pristine.calls
                if id(call) not in pristine.with_items and graph.call_colour(call, scope) == COROUTINE
            )
            if not is_async and qual not in graph.sync_aiter:
                wrong.append(f"{qual}: coloured {colour} but not async def")
            if awaits < needed:
                wrong.append(f"{qual}: {awaits} awaits for {needed} coroutine calls")
        elif func.node.asynchronous is None and (is_async or awaits):
            wrong.append(f"{qual}: not coloured but async def or awaiting")
    assert wrong == []
    assert checked > 300 and coloured > 50


def test_async_twins_await_coroutines(snap):
    """Every ``a*`` twin that async_aliases rewrites must await a coroutine."""
    graph = snap.graph
    twins, bad = 0, []
    for qual, func in graph.funcs.items():
        if func.node.asynchronous is None or qual in graph.fixed:
            continue
        for ret in cstm.findall(func.node, TWIN):
            twins += 1
            target = ret.value.expression.func.args[0].value
            targets = graph.resolve_call(target, Scope(func.module, func.cls, qual))
            if not targets or any(graph.colour.get(t) != COROUTINE for t in targets):
                bad.append(qual)
    assert twins > 20
    assert bad == []


def test_overrides_match_upstream(snap):
    # An override whose recorded hash differs would stop the build (review it).
    assert snap.overrides.drift == []


# ------------------------------------------------------------------ the colouring lock file

def test_the_committed_colouring_lock_matches_the_colouring(snap, capsys):
    assert check_lock(colouring_report(snap.graph), LOCK)
    assert "matches colouring.lock" in capsys.readouterr().out


def test_a_changed_colouring_lock_fails_the_check_with_a_summary(snap, tmp_path, capsys):
    fresh = colouring_report(snap.graph)
    lines = LOCK.read_text().splitlines(keepends=True)
    body = [line for line in lines if not line.startswith("#")]
    dropped, changed = body[0], body[1]
    qual_changed = changed.split(" ", 1)[0]
    edited = [line for line in lines if line is not dropped]
    edited[edited.index(changed)] = f"{qual_changed} aiter: edited by hand\n"
    edited.append("django.gone.function coroutine: calls nothing\n")
    modified = tmp_path / "colouring.lock"
    modified.write_text("".join(edited))

    assert not check_lock(fresh, modified)
    err = capsys.readouterr().err
    assert "1 newly coloured, 1 no longer coloured, 1 changed colour or reason" in err
    assert f"+ {dropped.strip()}" in err
    assert "- django.gone.function coroutine: calls nothing" in err
    assert f"~ {qual_changed}: aiter: edited by hand -> {fresh[qual_changed]}" in err
    assert "--update-lock" in err


def test_a_missing_colouring_lock_fails_the_check(snap, tmp_path, capsys):
    assert not check_lock(colouring_report(snap.graph), tmp_path / "none.lock")
    assert "--update-lock" in capsys.readouterr().err


def test_the_lock_file_round_trips(snap, tmp_path):
    fresh = colouring_report(snap.graph)
    write_lock(fresh, tmp_path / "colouring.lock")
    assert (tmp_path / "colouring.lock").read_text() == LOCK.read_text()
    assert lock_differences(parse_lock(format_lock(fresh)), fresh) == []
