"""Load deferred fields that the ORM itself has to read.

A deferred attribute refuses to query when it is read (AwaitRequired). Some of teapot's own
coroutines need such a value all the same: a queryset that attaches known related objects
reads each row's foreign key, a prefetch of a forward relation reads the key of each
instance. Django queries behind that attribute read, one query per instance and field;
these coroutines run the same query, awaited.
"""

from __future__ import annotations

from teapot.errors import AwaitRequired


async def load_deferred(instance, attnames):
    """Load those of ``attnames`` (field attnames) that ``instance`` has deferred, each with
    its own query, in the given order."""
    for attname in attnames:
        try:
            getattr(instance, attname)
        except AwaitRequired:
            # Only a deferred column is loaded here; any other refusal is the caller's.
            if attname not in instance.get_deferred_fields():
                raise
            await instance.refresh_from_db(fields=[attname])
