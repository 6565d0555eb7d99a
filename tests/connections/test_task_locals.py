"""teapot.tasks.TaskLocal, which holds each task's connection wrappers: values per task, handed
to ``on_task_done`` when the task ends, and forgotten with a task freed before it ended."""

import asyncio
import gc

from teapot.tasks import TaskLocal


async def test_each_task_sees_its_own_values_and_get_answers_without_raising():
    done = []
    local = TaskLocal(on_task_done=lambda values, cancelled: done.append((values, cancelled)))
    local.wrapper = "parent's"

    async def child():
        assert local.get("wrapper") is None
        assert local.get("wrapper", "none") == "none"
        local.wrapper = "child's"
        return local.get("wrapper")

    assert await asyncio.create_task(child()) == "child's"
    assert local.get("wrapper") == "parent's"
    assert local.wrapper == "parent's"
    await asyncio.sleep(0)  # done callbacks run on the loop's next turn
    assert done == [(["child's"], False)]


async def test_a_task_freed_before_it_ended_leaves_nothing_behind():
    local = TaskLocal(on_task_done=lambda values, cancelled: None)
    started = asyncio.Event()

    async def stuck():
        local.wrapper = "stuck's"
        started.set()
        await asyncio.Future()  # a future nobody keeps: the task can be freed while waiting

    task = asyncio.get_running_loop().create_task(stuck())
    await started.wait()
    assert any(values == {"wrapper": "stuck's"} for values in local._tasks.values())
    del task
    for _ in range(3):
        gc.collect()
        await asyncio.sleep(0)
    assert all(values != {"wrapper": "stuck's"} for values in local._tasks.values())
