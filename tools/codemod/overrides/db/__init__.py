"""Overrides of django.db: the request signal receivers.

Upstream's receivers loop over ``connections.all()``, a list; the call graph reads ``all()`` as
a queryset's and would iterate it with ``async for``.
"""

from codemod.overrides import override


@override("reset_queries", upstream="7328e3b3ef52")
def reset_queries(**kwargs):
    for conn in connections.all(initialized_only=True):
        conn.queries_log.clear()


@override("close_old_connections", upstream="a565fbe42844")
async def close_old_connections(**kwargs):
    for conn in connections.all(initialized_only=True):
        await conn.close_if_unusable_or_obsolete()
