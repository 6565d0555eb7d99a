"""The ORM workloads with Django 5.2's own sync ORM (sqlite3 and psycopg backends), line for
line what bench/workloads_teapot.py does with teapot, without the awaits."""

from __future__ import annotations

from bench import config
from bench.config import Sizes
from bench.workloads import AUTHOR_WINDOW, BOOK_WINDOW


class DjangoUnavailable(Exception):
    """Django cannot run on this backend here (its driver is missing)."""


def database_settings(backend: str) -> dict:
    if backend == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": config.SQLITE_PATH}
    s = config.server(backend)
    entry = {"NAME": s.database, "USER": s.user, "PASSWORD": s.password, "HOST": s.host, "PORT": str(s.port)}
    if backend == "postgresql":
        return {**entry, "ENGINE": "django.db.backends.postgresql"}
    return {**entry, "ENGINE": "django.db.backends.mysql", "OPTIONS": {"charset": "utf8mb4"}}


def unavailable_reason(backend: str) -> str | None:
    """Why Django cannot run on ``backend`` here, or None. Django's MySQL backend needs
    mysqlclient; a pure-Python stand-in (PyMySQL) would make the comparison about drivers."""
    if backend != "mysql":
        return None
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        return "Django's MySQL backend needs mysqlclient (MySQLdb), which is not installed"
    return None


class DjangoWorkloads:
    def __init__(self, backend: str, sizes: Sizes):
        reason = unavailable_reason(backend)
        if reason:
            raise DjangoUnavailable(reason)
        import django
        from django.conf import settings

        settings.configure(
            DATABASES={"default": database_settings(backend)},
            INSTALLED_APPS=["bench.django_app"],
            USE_TZ=True,
            TIME_ZONE="UTC",
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        )
        django.setup()
        from bench.django_app import models

        self.sizes = sizes
        self.models = models

    def start(self, workload: str) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    def stop(self) -> None:
        from django.db import connections

        connections.close_all()

    def prepare(self, workload: str, inputs: dict) -> dict:
        if workload != "m2m_add_remove":
            return inputs
        books = self.models.Book.objects.in_bulk([book for book, _ in inputs["pairs"]])
        return {"pairs": [(books[book], tag) for book, tag in inputs["pairs"]]}

    def qty_range(self, lo: int):
        return self.models.Item.objects.filter(qty__gte=lo, qty__lt=lo + 10).order_by("id")

    def book_window(self, lo: int):
        return self.models.Book.objects.filter(pk__gte=lo, pk__lt=lo + BOOK_WINDOW).order_by("pk")

    def select_related(self, inputs: dict) -> int:
        named = 0
        for lo in inputs["los"]:
            books = list(self.book_window(lo).select_related("author"))
            named += sum(1 for book in books if book.author.name)
        return named

    def prefetch_related(self, inputs: dict) -> int:
        tags = 0
        for lo in inputs["los"]:
            books = list(self.book_window(lo).prefetch_related("tags"))
            tags += sum(len(book.tags.all()) for book in books)
        return tags

    def values(self, inputs: dict) -> int:
        rows = 0
        for lo in inputs["los"]:
            rows += len(list(self.qty_range(lo).values("id", "name", "qty")))
        return rows

    def values_list(self, inputs: dict) -> int:
        rows = 0
        for lo in inputs["los"]:
            rows += len(list(self.qty_range(lo).values_list("id", "price")))
        return rows

    def annotate_count(self, inputs: dict) -> int:
        from django.db.models import Count

        Author = self.models.Author
        books = 0
        for lo in inputs["los"]:
            window = Author.objects.filter(pk__gte=lo, pk__lt=lo + AUTHOR_WINDOW).order_by("pk")
            authors = list(window.annotate(n_books=Count("books")))
            books += sum(author.n_books for author in authors)
        return books

    def aggregate(self, inputs: dict) -> int:
        from django.db.models import Avg, Count, Sum

        rows = 0
        for lo in inputs["los"]:
            result = self.qty_range(lo).aggregate(n=Count("id"), total=Sum("qty"), mean_price=Avg("price"))
            rows += result["n"]
        return rows

    def exists_count(self, inputs: dict) -> int:
        Item = self.models.Item
        total = 0
        for qty in inputs["qtys"]:
            matching = Item.objects.filter(qty=qty)
            total += matching.exists()
            total += matching.count()
        return total

    def update(self, inputs: dict) -> int:
        Item = self.models.Item
        updated = 0
        for n, qty in enumerate(inputs["qtys"]):
            updated += Item.objects.filter(qty=qty).update(note=f"django {inputs['label']} {n}")
        return updated

    def in_bulk(self, inputs: dict) -> int:
        Item = self.models.Item
        found = 0
        for ids in inputs["id_lists"]:
            found += len(Item.objects.in_bulk(ids))
        return found

    def m2m_add_remove(self, inputs: dict) -> int:
        calls = 0
        for book, tag in inputs["pairs"]:
            book.tags.add(tag)
            book.tags.remove(tag)
            calls += 2
        return calls
