"""async_aliases: ``return await sync_to_async(self.m)(...)`` twins await ``self.m`` directly."""

import pytest

from tests.codemod.harness import dd, prepare, transform

from tools.codemod.rules.async_aliases import AsyncAliases

CASES = [
    pytest.param(
        dd("""
            from asgiref.sync import sync_to_async


            class QuerySet:
                async def aget(self, *args, **kwargs):
                    return await self.get(*args, **kwargs)

                async def acount(self):
                    return await sync_to_async(count_rows)(self)

                def get_async(self):
                    return sync_to_async(self.get)

                async def apair(self):
                    return await sync_to_async(self.get, thread_sensitive=True)()
            """),
        None,  # no change
        id="not-a-method-twin",
    ),
    pytest.param(
        dd("""
            class QuerySet:
                def get(self, *args, **kwargs):
                    return connect()

                async def aget(self, *args, **kwargs):
                    return await sync_to_async(self.get)(*args, **kwargs)
            """),
        dd("""
            class QuerySet:
                def get(self, *args, **kwargs):
                    return connect()

                async def aget(self, *args, **kwargs):
                    return await self.get(*args, **kwargs)
            """),
        id="method-twin",
    ),
    pytest.param(
        dd("""
            class Related:
                def add(self, *objs, bulk=True):
                    return connect()


            class Manager:
                async def aadd(self, *objs, bulk=True):
                    if not objs:
                        return None
                    return await sync_to_async(self.related.add)(*objs, bulk=bulk)
            """),
        dd("""
            class Related:
                def add(self, *objs, bulk=True):
                    return connect()


            class Manager:
                async def aadd(self, *objs, bulk=True):
                    if not objs:
                        return None
                    return await self.related.add(*objs, bulk=bulk)
            """),
        id="attribute-chain-and-keywords",
    ),
    pytest.param(
        dd("""
            def prefetch(instances):
                return connect()


            async def aprefetch(instances):
                return await sync_to_async(prefetch)(
                    instances,
                )
            """),
        dd("""
            def prefetch(instances):
                return connect()


            async def aprefetch(instances):
                return await prefetch(
                    instances,
                )
            """),
        id="module-function-twin-keeps-layout",
    ),
]


# connect() does I/O; Manager.related holds a Related.
TABLES = {
    "seeds": ["django.db.sample.connect"],
    "receiver_types": {"related": ["django.db.sample.Related"]},
}
CONNECT = "def connect():\n    pass\n\n\n"


@pytest.mark.parametrize("before, after", CASES)
def test_async_aliases(before, after):
    out = transform(AsyncAliases, CONNECT + before, colouring=TABLES)
    assert out == CONNECT + (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_twins_are_counted():
    r = prepare(CONNECT + CASES[1].values[0] + "\n\n" + CASES[2].values[0], colouring=TABLES)
    r.apply(AsyncAliases)
    assert r.ctx.counts["a* twins made aliases"] == 2


def test_twin_of_a_sync_method_is_not_rewritten_silently():
    before = dd("""
        class QuerySet:
            def first(self):
                return None

            async def afirst(self):
                return await sync_to_async(self.first)()
        """)
    r = prepare(before)
    assert r.graph.colour == {}
    out = r.apply(AsyncAliases)
    assert "await self.first()" not in out
    assert any("afirst" in w for w in r.ctx.warnings)
