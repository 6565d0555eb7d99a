"""Sample data: tenants, their customers and orders, and their wide readings tables."""

import datetime
import decimal
import random

from teapot.db import transaction

from examples.shop.models import READING_COLUMNS, Customer, Order, OrderLine, Reading, Tenant

TENANT_NAMES = ("acme", "globex", "initech", "umbrella")


def reading(tenant_id: int, n: int) -> Reading:
    """The n-th reading of a tenant; its values follow from (tenant, n), so a reader can check them."""
    values = {}
    for i in range(READING_COLUMNS):
        name = f"c{i:03d}"
        if i % 3 == 0:
            values[name] = n * (i + 1) % 100_000
        elif i % 3 == 1:
            values[name] = n / (i + 1)
        else:
            values[name] = f"t{tenant_id}-{n}"[:12]
    return Reading(tenant_id=tenant_id, **values)


async def seed(tenants: int = 2, customers: int = 20, orders: int = 100, readings: int = 10_000,
               batch_size: int = 500) -> list[Tenant]:
    """Create ``tenants`` tenants, each with ``customers`` customers, ``orders`` orders of one
    to four lines and ``readings`` wide readings. Each tenant's rows are one transaction."""
    rng = random.Random(1)
    created = []
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for name in TENANT_NAMES[:tenants]:
        async with transaction.atomic():
            tenant = await Tenant.objects.create(name=name)
            people = await Customer.objects.bulk_create(
                [Customer(tenant=tenant, name=f"{name} customer {i}", email=f"c{i}@{name}.example") for i in range(customers)]
            )
            for i in range(orders):
                order = await Order.objects.create(
                    tenant=tenant, customer=rng.choice(people), status=rng.choice(Order.STATUSES),
                    created_at=start + datetime.timedelta(minutes=i),
                )
                lines = [
                    OrderLine(order=order, sku=f"SKU-{rng.randrange(100):03d}", quantity=rng.randrange(1, 5),
                              unit_price=decimal.Decimal(rng.randrange(100, 10_000)) / 100)
                    for _ in range(rng.randrange(1, 5))
                ]
                await OrderLine.objects.bulk_create(lines)
                order.total = sum(line.quantity * line.unit_price for line in lines)
                await order.save(update_fields=["total"])
            for first in range(0, readings, batch_size):
                await Reading.objects.bulk_create(
                    [reading(tenant.pk, n) for n in range(first, min(first + batch_size, readings))], batch_size=batch_size
                )
        created.append(tenant)
    return created
