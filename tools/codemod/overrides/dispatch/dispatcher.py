"""Overrides of django.dispatch.dispatcher: async receivers run in the sender's task.

Upstream's ``asend`` gathers the async receivers with ``asyncio.gather``, in tasks of their
own. A teapot task's connection, and so its transaction, is its own: a receiver of
``post_delete`` would query outside the delete's transaction and not see its writes. Inside
an atomic block the receivers are awaited one after another in the sending task; outside
one they still run concurrently. The migrate signals' receivers always run one after another,
in the order they were connected, as Django's send() runs them: contenttypes' and auth's
post_migrate hooks both create the content types of an app, and would race.
"""

import asyncio

from tools.codemod.overrides import override


@override("_run_receivers", new=True)
async def _run_receivers(awaitables, in_order=False):
    """The results of ``awaitables``: one by one inside an atomic block or when ``in_order``,
    else gathered."""
    from teapot.tasks import _in_atomic_block

    if not in_order and not _in_atomic_block():
        return await asyncio.gather(*awaitables)
    return [await awaitable for awaitable in awaitables]


@override("_runs_in_order", new=True)
def _runs_in_order(signal):
    """Whether ``signal``'s async receivers must run one after another (the migrate signals)."""
    from teapot.db.models.signals import post_migrate, pre_migrate

    return signal is post_migrate or signal is pre_migrate


@override("Signal._asend_to_receivers", new=True)
async def _asend_to_receivers(self, sender, named, robust):
    """asend() and asend_robust(): sync receivers first, in a thread; async ones then, in
    this task inside an atomic block. With ``robust``, a receiver's Exception is logged and
    becomes its response."""
    if not self.receivers or self.sender_receivers_cache.get(sender) is NO_RECEIVERS:
        return []
    sync_receivers, async_receivers = self._live_receivers(sender)

    def call(receiver):
        try:
            return receiver(signal=self, sender=sender, **named)
        except Exception as err:
            if not robust:
                raise
            self._log_robust_failure(receiver, err)
            return err

    async def acall(receiver):
        try:
            return await receiver(signal=self, sender=sender, **named)
        except Exception as err:
            if not robust:
                raise
            self._log_robust_failure(receiver, err)
            return err

    responses = []
    if sync_receivers:

        @sync_to_async
        def sync_send():
            return [(receiver, call(receiver)) for receiver in sync_receivers]

        responses = await sync_send()
    async_responses = await _run_receivers(
        [acall(receiver) for receiver in async_receivers], in_order=_runs_in_order(self)
    )
    responses.extend(zip(async_receivers, async_responses))
    return responses


@override("Signal.asend", upstream="eb9ce7f993a8")
async def asend(self, sender, **named):
    """Send the signal to its receivers; the (receiver, response) pairs."""
    return await self._asend_to_receivers(sender, named, robust=False)


@override("Signal.asend_robust", upstream="69e3bfa5fc32")
async def asend_robust(self, sender, **named):
    """asend() that logs each receiver's Exception and returns it as its response."""
    return await self._asend_to_receivers(sender, named, robust=True)
