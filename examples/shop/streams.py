"""A tenant's readings as NDJSON text, read with ``iterator()``, and a record of each stream
(rows read, when it stopped, whether it reached the end) that ``/diagnostics`` shows."""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
import time

from teapot.db import connection, transaction

from examples.shop.models import READING_FIELDS, Reading


@dataclasses.dataclass
class StreamRecord:
    label: str
    tenant_id: int
    transport: str
    rows: int = 0
    started: float = dataclasses.field(default_factory=time.time)
    stopped: float | None = None  # time.time() when the stream stopped reading, for any reason
    complete: bool = False


# The most recent streams, newest last.
RECORDS: collections.OrderedDict[str, StreamRecord] = collections.OrderedDict()
KEEP = 200


def new_record(label: str, tenant_id: int, transport: str) -> StreamRecord:
    record = StreamRecord(label, tenant_id, transport)
    RECORDS[label] = record
    while len(RECORDS) > KEEP:
        RECORDS.popitem(last=False)
    return record


async def ndjson_batches(tenant_id: int, record: StreamRecord, *, batch_rows: int = 500, chunk_size: int = 2000):
    """Yield the tenant's readings as NDJSON, ``batch_rows`` lines per piece of text.

    One statement reads every row, so the stream sees one snapshot of committed rows on each
    database. On PostgreSQL it runs in a transaction: there ``iterator()`` declares a cursor
    that sends rows as they are read, where outside one a ``WITH HOLD`` cursor has the server
    compute the whole result first. (SQLite's transactions here are IMMEDIATE, they would
    keep the writers waiting; MySQL streams either way.) Close this generator in the task
    that iterates it: ``contextlib.aclosing``.
    """
    queryset = Reading.objects.filter(tenant_id=tenant_id).order_by("id").values(*READING_FIELDS)
    lines = []
    try:
        in_transaction = transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()
        async with in_transaction:
            async with queryset.iterator(chunk_size=chunk_size) as rows:
                async for row in rows:
                    record.rows += 1
                    lines.append(json.dumps(row))
                    if len(lines) == batch_rows:
                        yield "\n".join(lines) + "\n"
                        lines = []
        if lines:
            yield "\n".join(lines) + "\n"
        record.complete = True
    finally:
        record.stopped = time.time()
