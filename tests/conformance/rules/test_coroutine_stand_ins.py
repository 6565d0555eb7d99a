"""The conformance rule ``coroutine_stand_ins`` (tools/conformance/rules/coroutine_stand_ins.py)
on small before/after snippets written for these tests."""

from tools.conformance.rules import coroutine_stand_ins
from tests.conformance.support import full, run


def test_a_lambda_replacing_a_coroutine_method_becomes_an_async_function():
    source = """
    class T(TestCase):
        def test_x(self):
            old_save = thing.save
            thing.save = lambda c: [x for x in old_save(c) if x]
            thing.label = lambda c: c.upper()
            thing.count = lambda: 3
    """
    code, _ = run(coroutine_stand_ins, source, decide=False)
    assert "async def _stand_in_1(c):\n            return [x for x in old_save(c) if x]\n" in code
    assert "thing.save = _stand_in_1" in code
    assert "thing.label = lambda c: c.upper()" in code  # not a coroutine in teapot
    assert "thing.count = lambda: 3" in code  # a name other types have too
    done = full(source)
    assert "for x in (await aw(old_save(c)))" in done
    compile(done, "t.py", "exec")


def test_a_lambda_outside_functions_is_left_alone():
    source = """
    thing.save = lambda c: c
    """
    code, _ = run(coroutine_stand_ins, source, decide=False)
    assert "thing.save = lambda c: c" in code
