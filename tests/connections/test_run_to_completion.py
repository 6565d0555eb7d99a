"""teapot.tasks.run_to_completion: a step that must be seen through (a COMMIT) finishes even
if its caller is cancelled meanwhile; with start_here, one that never waits costs no turn of
the event loop, on any Python version."""

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


@pytest.mark.parametrize("start_here", [False, True])
async def test_the_result_comes_back_and_nothing_was_cancelled(start_here):
    assert await run_to_completion(_quick(), start_here=start_here) is False
    events = []
    assert await run_to_completion(_slow(events), start_here=start_here) is False
    assert events == ["started", "finished"]


async def test_a_step_that_never_waits_costs_no_turn_of_the_loop_when_started_here():
    turns = []
    asyncio.get_running_loop().call_soon(turns.append, "a turn")
    await run_to_completion(_quick(), start_here=True)
    assert turns == []


@pytest.mark.parametrize("start_here", [False, True])
@pytest.mark.parametrize("coroutine", [_fails_at_once, _fails_after_a_wait])
async def test_an_error_is_raised_to_the_caller(start_here, coroutine):
    with pytest.raises(ValueError):
        await run_to_completion(coroutine(), start_here=start_here)


@pytest.mark.parametrize("start_here", [False, True])
async def test_cancelling_the_caller_lets_the_step_finish_and_says_so(start_here):
    events = []

    async def caller():
        return await run_to_completion(_slow(events), start_here=start_here)

    task = asyncio.create_task(caller())
    await asyncio.sleep(0.01)
    assert events == ["started"]
    task.cancel()
    assert await task is True  # the caller learns it was cancelled, after the step finished
    assert events == ["started", "finished"]
