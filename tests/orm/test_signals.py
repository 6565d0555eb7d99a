"""Signal.asend / asend_robust: sync receivers run first, then async ones; robust sending
logs a receiver's error and returns it as that receiver's response."""

import pytest

from teapot.dispatch import Signal


def sync_ok(sender, **kwargs):
    return ("sync", kwargs["value"])


def sync_fails(sender, **kwargs):
    raise ValueError("sync receiver failed")


async def async_ok(sender, **kwargs):
    return ("async", kwargs["value"])


async def async_fails(sender, **kwargs):
    raise KeyError("async receiver failed")


async def test_asend_returns_each_receivers_response_and_raises_an_error():
    signal = Signal()
    for receiver in (async_ok, sync_ok):
        signal.connect(receiver, weak=False)
    assert await signal.asend(sender=None, value=1) == [(sync_ok, ("sync", 1)), (async_ok, ("async", 1))]
    signal.connect(async_fails, weak=False)
    with pytest.raises(KeyError, match="async receiver failed"):
        await signal.asend(sender=None, value=1)


async def test_asend_robust_returns_errors_as_responses_and_logs_them(caplog):
    signal = Signal()
    for receiver in (sync_ok, sync_fails, async_ok, async_fails):
        signal.connect(receiver, weak=False)
    responses = dict(await signal.asend_robust(sender=None, value=2))
    assert responses[sync_ok] == ("sync", 2) and responses[async_ok] == ("async", 2)
    assert isinstance(responses[sync_fails], ValueError)
    assert isinstance(responses[async_fails], KeyError)
    assert len([r for r in caplog.records if "Error calling" in r.getMessage()]) == 2
