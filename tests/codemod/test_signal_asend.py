"""signal_asend: a listed signal sent from a coroutine becomes ``await signal.asend(...)``."""

import pytest

from tests.codemod.harness import MODULE, dd, prepare

from tools.codemod.rules.signal_asend import SignalAsend

SIGNALS = "django.db.models.signals"
SIGNALS_SRC = dd("""
    class ModelSignal:
        def send(self, sender, **named):
            return []

    pre_save = ModelSignal()
    post_save = ModelSignal()
    class_prepared = ModelSignal()
    """)
IO = "django.db.io"
IO_SRC = dd("""
    def execute(sql):
        return None
    """)
RULES = {"async_signals": [f"{SIGNALS}.pre_save", f"{SIGNALS}.post_save"]}
COLOURING = {"seeds": [f"{IO}.execute"]}


def prepared(before):
    return prepare({MODULE: before, SIGNALS: SIGNALS_SRC, IO: IO_SRC}, rules=RULES, colouring=COLOURING)


def run(before):
    return prepared(before).apply(SignalAsend)


CASES = [
    pytest.param(
        dd("""
            from django.db.io import execute
            from django.db.models.signals import class_prepared, pre_save


            def save_sync(obj):
                pre_save.send(sender=type(obj), instance=obj)
                return obj


            def save(obj):
                class_prepared.send(sender=type(obj))
                obj.send(1)
                hooks = [lambda: pre_save.send(sender=None)]
                execute("UPDATE")
            """),
        None,  # no change
        id="sync-function-unlisted-signal-lambda",
    ),
    pytest.param(
        dd("""
            from django.db.io import execute
            from django.db.models.signals import post_save, pre_save


            def save(obj):
                pre_save.send(sender=type(obj), instance=obj)
                execute("UPDATE")
                responses = post_save.send(sender=type(obj), instance=obj, created=False)
                return responses
            """),
        dd("""
            from django.db.io import execute
            from django.db.models.signals import post_save, pre_save


            def save(obj):
                await pre_save.asend(sender=type(obj), instance=obj)
                execute("UPDATE")
                responses = await post_save.asend(sender=type(obj), instance=obj, created=False)
                return responses
            """),
        id="imported-signals",
    ),
    pytest.param(
        dd("""
            from django.db import io
            from django.db.models import signals


            class Model:
                def save(self):
                    if not self.raw:
                        signals.pre_save.send(sender=self.__class__, instance=self)
                    io.execute("UPDATE")
            """),
        dd("""
            from django.db import io
            from django.db.models import signals


            class Model:
                def save(self):
                    if not self.raw:
                        await signals.pre_save.asend(sender=self.__class__, instance=self)
                    io.execute("UPDATE")
            """),
        id="signal-through-module-attribute",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_signal_asend(before, after):
    assert run(before) == (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_first_case_has_a_coloured_function():
    # The no-change case must exercise the coroutine path, not just a sync module.
    assert prepared(CASES[0].values[0]).graph.colour.get(f"{MODULE}.save") == "coroutine"


def test_sends_are_counted():
    r = prepared(CASES[1].values[0])
    r.apply(SignalAsend)
    assert r.ctx.counts["signal sends awaited"] == 2


class TestUnused:
    def test_signal_never_sent_from_a_coroutine_is_reported(self):
        r = prepared(CASES[2].values[0])
        rule = SignalAsend(r.ctx)
        r.apply(rule)
        assert rule.unused() == [f"async_signals {SIGNALS}.post_save"]

    def test_send_from_sync_code_does_not_count_as_use(self):
        r = prepared(CASES[0].values[0])
        rule = SignalAsend(r.ctx)
        r.apply(rule)
        assert rule.unused() == [f"async_signals {SIGNALS}.post_save", f"async_signals {SIGNALS}.pre_save"]
