"""teapot.testing's runner: a test that hangs is cut off and reported, the next one still runs."""

import asyncio

from teapot.testing import SimpleTestCase
from teapot.testing import runner


class Hanging(SimpleTestCase):
    __test__ = False  # run by teapot's runner below, not collected by pytest

    async def test_a_hangs(self):
        await asyncio.Event().wait()

    async def test_b_passes(self):
        await asyncio.sleep(0)

    async def test_c_raises_timeout_itself(self):
        raise TimeoutError("the test's own")


async def test_a_hanging_test_errors_after_the_timeout_and_the_class_goes_on():
    seen = []
    results = await asyncio.wait_for(
        runner.run_classes([Hanging], on_result=lambda cls, r: seen.append(dict(r)), test_timeout=0.2), 10
    )
    outcome, detail = results[runner.test_id(Hanging, "test_a_hangs")]
    assert outcome == "errored" and detail.startswith("timed out after 0.2s")
    assert results[runner.test_id(Hanging, "test_b_passes")] == ("passed", "")
    outcome, detail = results[runner.test_id(Hanging, "test_c_raises_timeout_itself")]
    assert outcome == "errored" and "timed out" not in detail.splitlines()[0]
    assert seen == [results]


async def test_without_a_timeout_tests_are_not_bounded():
    class Slow(SimpleTestCase):
        __test__ = False

        async def test_sleeps(self):
            await asyncio.sleep(0.3)

    results = await runner.run_classes([Slow])
    assert results[runner.test_id(Slow, "test_sleeps")] == ("passed", "")


def test_django_suite_refuses_an_app_the_suite_does_not_have():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "tools" / "django_suite.py"), "--backend", "sqlite", "--apps", "no_such_app"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "not an app of Django's test suite" in done.stderr and "no_such_app" in done.stderr
