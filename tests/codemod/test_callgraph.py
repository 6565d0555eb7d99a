"""The I/O call graph: seeds, propagation, dispatch, receiver typing, keep-sync, problems."""

import pytest

from tests.codemod.harness import dd, prepare

from tools.codemod.pipeline import graph_unused

BASE = "django.db.backends.base"
UTILS = "django.db.backends.utils"
MODELS = "django.db.models"

BACKEND = dd("""
    from django.db.backends.utils import CursorWrapper


    class BaseDatabaseWrapper:
        connection = None

        def get_new_connection(self):
            raise NotImplementedError

        def connect(self):
            self.connection = self.get_new_connection()

        def ensure_connection(self):
            if self.connection is None:
                self.connect()

        def cursor(self):
            self.ensure_connection()
            return CursorWrapper(self.connection.cursor(), self)

        def get_autocommit(self):
            self.ensure_connection()
            return True

        def commit(self):
            self.connection.commit()

        def quote_name(self, name):
            return '"%s"' % name
    """)
UTILS_SRC = dd("""
    class CursorWrapper:
        def __init__(self, cursor, db):
            self.cursor = cursor
            self.db = db

        def execute(self, sql, params=None):
            return self.cursor.execute(sql, params)

        def fetchone(self):
            return self.cursor.fetchone()
    """)
SEEDS = [f"{BASE}.BaseDatabaseWrapper.get_new_connection"]


def graph(models_src="", *, colouring=None, modules=None, fixed=None):
    tables = {"seeds": SEEDS}
    tables.update(colouring or {})
    sources = {BASE: BACKEND, UTILS: UTILS_SRC, MODELS: dd(models_src)}
    sources.update(modules or {})
    return prepare(sources, colouring=tables, fixed=fixed, packages={MODELS}).graph


def test_seeds_colour_their_callers_transitively():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        def save(db: BaseDatabaseWrapper):
            return helper(db)


        def helper(db):
            return BaseDatabaseWrapper.ensure_connection(db)


        def unrelated():
            return 1
        """)
    assert g.colour[f"{BASE}.BaseDatabaseWrapper.connect"] == "coroutine"
    assert g.colour[f"{BASE}.BaseDatabaseWrapper.ensure_connection"] == "coroutine"
    assert g.colour[f"{BASE}.BaseDatabaseWrapper.cursor"] == "coroutine"
    assert g.colour[f"{MODELS}.helper"] == "coroutine"
    assert g.colour[f"{MODELS}.save"] == "coroutine"
    assert g.reasons[f"{MODELS}.save"] == f"calls {MODELS}.helper"
    assert g.reasons[f"{BASE}.BaseDatabaseWrapper.get_new_connection"] == "seed"
    assert f"{MODELS}.unrelated" not in g.colour
    assert f"{BASE}.BaseDatabaseWrapper.quote_name" not in g.colour


def test_self_call_dispatches_through_subclasses():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class Compiler:
            def execute_sql(self):
                return self.fetch()

            def fetch(self):
                return None

            def as_sql(self):
                return "SELECT", ()


        class SQLiteCompiler(Compiler):
            def fetch(self):
                return BaseDatabaseWrapper.cursor(self.db)
        """)
    assert g.colour[f"{MODELS}.SQLiteCompiler.fetch"] == "coroutine"
    # The base method's self.fetch() may run the subclass's: the caller is coloured ...
    assert g.colour[f"{MODELS}.Compiler.execute_sql"] == "coroutine"
    # ... and the base method itself must match its override's colour.
    assert g.colour[f"{MODELS}.Compiler.fetch"] == "coroutine"
    assert g.reasons[f"{MODELS}.Compiler.fetch"] == f"same method as {MODELS}.SQLiteCompiler.fetch"
    assert f"{MODELS}.Compiler.as_sql" not in g.colour


def test_super_call_resolves_to_the_base_method():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class Wrapper(BaseDatabaseWrapper):
            def helper(self):
                return super().ensure_connection()
        """)
    assert g.reasons[f"{MODELS}.Wrapper.helper"] == f"calls {BASE}.BaseDatabaseWrapper.ensure_connection"


def test_keep_sync_entry_stops_colouring():
    keep = f"{BASE}.BaseDatabaseWrapper.get_autocommit"
    g = graph("""
        def in_atomic(connection):
            return connection.get_autocommit()
        """, colouring={"keep_sync": [keep], "receiver_types": {"connection": [f"{BASE}.BaseDatabaseWrapper"]}})
    assert keep not in g.colour
    assert f"{MODELS}.in_atomic" not in g.colour
    # The kept function still calls a coroutine: that is reported, not silently left.
    assert f"{keep}: sync code calls self.ensure_connection (coroutine)" in g.problems
    assert keep in g.keep_sync_quals


def test_without_keep_sync_the_same_function_is_coloured():
    g = graph("""
        def in_atomic(connection):
            return connection.get_autocommit()
        """, colouring={"receiver_types": {"connection": [f"{BASE}.BaseDatabaseWrapper"]}})
    assert g.colour[f"{BASE}.BaseDatabaseWrapper.get_autocommit"] == "coroutine"
    assert g.colour[f"{MODELS}.in_atomic"] == "coroutine"


@pytest.mark.parametrize("table", ["keep_sync", "seeds"])
def test_unknown_table_entry_raises(table):
    with pytest.raises(KeyError, match="django.db.backends.base.BaseDatabaseWrapper.gone"):
        graph(colouring={table: [f"{BASE}.BaseDatabaseWrapper.gone"]})


def test_generator_doing_io_is_an_async_iterator():
    g = graph("""
        from contextlib import contextmanager

        from django.db.backends.base import BaseDatabaseWrapper


        def rows(db):
            BaseDatabaseWrapper.ensure_connection(db)
            yield 1


        def names():
            yield "a"


        def total(db):
            return sum(r for r in rows(db))


        @contextmanager
        def connected(db):
            BaseDatabaseWrapper.ensure_connection(db)
            yield db
        """)
    assert g.colour[f"{MODELS}.rows"] == "aiter"
    assert g.colour[f"{MODELS}.total"] == "coroutine"
    assert g.reasons[f"{MODELS}.total"] == f"calls {MODELS}.rows"
    assert g.colour[f"{MODELS}.connected"] == "coroutine"
    assert f"{MODELS}.names" not in g.colour


def test_iterating_self_with_a_coloured_iter():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class Results:
            def __iter__(self):
                BaseDatabaseWrapper.ensure_connection(self.db)
                yield 1

            def first(self):
                for obj in self:
                    return obj

            def names(self):
                return [str(o) for o in self.items]
        """)
    assert g.colour[f"{MODELS}.Results.__iter__"] == "aiter"
    assert g.colour[f"{MODELS}.Results.first"] == "coroutine"
    assert g.reasons[f"{MODELS}.Results.first"] == "iterates self"
    assert f"{MODELS}.Results.names" not in g.colour


def test_consumer_of_an_async_iterator_is_coloured():
    g = graph("""
        def rows():
            for r in connection.cursor():
                yield r


        def load():
            return list(rows())
        """, colouring={"receiver_types": {"connection": [f"{BASE}.BaseDatabaseWrapper"]}})
    # cursor() is a coroutine, so rows() is coloured by the call, not by the iteration
    assert g.colour[f"{MODELS}.rows"] == "aiter"
    assert g.colour[f"{MODELS}.load"] == "coroutine"


def test_property_that_would_do_io_is_a_problem_not_a_colour():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class Model:
            @property
            def pk(self):
                return BaseDatabaseWrapper.cursor(self.db)

            @cached_property
            def related(self):
                return BaseDatabaseWrapper.cursor(self.db)
        """)
    assert f"{MODELS}.Model.pk" not in g.colour
    assert f"{MODELS}.Model.related" not in g.colour
    assert (
        f"{MODELS}.Model.pk: property would do I/O (calls {BASE}.BaseDatabaseWrapper.cursor)" in g.problems
    )
    assert any(p.startswith(f"{MODELS}.Model.related: property would do I/O") for p in g.problems)


class TestReceiverTyping:
    TYPES = {
        "receiver_types": {
            "connection": [f"{BASE}.BaseDatabaseWrapper"],
            "cursor": ["CursorWrapper"],  # a short class name matches every class of that name
        },
        "ambiguous_method_names": ["cursor", "execute", "fetchone"],
        "seeds": SEEDS + [f"{UTILS}.CursorWrapper.execute"],
    }
    SRC = """
        def count(connection):
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*)")
                return cursor.fetchone()


        def chained(connection):
            return connection.cursor().execute("SELECT 1")


        def untyped(other):
            return other.cursor()


        def plain(cursor):
            return cursor.fetchone()
        """

    def test_typed_receivers_resolve(self):
        g = graph(self.SRC, colouring=self.TYPES)
        assert g.colour[f"{MODELS}.count"] == "coroutine"
        assert g.reasons[f"{MODELS}.count"] == f"calls {BASE}.BaseDatabaseWrapper.cursor"
        assert g.colour[f"{MODELS}.chained"] == "coroutine"
        assert ("receiver_types", "connection") in g.used_entries
        # connection.cursor() holds what BaseDatabaseWrapper.cursor returns: no table entry.
        assert ("receiver_types", "cursor") in g.used_entries

    def test_resolution_of_each_receiver(self):
        g = graph(self.SRC, colouring=self.TYPES)
        func = g.funcs[f"{MODELS}.chained"]
        targets = {frozenset(g.resolve_call(call.func, scope)) for call, scope in func.calls}
        assert frozenset({f"{BASE}.BaseDatabaseWrapper.cursor"}) in targets
        assert frozenset({f"{UTILS}.CursorWrapper.execute"}) in targets

    def test_ambiguous_names_need_a_typed_receiver(self):
        g = graph(self.SRC, colouring=self.TYPES)
        assert f"{MODELS}.untyped" not in g.colour
        # plain() reads cursor.fetchone(): typed, but fetchone itself does no I/O here
        assert f"{MODELS}.plain" not in g.colour

    def test_unambiguous_names_resolve_by_name(self):
        types = dict(self.TYPES, ambiguous_method_names=[])
        g = graph(self.SRC, colouring=types)
        assert g.colour[f"{MODELS}.untyped"] == "coroutine"


def test_driver_calls_inside_the_listed_family_only():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class DatabaseWrapper(BaseDatabaseWrapper):
            def _commit(self):
                self.connection.commit()


        class Elsewhere:
            def commit(self):
                self.connection.commit()
        """, colouring={
        "ambiguous_method_names": ["commit"],
        "driver_calls": {"connection": {
            "classes": ["BaseDatabaseWrapper"], "receivers": ["self.connection"], "methods": ["commit"],
        }},
    })
    assert g.colour[f"{BASE}.BaseDatabaseWrapper.commit"] == "coroutine"
    assert g.reasons[f"{MODELS}.DatabaseWrapper._commit"] == "driver call self.connection.commit"
    assert f"{MODELS}.Elsewhere.commit" not in g.colour
    assert ("driver_calls", "connection") in g.used_entries


def test_entering_a_class_with_coloured_enter_colours_the_caller():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class Atomic:
            def __enter__(self):
                BaseDatabaseWrapper.ensure_connection(self.db)

            def __exit__(self, *exc):
                return None


        def save(obj):
            with Atomic():
                obj.x = 1


        def build():
            return Atomic()
        """)
    assert g.colour[f"{MODELS}.Atomic.__enter__"] == "coroutine"
    assert g.reasons[f"{MODELS}.save"] == f"enters {MODELS}.Atomic"
    assert f"{MODELS}.build" not in g.colour
    assert f"{MODELS}.Atomic.__exit__" not in g.colour  # dunders do not spread to siblings


def test_fixed_colours_of_overrides():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class QuerySet:
            def _fetch_all(self):
                return None

            def __len__(self):
                return BaseDatabaseWrapper.cursor(self.db)

            def get(self):
                self._fetch_all()
        """, fixed={f"{MODELS}.QuerySet._fetch_all": "coroutine", f"{MODELS}.QuerySet.__len__": None})
    assert g.colour[f"{MODELS}.QuerySet._fetch_all"] == "coroutine"
    assert g.reasons[f"{MODELS}.QuerySet._fetch_all"] == "override"
    assert g.colour[f"{MODELS}.QuerySet.get"] == "coroutine"
    # An override fixed as sync is neither coloured nor reported: the override handles it.
    assert f"{MODELS}.QuerySet.__len__" not in g.colour
    assert not any(p.startswith(f"{MODELS}.QuerySet.__len__") for p in g.problems)


def test_imports_resolve_through_packages_and_relative_imports():
    g = graph(
        "from .query import QuerySet\n",
        modules={
            f"{MODELS}.query": dd("""
                from ..backends.base import BaseDatabaseWrapper


                class QuerySet:
                    def count(self):
                        return BaseDatabaseWrapper.cursor(self.db)
                """),
            f"{MODELS}.manager": dd("""
                from django.db.models import QuerySet


                def count(qs):
                    return QuerySet.count(qs)
                """),
        },
    )
    assert g.resolve_symbol(f"{MODELS}.manager", "QuerySet") == f"{MODELS}.query.QuerySet"
    assert g.colour[f"{MODELS}.query.QuerySet.count"] == "coroutine"
    assert g.colour[f"{MODELS}.manager.count"] == "coroutine"


def test_unused_receiver_types_and_driver_calls_are_reported():
    colouring = {
        "receiver_types": {"connection": [f"{BASE}.BaseDatabaseWrapper"], "never": [f"{UTILS}.CursorWrapper"]},
        "driver_calls": {"gone": {"classes": ["CursorWrapper"], "receivers": ["self.nothing"], "methods": ["x"]}},
    }
    g = graph("""
        def f(connection):
            return connection.cursor()
        """, colouring=colouring)
    assert graph_unused(g, colouring) == ["receiver_types never", "driver_calls gone"]


@pytest.mark.xfail(
    strict=True,
    reason="a call inside a lambda colours the enclosing function (lambda_calls is never "
    "read), but the lambda stays sync and its call is never awaited: silent wrong code",
)
def test_io_inside_a_lambda_is_reported():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        def order(objs, db):
            return sorted(objs, key=lambda o: BaseDatabaseWrapper.cursor(db))
        """)
    assert any(p.startswith(f"{MODELS}.order") for p in g.problems)


def test_calls_on_modules_outside_the_snapshot_resolve_to_nothing():
    g = graph("""
        import json

        from django.db.backends.base import BaseDatabaseWrapper


        class Encoder:
            def dumps(self, obj):
                return BaseDatabaseWrapper.cursor(obj)


        def as_json(value):
            return json.dumps(value)


        def encode(encoder, value):
            return encoder.dumps(value)
        """)
    assert g.colour[f"{MODELS}.Encoder.dumps"] == "coroutine"
    assert f"{MODELS}.as_json" not in g.colour
    # An untyped receiver still resolves by method name.
    assert g.colour[f"{MODELS}.encode"] == "coroutine"


def test_iterating_a_new_instance_of_an_async_iterable_class():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        class Rows:
            def __iter__(self):
                BaseDatabaseWrapper.ensure_connection(self.db)
                yield 1


        def load():
            for r in Rows():
                print(r)
        """)
    assert g.colour[f"{MODELS}.Rows.__iter__"] == "aiter"
    assert g.colour.get(f"{MODELS}.load") == "coroutine"


class TestTypeInference:
    """Receivers typed without a table entry: assignments, constructors, returns, bases."""

    SRC = """
        from django.db.backends.base import BaseDatabaseWrapper


        class QuerySet:
            def _clone(self):
                c = self.__class__()
                return c

            def filter(self):
                clone = self._clone()
                return clone

            def save(self):
                BaseDatabaseWrapper.ensure_connection(self.db)


        class Handler:
            def all(self):
                return [1, 2]

            def close_all(self):
                for conn in self.all():
                    conn.close()


        def by_assignment():
            obj = QuerySet()
            obj.save()


        def by_walrus():
            if (obj := QuerySet()) is not None:
                obj.save()


        def by_returns():
            QuerySet().filter().save()


        def untyped(obj):
            obj.save()
        """

    def test_local_assignment_constructor_and_returns(self):
        g = graph(self.SRC, colouring={"ambiguous_method_names": ["save", "all"]})
        for name in ("by_assignment", "by_walrus", "by_returns"):
            assert g.colour.get(f"{MODELS}.{name}") == "coroutine", name
        assert f"{MODELS}.untyped" not in g.colour  # save is ambiguous and obj untyped

    def test_self_call_returns_beat_the_name_table(self):
        # "all()" names a QuerySet in the table, but Handler.all() returns a list.
        types = {"all()": [f"{MODELS}.QuerySet"]}
        src = self.SRC.replace(
            "def save(self):",
            "def __iter__(self):\n"
            "                BaseDatabaseWrapper.ensure_connection(self.db)\n"
            "                yield 1\n\n"
            "            def save(self):",
        )
        src += """

        def elsewhere(manager):
            for obj in manager.all():
                pass
        """
        g = graph(src, colouring={"ambiguous_method_names": ["save", "all"], "receiver_types": types})
        assert g.colour[f"{MODELS}.elsewhere"] == "coroutine"  # the table applies to others
        assert f"{MODELS}.Handler.close_all" not in g.colour

    def test_dynamic_bases_give_a_class_the_methods_of_another(self):
        src = """
            from django.db.backends.base import BaseDatabaseWrapper


            class QuerySet:
                def create(self):
                    BaseDatabaseWrapper.ensure_connection(self.db)


            def make(superclass):
                class RelatedManager(superclass):
                    def create(self):
                        return super(RelatedManager, self).create()

                return RelatedManager
            """
        plain = graph(src)
        assert f"{MODELS}.make.RelatedManager.create" not in plain.colour
        bases = {f"{MODELS}.make.RelatedManager": [f"{MODELS}.QuerySet"], f"{MODELS}.Nowhere": []}
        g = graph(src, colouring={"dynamic_bases": bases})
        assert g.colour[f"{MODELS}.make.RelatedManager.create"] == "coroutine"
        assert ("dynamic_bases", f"{MODELS}.make.RelatedManager") in g.used_entries
        assert graph_unused(g, {"dynamic_bases": bases}) == [f"dynamic_bases {MODELS}.Nowhere"]

    def test_protocol_methods_share_one_colour(self):
        src = """
            from django.db.backends.base import BaseDatabaseWrapper


            class Descriptor:
                def get_prefetch_querysets(self, instances):
                    BaseDatabaseWrapper.ensure_connection(self.db)


            class Manager:
                def get_prefetch_querysets(self, instances):
                    return instances
            """
        assert f"{MODELS}.Manager.get_prefetch_querysets" not in graph(src).colour
        g = graph(src, colouring={"protocol_methods": ["get_prefetch_querysets"]})
        assert g.colour[f"{MODELS}.Manager.get_prefetch_querysets"] == "coroutine"


def test_a_function_that_only_returns_an_async_iterator_stays_def():
    g = graph("""
        from django.db.backends.base import BaseDatabaseWrapper


        def rows(db):
            BaseDatabaseWrapper.ensure_connection(db)
            yield 1


        def stream(db):
            return rows(db)


        def stream_after_io(db):
            BaseDatabaseWrapper.ensure_connection(db)
            return rows(db)


        def consume(db):
            for r in stream(db):
                print(r)
        """)
    assert g.colour[f"{MODELS}.stream"] == "aiter"
    assert f"{MODELS}.stream" in g.sync_aiter and not g.is_async_def(f"{MODELS}.stream")
    assert g.colour[f"{MODELS}.stream_after_io"] == "coroutine"
    assert g.is_async_def(f"{MODELS}.stream_after_io")
    # A loop over what stream() returns is an async for.
    loop_iter, scope = g.funcs[f"{MODELS}.consume"].iterates[0]
    assert g.iter_colour(loop_iter, scope) == "aiter"


def test_methods_added_by_overrides_are_dispatched():
    import libcst as cst

    g = graph("""
        class CursorWrapper:
            def __getattr__(self, name):
                return getattr(self.cursor, name)


        def read(cursor: CursorWrapper):
            return CursorWrapper().fetchone()
        """, fixed={f"{MODELS}.CursorWrapper.fetchone": "coroutine"})
    assert f"{MODELS}.read" not in g.colour  # upstream has no fetchone to dispatch to
    node = cst.parse_statement("async def fetchone(self):\n    pass\n")
    g.add_new_method(f"{MODELS}.CursorWrapper.fetchone", node)
    assert g.resolve_call(cst.parse_expression("CursorWrapper().fetchone"), g.funcs[f"{MODELS}.read"].calls[0][1]) == {
        f"{MODELS}.CursorWrapper.fetchone"
    }


def test_combining_with_a_conditional_expression_gives_a_q():
    query_utils = dd("""
        from django.db.backends.base import BaseDatabaseWrapper


        class Q:
            def check(self, db):
                return BaseDatabaseWrapper.cursor(db)
        """)
    expressions = dd("""
        class Combinable:
            pass


        class Exists(Combinable):
            pass
        """)
    g = graph(
        """
        from django.db.models.expressions import Exists


        def validate(condition, db):
            return (condition & Exists()).check(db)


        def unknown(a, b, db):
            return (a | b).check(db)


        def numbers(db):
            return (1 & 2).check(db)
        """,
        modules={f"{MODELS}.query_utils": query_utils, f"{MODELS}.expressions": expressions},
        colouring={"ambiguous_method_names": ["check"]},  # as in the real table: by receiver only
    )
    assert g.colour[f"{MODELS}.query_utils.Q.check"] == "coroutine"
    assert g.colour[f"{MODELS}.validate"] == "coroutine"
    assert f"{MODELS}.unknown" not in g.colour
    assert f"{MODELS}.numbers" not in g.colour
