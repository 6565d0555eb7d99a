"""Every workload, written with teapot as its README shows it. bench/workloads_raw/ does the
driver workloads with the bare drivers, bench/workloads_django.py the ORM workloads with
Django: each method here has its namesake there."""

from __future__ import annotations

import asyncio

from bench import config
from bench.config import Sizes
from bench.workloads import AUTHOR_WINDOW, BOOK_WINDOW


def database_settings(backend: str) -> dict:
    from teapot.configure import parse_database_url

    if backend == "sqlite":
        entry = {"ENGINE": "teapot.backends.aiosqlite", "NAME": config.SQLITE_PATH, "OPTIONS": {}}
    else:
        entry = parse_database_url(config.SERVER_URLS[backend])
    entry["OPTIONS"]["pool"] = {"max_size": config.POOL_SIZE}
    return entry


class TeapotWorkloads:
    def __init__(self, backend: str, sizes: Sizes):
        import teapot

        teapot.setup(
            {"default": database_settings(backend)}, installed_apps=["bench.teapot_app"], time_zone="UTC", use_tz=True
        )
        from bench.teapot_app import models

        self.backend = backend
        self.sizes = sizes
        self.models = models

    async def start(self, workload: str) -> None:
        """Open a pooled connection, as an application's first query would."""
        from teapot.db import connection

        async with connection.cursor() as cursor:
            await cursor.execute("SELECT 1")

    async def stop(self) -> None:
        import teapot

        await teapot.close()

    async def prepare(self, workload: str, inputs: dict) -> dict:
        """Untimed: the related-manager workload needs its books loaded first."""
        if workload != "m2m_add_remove":
            return inputs
        books = await self.models.Book.objects.in_bulk([book for book, _ in inputs["pairs"]])
        return {"pairs": [(books[book], tag) for book, tag in inputs["pairs"]]}

    # --- against the raw drivers ------------------------------------------------------------

    async def get_by_pk(self, inputs: dict) -> int:
        Item = self.models.Item
        found = 0
        for pk in inputs["ids"]:
            item = await Item.objects.get(pk=pk)
            found += item.pk == pk
        return found

    def qty_range(self, lo: int):
        return self.models.Item.objects.filter(qty__gte=lo, qty__lt=lo + 10).order_by("id")

    def book_window(self, lo: int):
        return self.models.Book.objects.filter(pk__gte=lo, pk__lt=lo + BOOK_WINDOW).order_by("pk")

    async def filter_100(self, inputs: dict) -> int:
        rows = 0
        for lo in inputs["los"]:
            rows += len(await self.qty_range(lo))
        return rows

    async def create_one(self, inputs: dict) -> int:
        Item = self.models.Item
        created = 0
        for row in inputs["rows"]:
            item = await Item.objects.create(**row)
            created += item.pk > self.sizes.item_rows
        return created

    async def bulk_create_10k(self, inputs: dict) -> int:
        Item = self.models.Item
        created = await Item.objects.bulk_create([Item(**row) for row in inputs["rows"]])
        return sum(1 for item in created if item.pk is not None)

    def wide_rows(self, inputs: dict):
        return self.models.Wide.objects.filter(id__lte=inputs["max_id"]).order_by("id")

    async def stream_wide(self, inputs: dict) -> int:
        from teapot.db import transaction

        rows = 0
        if self.backend == "postgresql":
            # A server-side cursor outside a transaction is declared WITH HOLD, which makes
            # the server compute the whole result first: stream inside atomic(), as the
            # README says and as the raw driver does.
            async with transaction.atomic():
                async for _ in self.wide_rows(inputs).iterator(chunk_size=inputs["chunk_size"]):
                    rows += 1
        else:
            async for _ in self.wide_rows(inputs).iterator(chunk_size=inputs["chunk_size"]):
                rows += 1
        return rows

    async def fetch_wide_all(self, inputs: dict) -> int:
        return len(await self.wide_rows(inputs))

    async def concurrent_get(self, inputs: dict) -> int:
        Item = self.models.Item

        async def lookups(ids):
            found = 0
            for pk in ids:
                found += (await Item.objects.get(pk=pk)).pk == pk
            return found

        return sum(await asyncio.gather(*(lookups(ids) for ids in inputs["ids_per_task"])))

    async def transaction_2writes(self, inputs: dict) -> int:
        from teapot.db import transaction

        Item = self.models.Item
        committed = 0
        for first, second in inputs["pairs"]:
            async with transaction.atomic():
                parent = await Item.objects.create(**first)
                await Item.objects.create(**{**second, "note": str(parent.pk)})
            committed += 1
        return committed

    # --- against Django ---------------------------------------------------------------------

    async def select_related(self, inputs: dict) -> int:
        named = 0
        for lo in inputs["los"]:
            books = await self.book_window(lo).select_related("author")
            named += sum(1 for book in books if book.author.name)
        return named

    async def prefetch_related(self, inputs: dict) -> int:
        tags = 0
        for lo in inputs["los"]:
            books = await self.book_window(lo).prefetch_related("tags")
            tags += sum(len(book.tags.all()) for book in books)
        return tags

    async def values(self, inputs: dict) -> int:
        rows = 0
        for lo in inputs["los"]:
            rows += len(await self.qty_range(lo).values("id", "name", "qty"))
        return rows

    async def values_list(self, inputs: dict) -> int:
        rows = 0
        for lo in inputs["los"]:
            rows += len(await self.qty_range(lo).values_list("id", "price"))
        return rows

    async def annotate_count(self, inputs: dict) -> int:
        from teapot.db.models import Count

        Author = self.models.Author
        books = 0
        for lo in inputs["los"]:
            window = Author.objects.filter(pk__gte=lo, pk__lt=lo + AUTHOR_WINDOW).order_by("pk")
            authors = await window.annotate(n_books=Count("books"))
            books += sum(author.n_books for author in authors)
        return books

    async def aggregate(self, inputs: dict) -> int:
        from teapot.db.models import Avg, Count, Sum

        rows = 0
        for lo in inputs["los"]:
            result = await self.qty_range(lo).aggregate(n=Count("id"), total=Sum("qty"), mean_price=Avg("price"))
            rows += result["n"]
        return rows

    async def exists_count(self, inputs: dict) -> int:
        Item = self.models.Item
        total = 0
        for qty in inputs["qtys"]:
            matching = Item.objects.filter(qty=qty)
            total += await matching.exists()
            total += await matching.count()
        return total

    async def update(self, inputs: dict) -> int:
        Item = self.models.Item
        updated = 0
        for n, qty in enumerate(inputs["qtys"]):
            updated += await Item.objects.filter(qty=qty).update(note=f"teapot {inputs['label']} {n}")
        return updated

    async def in_bulk(self, inputs: dict) -> int:
        Item = self.models.Item
        found = 0
        for ids in inputs["id_lists"]:
            found += len(await Item.objects.in_bulk(ids))
        return found

    async def m2m_add_remove(self, inputs: dict) -> int:
        calls = 0
        for book, tag in inputs["pairs"]:
            await book.tags.add(tag)
            await book.tags.remove(tag)
            calls += 2
        return calls
