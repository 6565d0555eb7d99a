"""async_with: ``with`` over an async context manager, in a coroutine, becomes ``async with``."""

import pytest

from tests.codemod.harness import MODULE, dd, prepare

from tools.codemod.rules.async_with import AsyncWith

TX = "django.db.tx"
TX_SRC = dd("""
    def execute(sql):
        return None


    class Atomic:
        def __enter__(self):
            execute("BEGIN")

        def __exit__(self, *exc):
            execute("COMMIT")


    def atomic(using=None):
        return Atomic()
    """)
RULES = {"async_context_factories": [f"{TX}.atomic"]}
# Plain.plain is kept sync: its with must stay sync even though cursor() is coloured.
COLOURING = {"seeds": [f"{TX}.execute"], "keep_sync": [f"{MODULE}.Plain.plain"]}

PRELUDE = dd("""
    from django.db.tx import Atomic, atomic, execute


    class Wrapper:
        def cursor(self):
            execute("")
            return self


    class Plain(Wrapper):
        def plain(self):
            with self.cursor() as c:
                return c

    """)


def prepared(before):
    return prepare({MODULE: PRELUDE + before, TX: TX_SRC}, rules=RULES, colouring=COLOURING)


def run(before):
    out = prepared(before).apply(AsyncWith)
    assert out.startswith(PRELUDE)  # the keep_sync function's with stays sync
    return out[len(PRELUDE):]


CASES = [
    pytest.param(
        dd("""
            class Db(Wrapper):
                def load(self, path):
                    with open(path) as f:
                        execute(f.read())

                async def already(self):
                    async with atomic():
                        execute("")
            """),
        None,  # no change
        id="sync-cm-in-coroutine-and-already-async",
    ),
    pytest.param(
        dd("""
            class Db(Wrapper):
                def query(self, sql):
                    with self.cursor() as c:
                        c.fetch(sql)
            """),
        dd("""
            class Db(Wrapper):
                def query(self, sql):
                    async with self.cursor() as c:
                        c.fetch(sql)
            """),
        id="coloured-call",
    ),
    pytest.param(
        dd("""
            def save(obj):
                with atomic(using="default"):
                    execute("UPDATE")
            """),
        dd("""
            def save(obj):
                async with atomic(using="default"):
                    execute("UPDATE")
            """),
        id="listed-factory",
    ),
    pytest.param(
        dd("""
            def save(obj):
                with Atomic():
                    obj.save()
            """),
        dd("""
            def save(obj):
                async with Atomic():
                    obj.save()
            """),
        id="class-with-coloured-enter-exit",
    ),
    pytest.param(
        dd("""
            class Db(Wrapper):
                def copy(self):
                    with atomic(), self.cursor() as c:
                        with atomic():
                            return c
            """),
        dd("""
            class Db(Wrapper):
                def copy(self):
                    async with atomic(), self.cursor() as c:
                        async with atomic():
                            return c
            """),
        id="several-items-and-nesting",
    ),
    pytest.param(
        dd("""
            def save_base(parents):
                if parents:
                    manager = atomic()
                else:
                    manager = open("log")
                with manager:
                    execute("INSERT")
            """),
        dd("""
            def save_base(parents):
                if parents:
                    manager = atomic()
                else:
                    manager = open("log")
                async with manager:
                    execute("INSERT")
            """),
        id="name-assigned-an-async-manager-in-a-branch",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_async_with(before, after):
    assert run(before) == (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_first_case_has_a_coloured_function():
    assert prepared(CASES[0].values[0]).graph.colour.get(f"{MODULE}.Db.load") == "coroutine"


def test_keep_sync_function_is_not_coloured():
    r = prepared("")
    assert r.graph.colour.get(f"{MODULE}.Wrapper.cursor") == "coroutine"
    assert f"{MODULE}.Plain.plain" not in r.graph.colour


def test_mixed_sync_and_async_items_are_left_and_warned():
    before = dd("""
        class Db(Wrapper):
            def dump(self, path):
                with open(path) as f, self.cursor() as c:
                    f.write(c)
        """)
    r = prepared(before)
    out = r.apply(AsyncWith)
    assert out == PRELUDE + before
    assert r.ctx.warnings == [f"{MODULE}.Db.dump: with mixes sync and async items ['open', 'self.cursor']"]
    assert r.ctx.counts["async with"] == 0


def test_async_withs_are_counted():
    r = prepared(CASES[4].values[0])
    r.apply(AsyncWith)
    assert r.ctx.counts["async with"] == 2


class TestUnused:
    def test_factory_never_entered_is_reported(self):
        r = prepared(CASES[1].values[0])
        rule = AsyncWith(r.ctx)
        r.apply(rule)
        assert rule.unused() == [f"async_context_factories {TX}.atomic"]

    def test_factory_entered_is_not_reported(self):
        r = prepared(CASES[2].values[0])
        rule = AsyncWith(r.ctx)
        r.apply(rule)
        assert rule.unused() == []
