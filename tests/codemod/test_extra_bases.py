"""extra_bases: a generated class gets a hand-written base class, first, and its import."""

from tests.codemod.harness import MODULE, dd, prepare

from tools.codemod.rules.extra_bases import ExtraBases

ENTRY = {"class": f"{MODULE}.Wrapper", "base": "teapot.backends.leases.LeasedConnections"}


def run(before, entries=(ENTRY,)):
    run_ = prepare(before, rules={"extra_bases": list(entries)}, graph=False)
    rule = ExtraBases(run_.ctx)
    return run_.apply(rule), rule


def test_the_base_goes_first_and_is_imported_after_the_last_import():
    code, rule = run(dd("""
        import asyncio

        from django.db import utils


        class Wrapper(Mixin, Base):
            pass


        class Other:
            pass
        """))
    assert code == dd("""
        import asyncio

        from django.db import utils
        from teapot.backends.leases import LeasedConnections


        class Wrapper(LeasedConnections, Mixin, Base):
            pass


        class Other:
            pass
        """)
    assert rule.unused() == []


def test_a_class_without_bases_gets_parentheses():
    code, _ = run("class Wrapper:\n    x = 1\n")
    assert code == "from teapot.backends.leases import LeasedConnections\nclass Wrapper(LeasedConnections):\n    x = 1\n"


def test_an_entry_that_matches_nothing_is_reported():
    _, rule = run("class Elsewhere:\n    pass\n")
    assert rule.unused() == [f"extra_bases {MODULE}.Wrapper"]
