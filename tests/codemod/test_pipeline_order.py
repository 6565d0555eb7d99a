"""All rules on one invented module, in the pipeline's order: the rules compose."""

from tests.codemod.harness import MODULE, dd, prepare

from tools.codemod.pipeline import COLOUR_RULES, POST_RULES
from tools.libcst_toolkit import MARKER

BEFORE = dd('''
    from contextlib import contextmanager

    from asgiref.sync import sync_to_async

    from django.db.io import execute
    from django.db.models import signals


    class Atomic:
        def __enter__(self):
            execute("BEGIN")
            return self

        def __exit__(self, *exc):
            execute("COMMIT")


    def atomic(using=None):
        return Atomic()


    @contextmanager
    def savepoint(name):
        execute("SAVEPOINT " + name)
        yield


    class Model:
        def rows(self):
            for row in execute("SELECT"):
                yield row

        def save(self):
            signals.pre_save.send(sender=type(self), instance=self)
            with atomic(using=self.db):
                with savepoint("s1"):
                    count = self.save_base().rowcount
            return count, list(self.rows())

        def save_base(self):
            return execute("INSERT")

        async def asave(self):
            return await sync_to_async(self.save)()

        def as_sql(self):
            return "django.db.models.Model", ()
    ''')

AFTER = dd(f'''
    # {MARKER} by tools/rename_fork.py from Django 9.9.9: django/db/sample.py
    # DO NOT EDIT. Change a rule or an override under tools/codemod/ and regenerate with
    #     python tools/rename_fork.py
    # Derived from Django (BSD-3-Clause, Copyright (c) Django Software Foundation).

    from contextlib import asynccontextmanager, contextmanager

    from asgiref.sync import sync_to_async

    from teapot.db.io import execute
    from teapot.db.models import signals


    class Atomic:
        async def __aenter__(self):
            await execute("BEGIN")
            return self

        async def __aexit__(self, *exc):
            await execute("COMMIT")


    def atomic(using=None):
        return Atomic()


    @asynccontextmanager
    async def savepoint(name):
        await execute("SAVEPOINT " + name)
        yield


    class Model:
        async def rows(self):
            for row in await execute("SELECT"):
                yield row

        async def save(self):
            await signals.pre_save.asend(sender=type(self), instance=self)
            async with atomic(using=self.db):
                async with savepoint("s1"):
                    count = (await self.save_base()).rowcount
            return count, [item async for item in self.rows()]

        async def save_base(self):
            return await execute("INSERT")

        async def asave(self):
            return await self.save()

        def as_sql(self):
            return "teapot.db.models.Model", ()
    ''')


def generate():
    run = prepare(
        {
            MODULE: BEFORE,
            "django.db.io": "def execute(sql):\n    return []\n",
            "django.db.models.signals": "pre_save = object()\n",
        },
        colouring={"seeds": ["django.db.io.execute"]},
        rules={
            "async_context_factories": [f"{MODULE}.atomic"],
            "async_signals": ["django.db.models.signals.pre_save"],
        },
    )
    for rule in COLOUR_RULES + POST_RULES:
        run.apply(rule)
    return run


def test_rules_compose_in_pipeline_order():
    assert generate().trees[MODULE].code == AFTER


def test_output_compiles():
    compile(AFTER, MODULE, "exec")


def test_report_counts():
    counts = generate().ctx.counts
    assert counts["functions made async"] == 6
    assert counts["awaits"] == 6
    assert counts["async with"] == 2
    assert counts["dunders renamed"] == 2
    assert counts["a* twins made aliases"] == 1
    assert counts["signal sends awaited"] == 1


def test_generation_is_deterministic():
    assert generate().trees[MODULE].code == generate().trees[MODULE].code
