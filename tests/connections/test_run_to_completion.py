"""teapot.tasks.run_to_completion: a step that must be seen through (a COMMIT) finishes even
if its caller is cancelled meanwhile; with in_this_task it runs in the caller's task, and one
that never waits costs no turn of the event loop, on any Python version."""

import asyncio

import pytest

from teapot.tasks import run_to_completion


async def _quick():
    return 42


async def _slow(events):
    events.append("started")
    await asyncio.sleep(0.05)
    events.append("finished")
    return "done"


async def _fails_at_once():
    raise ValueError("no")


async def _fails_after_a_wait():
    await asyncio.sleep(0)
    raise ValueError("later")


@pytest.mark.parametrize("in_this_task", [False, True])
async def test_the_result_comes_back_and_nothing_was_cancelled(in_this_task):
    assert await run_to_completion(_quick(), in_this_task=in_this_task) is False
    events = []
    assert await run_to_completion(_slow(events), in_this_task=in_this_task) is False
    assert events == ["started", "finished"]


async def test_a_step_that_never_waits_costs_no_turn_of_the_loop_in_this_task():
    turns = []
    asyncio.get_running_loop().call_soon(turns.append, "a turn")
    await run_to_completion(_quick(), in_this_task=True)
    assert turns == []


@pytest.mark.parametrize("in_this_task", [False, True])
@pytest.mark.parametrize("coroutine", [_fails_at_once, _fails_after_a_wait])
async def test_an_error_is_raised_to_the_caller(in_this_task, coroutine):
    with pytest.raises(ValueError):
        await run_to_completion(coroutine(), in_this_task=in_this_task)


@pytest.mark.parametrize("in_this_task", [False, True])
async def test_cancelling_the_caller_lets_the_step_finish_and_says_so(in_this_task):
    events = []

    async def caller():
        return await run_to_completion(_slow(events), in_this_task=in_this_task)

    task = asyncio.create_task(caller())
    await asyncio.sleep(0.01)
    assert events == ["started"]
    task.cancel()
    assert await task is True  # the caller learns it was cancelled, after the step finished
    assert events == ["started", "finished"]


async def test_in_this_task_the_coroutine_runs_in_the_callers_task_throughout():
    tasks = []

    async def step():
        tasks.append(asyncio.current_task())
        await asyncio.sleep(0.01)
        tasks.append(asyncio.current_task())

    assert await run_to_completion(step(), in_this_task=True) is False
    assert tasks == [asyncio.current_task()] * 2


async def test_in_this_task_a_cancellation_never_reaches_the_future_the_step_waits_on():
    loop = asyncio.get_running_loop()
    read = loop.create_future()  # stands for a driver's pending read
    loop.call_later(0.05, read.set_result, "row")
    seen = []

    async def step():
        seen.append(await read)

    task = asyncio.create_task(run_to_completion(step(), in_this_task=True))
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()  # twice: each cancellation is absorbed the same way
    assert await task is True
    assert not read.cancelled() and seen == ["row"]
