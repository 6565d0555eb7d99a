"""Multiple databases: using(), db_manager(), save(using=...), Django's DATABASE_ROUTERS with a
primary ("default") and a read replica ("replica"), cross-database relations, and one pool per
alias. The aliases are three real databases (see conftest.py), so a row written to one is
missing from the others: where a query went is proved by what it finds."""

import asyncio
import contextlib

import pytest

import teapot
from teapot.db import connections, router, transaction
from teapot.db.models import aprefetch_related_objects
from teapot.pool import PoolTimeout
from tests.database.harness import OTHER_POOL, create_tables, drop_tables
from tests.database.testapp.models import Author, Book, Tag

ALIASES = ("default", "replica", "other")


@pytest.fixture(autouse=True)
async def tables_everywhere():
    for alias in ALIASES:
        await create_tables(alias)
    try:
        yield
    finally:
        for alias in ALIASES:
            await drop_tables(alias)
        await teapot.close()


class PrimaryReplicaRouter:
    """Django's documented primary/replica router: reads from the replica, writes to the
    primary, relations allowed between objects of the two (they hold the same data)."""

    pair = {"default", "replica"}

    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        if obj1._state.db in self.pair and obj2._state.db in self.pair:
            return True
        return None


@contextlib.contextmanager
def routers(*chosen):
    """What override_settings(DATABASE_ROUTERS=...) does to the router: its ``routers``
    (a cached_property of settings.DATABASE_ROUTERS) replaced, then computed again."""
    saved = router.__dict__.pop("routers", None)
    router.routers = list(chosen)
    try:
        yield
    finally:
        del router.routers
        if saved is not None:
            router.routers = saved


async def names(queryset):
    return [name async for name in queryset.order_by("name").values_list("name", flat=True)]


async def test_without_routers_everything_is_default_unless_using_says_otherwise():
    await Author.objects.create(name="Dee")
    await Author.objects.using("other").create(name="Otto")
    assert await names(Author.objects.all()) == ["Dee"]
    assert await names(Author.objects.using("other")) == ["Otto"]
    assert await names(Author.objects.using("replica")) == []


async def test_router_sends_writes_to_the_primary_and_reads_to_the_replica():
    # A row that exists only on the replica, and one only on the primary.
    await Author.objects.using("replica").create(name="Rita", age=1)
    with routers(PrimaryReplicaRouter()):
        ann = await Author.objects.create(name="Ann", age=1)
        assert ann._state.db == "default"
        assert await names(Author.objects.all()) == ["Rita"]  # the replica
        assert await Author.objects.count() == 1
        assert not await Author.objects.filter(name="Ann").exists()
        rita = await Author.objects.get()
        assert rita._state.db == "replica"
        # Queryset writes are routed for write: Ann is updated on the primary, Rita is not there.
        assert await Author.objects.filter(name="Ann").update(age=2) == 1
        assert await Author.objects.filter(name="Rita").update(age=2) == 0
        await Book.objects.bulk_create([Book(title="B", author_id=ann.pk)])
        assert await Book.objects.count() == 0
        # get_or_create reads the replica, misses, and creates on the primary (Django's behaviour).
        bob, created = await Author.objects.get_or_create(name="Bob")
        assert created and bob._state.db == "default"
        # Each operation asks the router: one queryset reads the replica and deletes on the primary.
        everyone = Author.objects.all()
        assert await names(everyone) == ["Rita"]
        deleted, _ = await everyone.delete()
        assert deleted == 3  # Ann, her book and Bob, all on the primary
    assert await names(Author.objects.using("default")) == []
    assert await names(Author.objects.using("replica")) == ["Rita"]


async def test_using_db_manager_and_save_using_override_the_router():
    with routers(PrimaryReplicaRouter()):
        otto = await Author.objects.using("other").create(name="Otto")
        assert otto._state.db == "other"
        await Author.objects.db_manager("other").create(name="Olga")
        assert await names(Author.objects.using("other")) == ["Olga", "Otto"]
        assert (await Author.objects.db_manager("other").get(name="Olga"))._state.db == "other"
        assert await Author.objects.using("default").filter(name="Ann").update(age=1) == 0

        ann = Author(name="Ann")
        await ann.save(using="replica")
        assert ann._state.db == "replica"
        assert await names(Author.objects.all()) == ["Ann"]  # read from the replica
        assert await names(Author.objects.using("default")) == []

        # save() without using asks the router: the primary, whatever the instance came from.
        replica_ann = await Author.objects.get(name="Ann")
        replica_ann.age = 7
        await replica_ann.save()
        assert replica_ann._state.db == "default"
        assert await Author.objects.using("default").values_list("name", "age").get() == ("Ann", 7)
        assert await Author.objects.using("replica").values_list("age", flat=True).get() == 0

        await otto.refresh_from_db(using="other")
        await otto.delete(using="other")
        assert await names(Author.objects.using("other")) == ["Olga"]


async def test_an_instance_stays_on_its_database_when_no_router_decides():
    # No router: Django falls back to the instance's own database (the "instance" hint).
    olga = await Author.objects.using("other").create(name="Olga")
    olga.age = 40
    await olga.save()
    await Book.objects.using("other").create(title="On other", author=olga)
    await olga.books.create(title="Also on other")
    assert await Author.objects.using("other").values_list("age", flat=True).get() == 40
    assert not await Author.objects.exists()  # nothing reached default
    # Related lookups follow the instance: its books are read from "other".
    assert sorted([b.title async for b in olga.books.all()]) == ["Also on other", "On other"]
    book = await Book.objects.using("other").get(title="On other")
    await aprefetch_related_objects([book], "author")
    assert book.author.name == "Olga" and book.author._state.db == "other"
    loaded = await Author.objects.using("other").prefetch_related("books").get()
    assert len(loaded.books.all()) == 2
    picked = await Book.objects.using("other").select_related("author").get(title="On other")
    assert picked.author._state.db == "other"


async def test_cross_database_relations_raise_djangos_errors():
    ann = await Author.objects.create(name="Ann")
    otto = await Author.objects.using("other").create(name="Otto")
    book = await Book.objects.create(title="B", author=ann)
    other_book = await Book.objects.using("other").create(title="O", author=otto)
    other_tag = await Tag.objects.using("other").create(name="t")

    with pytest.raises(ValueError, match="the current database router prevents this relation"):
        book.author = otto
    with pytest.raises(ValueError, match="the current database router prevents this relation"):
        await ann.books.add(other_book)  # the reverse manager assigns other_book.author = ann
    with pytest.raises(ValueError, match='instance is on database "default", value is on database "other"'):
        await book.tags.add(other_tag)
    assert await Book.objects.using("other").filter(author=otto).count() == 1  # nothing moved


async def test_allow_relation_lets_primary_and_replica_objects_relate():
    # The same rows on both, as replication would have them.
    ann = await Author.objects.create(name="Ann")
    await Author.objects.using("replica").create(pk=ann.pk, name="Ann")
    tag = await Tag.objects.create(name="t")
    await Tag.objects.using("replica").create(pk=tag.pk, name="t")
    otto = await Author.objects.using("other").create(name="Otto")
    book = await Book.objects.create(title="B", author=ann)
    with routers(PrimaryReplicaRouter()):
        replica_ann = await Author.objects.get(name="Ann")
        replica_tag = await Tag.objects.get()
        assert replica_ann._state.db == replica_tag._state.db == "replica"
        book.author = replica_ann  # allowed by the router's allow_relation
        await book.save()
        await book.tags.add(replica_tag)  # the through row is written on the primary
        assert await Book.tags.through.objects.using("default").count() == 1
        assert await Book.tags.through.objects.using("replica").count() == 0
        # The router has no opinion on "other": Django's rule (same database only) applies.
        with pytest.raises(ValueError, match="the current database router prevents this relation"):
            book.author = otto


async def test_atomic_blocks_are_per_alias():
    with pytest.raises(ZeroDivisionError):
        async with transaction.atomic(using="other"):
            await Author.objects.using("other").create(name="Otto")
            await Author.objects.create(name="Dee")  # default: not in the block, autocommitted
            1 / 0
    assert await names(Author.objects.all()) == ["Dee"]
    assert await names(Author.objects.using("other")) == []
    assert not connections["other"].in_atomic_block


async def test_each_alias_has_its_own_pool():
    async with teapot.connection("default"), teapot.connection("replica"):
        await Author.objects.create(name="Dee")
        await Author.objects.using("replica").create(name="Rita")
        pools = {alias: connections[alias].connection_pool for alias in ("default", "replica")}
        assert pools["default"] is not pools["replica"]
        assert {alias: pool.alias for alias, pool in pools.items()} == {"default": "default", "replica": "replica"}
        assert connections["default"].connection is not connections["replica"].connection
        assert pools["default"].in_use == pools["replica"].in_use == 1
    assert connections["other"].connection_pool.options.max_size == OTHER_POOL["max_size"]
    assert pools["default"].options.max_size != OTHER_POOL["max_size"]


async def test_an_exhausted_pool_holds_up_only_its_own_alias():
    holding = asyncio.Event()
    done = asyncio.Event()
    held = 0

    async def hold_other():
        nonlocal held
        async with teapot.connection("other"):
            await Author.objects.using("other").exists()  # leased until the scope ends
            held += 1
            if held == OTHER_POOL["max_size"]:
                holding.set()
            await done.wait()

    holders = [asyncio.create_task(hold_other()) for _ in range(OTHER_POOL["max_size"])]
    try:
        await asyncio.wait_for(holding.wait(), 10)
        assert connections["other"].connection_pool.in_use == OTHER_POOL["max_size"]
        # The other aliases still answer at once...
        async with asyncio.timeout(OTHER_POOL["timeout"] / 2):
            assert await Author.objects.count() == 0
            assert await Author.objects.using("replica").count() == 0
        # ...while "other" waits its pool's timeout, and says which pool is full.
        with pytest.raises(PoolTimeout, match="'other'"):
            await Author.objects.using("other").count()
    finally:
        done.set()
        await asyncio.gather(*holders)
    assert await Author.objects.using("other").count() == 0


async def test_a_task_holding_two_aliases_gives_both_back_when_it_ends():
    async def read_both():
        # Cursors left open hold their leases; the task's end gives them back.
        for alias in ("default", "replica"):
            cursor = await connections[alias].cursor()
            await cursor.execute("SELECT 1")
        return connections["default"].connection, connections["replica"].connection

    default_pool = connections["default"].connection_pool
    replica_pool = connections["replica"].connection_pool
    task = asyncio.create_task(read_both())
    raw_default, raw_replica = await task
    await asyncio.sleep(0)  # the done callbacks run
    assert raw_default is not None and raw_replica is not None
    assert default_pool.in_use == replica_pool.in_use == 0
    assert raw_default in [entry.raw for entry in default_pool._idle]
    assert raw_replica in [entry.raw for entry in replica_pool._idle]


async def test_a_connection_scope_gives_back_only_its_alias():
    async with teapot.connection("default"):
        await Author.objects.exists()
        async with teapot.connection("replica"):
            await Author.objects.using("replica").exists()
            assert connections["replica"].connection_pool.in_use == 1
        assert connections["replica"].connection is None
        assert connections["replica"].connection_pool.in_use == 0
        assert connections["default"].connection is not None
    assert connections["default"].connection is None


async def test_gather_reads_each_alias_in_parallel():
    await Author.objects.create(name="Dee")
    await Author.objects.using("replica").create(name="Rita")
    await Author.objects.using("other").create(name="Otto")
    results = await teapot.gather(*(Author.objects.using(alias).values_list("name", flat=True) for alias in ALIASES))
    assert results == [["Dee"], ["Rita"], ["Otto"]]


ROUTERS_FROM_SETUP = """
import asyncio, teapot

class ReadFromReplica:
    def db_for_read(self, model, **hints):
        return "replica"

teapot.setup(
    {"default": "sqlite://:memory:", "replica": "sqlite://:memory:"},
    installed_apps=["tests.database.testapp"],
    database_routers=[ReadFromReplica(), "tests.orm.test_multiple_databases.PrimaryReplicaRouter"],
)
from teapot.db import connections, router
from tests.database.testapp.models import Author

async def main():
    for alias in ("default", "replica"):
        async with connections[alias].schema_editor() as editor:
            await editor.create_model(Author)
    await Author.objects.create(name="Ann")
    await Author.objects.using("replica").create(name="Rita")
    print([type(r).__name__ for r in router.routers], [a.name async for a in Author.objects.all()])
    await teapot.close()

asyncio.run(main())
"""


async def test_routers_from_setup():
    """teapot.setup(database_routers=[...]) is settings.DATABASE_ROUTERS: instances or dotted
    paths, as in Django. Settings are per process, so this runs in a subprocess."""
    import subprocess
    import sys
    from pathlib import Path

    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", ROUTERS_FROM_SETUP],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == "['ReadFromReplica', 'PrimaryReplicaRouter'] ['Rita']"
