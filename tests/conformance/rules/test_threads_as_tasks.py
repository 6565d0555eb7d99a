"""The conformance rule ``threads_as_tasks`` (tools/conformance/rules/threads_as_tasks.py) on
small before/after snippets written for these tests, and the shims it calls, run on an event
loop."""

import asyncio
import time

import pytest

from tools.conformance import shims
from tools.conformance.rules import threads_as_tasks
from tests.conformance.support import full, run


def test_threads_as_tasks_leaves_modules_without_threads_or_sleep():
    source = "import os\n\ndef f(t):\n    t.join()\n    return os.sep.join(['a'])\n"
    code, context = run(threads_as_tasks, source, decide=False)
    assert code == source and not context.helpers


def test_threads_as_tasks_event_given_to_a_helper():
    source = """
    from threading import Event

    def wait_or_fail(event, message):
        if not event.wait(5):
            raise AssertionError(message)

    ready = Event()
    """
    code, _ = run(threads_as_tasks, source, decide=False)
    assert "if not event_wait(event, 5):" in code and "ready = TaskEvent()" in code


SOURCE = """
import threading
import time
from threading import Event as Ev


class T(TransactionTestCase):
    def run_it(self, status):
        with transaction.atomic():
            status.append(Author.objects.get())

    def test_block(self):
        status = []
        ready = Ev()
        thread = threading.Thread(target=self.run_it, args=(status,))
        thread.start()
        time.sleep(1)
        ready.wait(5)
        thread.join(5.0)
        self.assertFalse(thread.is_alive())
        ", ".join(["a", "b"])

    def test_default(self):
        def slow_default():
            time.sleep(0.5)
            return 1

        def wait_a_bit():
            time.sleep(0.025)

        wait_a_bit()
        Author.objects.update_or_create(name="a", defaults={"rank": slow_default})
"""


def test_threads_as_tasks_rewrites_threads_events_and_sleeps():
    code = full(SOURCE)
    assert "thread = TaskThread(target=self.run_it, args=(status,))" in code
    assert "ready = TaskEvent()" in code
    assert "thread.start()" in code
    assert "(await task_sleep(1))" in code
    assert "(await event_wait(ready, 5))" in code
    assert "(await thread_join(thread, 5.0))" in code
    assert '", ".join(["a", "b"])' in code  # another object's join() is left alone
    assert "async def run_it" in code
    # A function that sleeps becomes a coroutine function: called, it is awaited; given as a
    # callable default, teapot awaits the coroutine it leaves when the row is saved.
    assert "async def wait_a_bit" in code and "(await aw(wait_a_bit()))" in code
    assert "async def slow_default():\n            (await task_sleep(0.5))" in code
    assert "time.sleep" not in code
    assert "from tools.conformance.shims import TaskEvent, TaskThread, aw, ev, event_wait, task_sleep, thread_join" in code


def test_task_thread_runs_its_target_as_a_task_and_join_waits():
    async def main():
        order = []

        async def target(tag, pause):
            order.append(f"{tag} started")
            await asyncio.sleep(pause)
            order.append(f"{tag} done")

        thread = shims.TaskThread(target=target, args=("t",), kwargs={"pause": 0.05})
        assert not thread.is_alive()
        thread.start()
        assert thread.is_alive()
        await shims.task_sleep(0)
        order.append("main")
        await shims.thread_join(thread, 0.001)  # a timeout short of the end: still running
        assert thread.is_alive()
        await shims.thread_join(thread)
        assert not thread.is_alive()
        with pytest.raises(RuntimeError):
            thread.start()
        return order

    assert asyncio.run(main()) == ["t started", "main", "t done"]


def test_task_thread_target_error_is_printed_not_raised(capsys):
    def target():
        raise ValueError("boom in the task")

    async def main():
        thread = shims.TaskThread(target=target)
        thread.start()
        await shims.thread_join(thread)

    asyncio.run(main())
    assert "boom in the task" in capsys.readouterr().err


def test_task_event_wait_and_timer():
    async def main():
        event = shims.TaskEvent()
        assert await shims.event_wait(event, 0.01) is False
        started = time.monotonic()
        shims.TaskTimer(0.05, event.set).start()
        assert await shims.event_wait(event, 5) is True
        assert time.monotonic() - started >= 0.04
        event.clear()
        assert not event.is_set()
        cancelled = shims.TaskTimer(0.01, event.set)
        cancelled.start()
        cancelled.cancel()
        await asyncio.sleep(0.03)
        return event.is_set()

    assert asyncio.run(main()) is False
