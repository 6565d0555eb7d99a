"""The shop's HTTP and WebSocket API (FastAPI). Run it with ``python -m examples.shop``, or
``uvicorn examples.shop.app:app`` once the tables exist (``python -m examples.shop seed``)."""

from __future__ import annotations

import contextlib
import datetime
import decimal
import uuid

import anyio
from fastapi import FastAPI, HTTPException, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field
from starlette.responses import StreamingResponse

from examples.shop import config
from teapot.contrib.fastapi import aget_object_or_404, atomic_request, install_exception_handlers, teapot_lifespan

config.setup()

import teapot  # noqa: E402
from teapot import pool as pools  # noqa: E402
from teapot.db.models import Avg, Count, Sum  # noqa: E402
from teapot.pagination import InvalidCursor, KeysetPaginator  # noqa: E402

from examples.shop import streams  # noqa: E402
from examples.shop.models import Customer, Order, OrderLine, Reading, Tenant  # noqa: E402


@contextlib.asynccontextmanager
async def migrate(app):
    # examples/shop/migrations/, written by `teapot makemigrations shop`.
    await teapot.migrate(fake_initial=True)
    yield


app = FastAPI(title="teapot shop", lifespan=teapot_lifespan(lifespan=migrate))
install_exception_handlers(app)


# -- tenants and customers -------------------------------------------------------------


class TenantIn(BaseModel):
    name: str = Field(max_length=100)


class CustomerIn(BaseModel):
    name: str = Field(max_length=100)
    email: str = Field(max_length=200)


@app.get("/tenants")
async def list_tenants():
    return [{"id": t.pk, "name": t.name} async for t in Tenant.objects.order_by("id")]


@app.post("/tenants", status_code=201, dependencies=[atomic_request()])
async def create_tenant(body: TenantIn):
    tenant = await Tenant.objects.create(name=body.name)  # a duplicate name: 409
    return {"id": tenant.pk, "name": tenant.name}


@app.post("/tenants/{tenant_id}/customers", status_code=201, dependencies=[atomic_request()])
async def create_customer(tenant_id: int, body: CustomerIn):
    tenant = await aget_object_or_404(Tenant, pk=tenant_id)
    customer = await Customer.objects.create(tenant=tenant, name=body.name, email=body.email)
    return {"id": customer.pk, "name": customer.name, "email": customer.email}


# -- orders ----------------------------------------------------------------------------


class LineIn(BaseModel):
    sku: str = Field(max_length=32)
    quantity: int  # checked by the database: a line of 0 fails the whole order (409)
    unit_price: decimal.Decimal = Field(max_digits=10, decimal_places=2)


class OrderIn(BaseModel):
    customer_id: int
    lines: list[LineIn] = Field(min_length=1)


def order_json(order: Order, lines=None) -> dict:
    data = {
        "id": order.pk,
        "customer_id": order.customer_id,
        "status": order.status,
        "total": str(order.total),
        "created_at": order.created_at.isoformat(),
    }
    if lines is not None:
        data["lines"] = [
            {"sku": line.sku, "quantity": line.quantity, "unit_price": str(line.unit_price)} for line in lines
        ]
    return data


@app.post("/tenants/{tenant_id}/orders", status_code=201, dependencies=[atomic_request()])
async def create_order(tenant_id: int, body: OrderIn):
    """An order and its lines: one transaction, committed before the response is sent."""
    customer = await aget_object_or_404(Customer, pk=body.customer_id, tenant_id=tenant_id)
    total = sum((line.quantity * line.unit_price for line in body.lines), decimal.Decimal(0))
    order = await Order.objects.create(
        tenant_id=tenant_id, customer=customer, total=total, created_at=datetime.datetime.now(datetime.UTC)
    )
    lines = await OrderLine.objects.bulk_create([OrderLine(order=order, **line.model_dump()) for line in body.lines])
    return order_json(order, lines)


@app.get("/tenants/{tenant_id}/orders")
async def list_orders(
    tenant_id: int,
    status: str | None = None,
    customer_id: int | None = None,
    min_total: decimal.Decimal | None = None,
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=200),
):
    """Newest first, a keyset page at a time: pass ``next_cursor`` back as ``cursor``."""
    orders = Order.objects.filter(tenant_id=tenant_id)
    if status is not None:
        orders = orders.filter(status=status)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    if min_total is not None:
        orders = orders.filter(total__gte=min_total)
    try:
        page = await KeysetPaginator(orders, per_page=limit, ordering=("-created_at",)).page(cursor)
    except InvalidCursor:
        raise HTTPException(400, "invalid cursor") from None
    return {
        "orders": [order_json(order) for order in page],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@app.get("/tenants/{tenant_id}/orders/{order_id}")
async def read_order(tenant_id: int, order_id: int):
    order = await aget_object_or_404(Order.objects.prefetch_related("lines"), pk=order_id, tenant_id=tenant_id)
    return order_json(order, order.lines.all())


@app.get("/tenants/{tenant_id}/stats")
async def tenant_stats(tenant_id: int):
    """Aggregates of one tenant's orders: count, revenue, average, and count per status."""
    await aget_object_or_404(Tenant, pk=tenant_id)
    orders = Order.objects.filter(tenant_id=tenant_id)
    totals = await orders.aggregate(orders=Count("id"), revenue=Sum("total"), average=Avg("total"))
    by_status = orders.order_by("status").values("status").annotate(n=Count("id")).values_list("status", "n")
    return {
        "orders": totals["orders"],
        "revenue": str(round(totals["revenue"] or 0, 2)),
        "average": str(round(totals["average"] or 0, 2)),
        "by_status": dict(await by_status),
    }


# -- streams ---------------------------------------------------------------------------


class ClosingStreamingResponse(StreamingResponse):
    """Closes its body generator in the task that iterated it, also when the client went
    away: the generator holds a transaction, which belongs to that task. Starlette cancels
    the stream when the client disconnects; the clean-up (ROLLBACK, closing the cursor) is
    shielded from that cancellation so that it runs to its end."""

    async def stream_response(self, send):
        try:
            await super().stream_response(send)
        finally:
            with anyio.CancelScope(shield=True), anyio.move_on_after(30):
                await self.body_iterator.aclose()


@app.get("/tenants/{tenant_id}/readings.ndjson")
async def stream_readings(tenant_id: int, label: str | None = None):
    """Every reading of the tenant, one JSON object a line, read while it is sent."""
    await aget_object_or_404(Tenant, pk=tenant_id)
    record = streams.new_record(label or uuid.uuid4().hex, tenant_id, "http")
    return ClosingStreamingResponse(
        streams.ndjson_batches(tenant_id, record),
        media_type="application/x-ndjson",
        headers={"X-Stream-Label": record.label},
    )


@app.websocket("/tenants/{tenant_id}/readings/ws")
async def stream_readings_ws(websocket: WebSocket, tenant_id: int, label: str | None = None):
    """The same rows over a WebSocket: each text message is NDJSON (up to 500 rows); the
    server closes with code 1000 after the last row."""
    await websocket.accept()
    if not await Tenant.objects.filter(pk=tenant_id).aexists():
        await websocket.close(code=4404, reason="no such tenant")
        return
    record = streams.new_record(label or uuid.uuid4().hex, tenant_id, "websocket")
    try:
        async with contextlib.aclosing(streams.ndjson_batches(tenant_id, record)) as batches:
            async for text in batches:
                await websocket.send_text(text)
    except (WebSocketDisconnect, OSError):
        return  # the client went away; the stream is closed above
    await websocket.close(code=1000)


# -- what the tests read ---------------------------------------------------------------

if config.diagnostics_enabled():

    @app.get("/diagnostics")
    async def diagnostics():
        """The pools of the server's event loop and the recent streams. Reads no database."""
        return {
            "pools": [
                {
                    "alias": pool.alias,
                    "max_size": pool.options.max_size,
                    "size": pool.size,
                    "idle": pool.idle,
                    "in_use": pool.in_use,
                    "pending": pool.pending,
                    "idle_clean": all(pool.driver.raw_is_clean(entry.raw) for entry in pool._idle),
                }
                for pool in pools.pools()
            ],
            "streams": [vars(record) for record in streams.RECORDS.values()],
        }
