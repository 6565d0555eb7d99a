"""dunder_map: coloured ``__iter__``/``__enter__``/``__exit__`` take their async protocol names."""

import pytest

from tests.codemod.harness import MODULE, dd, prepare

from tools.codemod.rules.dunder_map import DunderMap

IO = "django.db.io"
IO_SRC = "def execute(sql):\n    return []\n"
COLOURING = {"seeds": [f"{IO}.execute"]}


def prepared(before, **kw):
    return prepare({MODULE: before, IO: IO_SRC}, colouring=COLOURING, **kw)


def run(before, **kw):
    return prepared(before, **kw).apply(DunderMap)


CASES = [
    pytest.param(
        dd("""
            from django.db.io import execute


            class Node:
                def __iter__(self):
                    return iter(self.children)

                def __enter__(self):
                    return self

                def __len__(self):
                    return len(execute("SELECT"))

                def load(self):
                    return execute("SELECT")
            """),
        None,  # no change
        id="sync-dunders-unmapped-dunder-plain-method",
    ),
    pytest.param(
        dd("""
            from django.db.io import execute


            class Results:
                def __iter__(self):
                    for row in execute("SELECT"):
                        yield row


            class Atomic:
                def __enter__(self):
                    execute("BEGIN")
                    return self

                def __exit__(self, exc_type, exc, tb):
                    execute("COMMIT")
            """),
        dd("""
            from django.db.io import execute


            class Results:
                def __aiter__(self):
                    for row in execute("SELECT"):
                        yield row


            class Atomic:
                def __aenter__(self):
                    execute("BEGIN")
                    return self

                def __aexit__(self, exc_type, exc, tb):
                    execute("COMMIT")
            """),
        id="coloured-protocol-dunders",
    ),
    pytest.param(
        dd("""
            from django.db.io import execute


            class Atomic:
                def __enter__(self):
                    execute("BEGIN")


            class Durable(Atomic):
                def __enter__(self):
                    super().__enter__()
                    iter(self.items).__iter__()
                    return self
            """),
        dd("""
            from django.db.io import execute


            class Atomic:
                def __aenter__(self):
                    execute("BEGIN")


            class Durable(Atomic):
                def __aenter__(self):
                    super().__aenter__()
                    iter(self.items).__iter__()
                    return self
            """),
        id="super-call-to-a-coloured-dunder",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_dunder_map(before, after):
    assert run(before) == (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_first_case_has_coloured_functions():
    colour = prepared(CASES[0].values[0]).graph.colour
    assert colour.get(f"{MODULE}.Node.__len__") == "coroutine"
    assert colour.get(f"{MODULE}.Node.load") == "coroutine"
    assert f"{MODULE}.Node.__iter__" not in colour


def test_override_keeps_its_name():
    fixed = {f"{MODULE}.Results.__iter__": "aiter"}
    before = CASES[1].values[0]
    out = run(before, fixed=fixed)
    assert "def __iter__(self):" in out
    assert "def __aenter__(self):" in out


def test_renames_are_counted():
    r = prepared(CASES[1].values[0])
    r.apply(DunderMap)
    assert r.ctx.counts["dunders renamed"] == 3


class TestUnused:
    def test_mapping_never_applied_is_reported(self):
        before = dd("""
            from django.db.io import execute


            class Results:
                def __iter__(self):
                    yield execute("")
            """)
        r = prepared(before)
        rule = DunderMap(r.ctx)
        r.apply(rule)
        assert rule.unused() == ["dunder_map __enter__", "dunder_map __exit__"]

    def test_all_applied(self):
        r = prepared(CASES[1].values[0])
        rule = DunderMap(r.ctx)
        r.apply(rule)
        assert rule.unused() == []


@pytest.mark.xfail(
    strict=True,
    reason="a coroutine-coloured __iter__ (not a generator) becomes `async def __aiter__`, "
    "which async for cannot use (__aiter__ must return an async iterator, not a coroutine)",
)
def test_coroutine_iter_is_not_renamed_silently():
    before = dd("""
        from django.db.io import execute


        class QuerySet:
            def __iter__(self):
                return iter(execute("SELECT"))
        """)
    r = prepared(before)
    assert r.graph.colour[f"{MODULE}.QuerySet.__iter__"] == "coroutine"
    out = r.apply(DunderMap)
    assert "__aiter__" not in out
    assert any("QuerySet.__iter__" in w for w in r.ctx.warnings)


@pytest.mark.xfail(
    strict=True,
    reason="renaming into a name the class already defines leaves two __aiter__ methods; "
    "the later one silently wins",
)
def test_rename_onto_an_existing_method_is_reported():
    before = dd("""
        from django.db.io import execute


        class Results:
            def __iter__(self):
                for row in execute("SELECT"):
                    yield row

            def __aiter__(self):
                return self
        """)
    r = prepared(before)
    try:
        out = r.apply(DunderMap)
    except ValueError:
        return  # refusing is a fix too
    assert out.count("def __aiter__") == 1 or any("__aiter__" in w for w in r.ctx.warnings)
