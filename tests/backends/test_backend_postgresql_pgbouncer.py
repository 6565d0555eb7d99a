"""PgBouncer in transaction mode in front of the test PostgreSQL (a real pgbouncer, started by
this module): what works with ``OPTIONS={"statement_cache_size": 0}``, and what does not work
(the statement cache, server-side cursors outside a transaction), measured.

In transaction mode PgBouncer gives a client a server connection for one transaction only; the
next transaction may run on another server connection. Anything that outlives a transaction on
the server (a named prepared statement, a WITH HOLD cursor) may then be missing.
"""

import asyncio
import copy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import teapot

from teapot.db import IntegrityError, InternalError, ProgrammingError, connection, connections, transaction
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("tables")

SERVER_CONNECTIONS = 5  # PgBouncer's default_pool_size: server connections per database and user


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.fail("pgbouncer is not installed (Debian: apt-get install pgbouncer; tools/prepare_servers.sh installs it)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pgbouncer():
    """Start pgbouncer on a free loopback port in transaction mode, in front of the test
    server; yield its port; stop it. It refuses to run as root, so as root it runs as the
    postgres user, which must read its files."""
    server = connections.settings["default"]
    folder = Path(tempfile.mkdtemp(prefix="teapot-pgbouncer-"))
    port = free_port()
    (folder / "users.txt").write_text(f'"{server["USER"] or "postgres"}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {SERVER_CONNECTIONS}\n"
        "max_client_conn = 200\n"
        # The default, written down: the most recently used idle server connection goes to the
        # next transaction; the cursor and statement-cache tests rely on it.
        "server_round_robin = 0\n"
    )
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)
    command = [pgbouncer_binary()]
    if os.geteuid() == 0:
        command += ["-u", "postgres" if _user_exists("postgres") else "nobody"]
    log = open(folder / "pgbouncer.log", "w")
    process = subprocess.Popen([*command, str(folder / "pgbouncer.ini")], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"pgbouncer did not start:\n{(folder / 'pgbouncer.log').read_text()}")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def via_pgbouncer(pgbouncer):
    """Add a database alias to the test database through PgBouncer: the default alias's
    settings with PgBouncer's port and the statement cache off (plus ``options``)."""
    added = []

    def add(alias="bouncer", options=None, **settings):
        entry = copy.deepcopy(connections.settings["default"])
        entry.update(HOST="127.0.0.1", PORT=str(pgbouncer), **settings)
        entry["OPTIONS"] = {**entry["OPTIONS"], "statement_cache_size": 0, **(options or {})}
        connections.settings[alias] = entry
        added.append(alias)
        return alias

    yield add
    for alias in added:
        del connections.settings[alias]


async def backend_pid(db) -> int:
    async with connections[db].cursor() as cur:
        await cur.execute("SELECT pg_backend_pid()")
        return (await cur.fetchone())[0]


async def names():
    """What the test database holds, read directly (not through PgBouncer)."""
    return [name async for name in Author.objects.order_by("name").values_list("name", flat=True)]


async def test_orm_reads_and_writes(via_pgbouncer):
    db = via_pgbouncer()
    ann = await Author.objects.using(db).create(name="Ann", age=30)
    authors = await Author.objects.using(db).bulk_create([Author(name=f"a{i:03}", age=i) for i in range(200)], batch_size=50)
    assert len({a.pk for a in authors}) == 200 and None not in {a.pk for a in authors}
    await Book.objects.using(db).create(title="T", author=ann, data={"k": [1, 2]})
    assert await Author.objects.using(db).filter(age__gte=100).update(age=0) == 100
    book = await Book.objects.using(db).select_related("author").get(title="T")
    assert (book.author.name, book.data) == ("Ann", {"k": [1, 2]})
    assert await Author.objects.using(db).filter(pk__in=[a.pk for a in authors[:10]]).count() == 10
    # The same database, seen directly.
    assert await Author.objects.count() == 201
    assert await Author.objects.filter(age=0).count() == 101
    await Author.objects.using(db).filter(name__startswith="a").delete()
    assert await names() == ["Ann"]


async def test_atomic_blocks_with_savepoints_and_rollbacks(via_pgbouncer):
    db = via_pgbouncer()
    async with transaction.atomic(using=db):
        pid = await backend_pid(db)
        await Author.objects.using(db).create(name="Ann")
        with pytest.raises(IntegrityError):
            async with transaction.atomic(using=db):
                await Author.objects.using(db).create(name="Ann")
        async with transaction.atomic(using=db):
            await Author.objects.using(db).create(name="Bob")
        with pytest.raises(ValueError):
            async with transaction.atomic(using=db):
                await Author.objects.using(db).create(name="Cid")
                raise ValueError
        assert await Author.objects.using(db).count() == 2
        # Other clients' transactions meanwhile run on the other server connections.
        others = await asyncio.gather(*(asyncio.create_task(backend_pid(db)) for _ in range(20)))
        assert pid not in others
        assert await backend_pid(db) == pid  # the transaction keeps its server connection
        assert await names() == []  # not committed yet
    with pytest.raises(ValueError):
        async with transaction.atomic(using=db):
            await Author.objects.using(db).create(name="Dee")
            raise ValueError
    assert await names() == ["Ann", "Bob"]


async def test_fifty_tasks_share_five_server_connections(via_pgbouncer):
    """50 tasks, each holding a teapot connection of its own (50 PgBouncer clients), run reads,
    writes, transactions and iterator() at once over PgBouncer's 5 server connections, with
    the settings transaction mode needs."""
    db = via_pgbouncer(options={"pool": {"max_size": 50}}, DISABLE_SERVER_SIDE_CURSORS=True)
    tasks, rounds = 50, 4
    everyone_connected = asyncio.Barrier(tasks)
    in_use = []

    async def work(i):
        async with teapot.connection(db):  # one PgBouncer client per task throughout
            author = await Author.objects.using(db).create(name=f"t{i:02}", age=i)
            await everyone_connected.wait()
            in_use.append(connections[db].connection_pool.in_use)
            pids = {await backend_pid(db)}
            for n in range(1, rounds + 1):
                async with transaction.atomic(using=db):
                    locked = await Author.objects.using(db).select_for_update().get(pk=author.pk)
                    locked.age += 100
                    await locked.save(update_fields=["age"])
                    pids.add(await backend_pid(db))
                assert await Author.objects.using(db).values_list("age", flat=True).get(pk=author.pk) == i + 100 * n
                assert [a.name async for a in Author.objects.using(db).filter(pk=author.pk).iterator()] == [author.name]
            return pids

    pids = set().union(*await asyncio.gather(*(work(i) for i in range(tasks))))
    assert max(in_use) == tasks  # 50 client connections at once...
    assert len(pids) <= SERVER_CONNECTIONS  # ...on at most 5 server connections
    ages = {name: age async for name, age in Author.objects.values_list("name", "age")}
    assert ages == {f"t{i:02}": i + 100 * rounds for i in range(tasks)}


async def iterate_while_another_transaction_runs(db):
    """Read 100 authors 10 at a time through ``db``. After the first chunk, another task opens
    a transaction through PgBouncer: it gets the most recently used server connection, the one
    the first chunk came from, and keeps it until the iteration ends."""
    holding, done = asyncio.Event(), asyncio.Event()

    async def hold():
        async with transaction.atomic(using="bouncer"):
            await Author.objects.using("bouncer").exists()
            holding.set()
            await done.wait()

    seen, holder = [], None
    try:
        async for author in Author.objects.using(db).order_by("name").iterator(chunk_size=10):
            if holder is None:
                holder = asyncio.create_task(hold())
                await holding.wait()
            seen.append(author.name)
    finally:
        done.set()
        if holder is not None:
            await holder
    return seen


async def test_server_side_cursors_outside_a_transaction_break(via_pgbouncer):
    """iterator() declares a WITH HOLD cursor in autocommit mode; the next FETCH may run on
    another server connection. This is why Django documents DISABLE_SERVER_SIDE_CURSORS."""
    via_pgbouncer()
    await Author.objects.bulk_create([Author(name=f"a{i:03}") for i in range(100)])
    with pytest.raises(ProgrammingError, match=r'cursor "_django_curs_\w+" does not exist'):
        await iterate_while_another_transaction_runs("bouncer")


async def test_iterator_with_disable_server_side_cursors(via_pgbouncer):
    via_pgbouncer()
    db = via_pgbouncer("no_cursors", DISABLE_SERVER_SIDE_CURSORS=True)
    await Author.objects.bulk_create([Author(name=f"a{i:03}") for i in range(100)])
    assert await iterate_while_another_transaction_runs(db) == [f"a{i:03}" for i in range(100)]


async def test_iterator_inside_an_atomic_block(via_pgbouncer):
    """Django's other documented way: a transaction keeps its server connection, and the
    cursor lives as long as the transaction."""
    db = via_pgbouncer()
    await Author.objects.bulk_create([Author(name=f"a{i:03}") for i in range(100)])
    async with transaction.atomic(using=db):
        assert await iterate_while_another_transaction_runs(db) == [f"a{i:03}" for i in range(100)]


async def test_the_statement_cache_breaks_behind_pgbouncer_and_the_error_names_the_setting(via_pgbouncer):
    via_pgbouncer()
    cached = via_pgbouncer("cached", options={"statement_cache_size": 100})
    holding, done = asyncio.Event(), asyncio.Event()

    async def hold():  # takes the server connection the statement was prepared on
        async with transaction.atomic(using="bouncer"):
            await Author.objects.using("bouncer").exists()
            holding.set()
            await done.wait()

    assert not await Author.objects.using(cached).exists()  # prepared and cached, by name
    holder = asyncio.create_task(hold())
    try:
        await holding.wait()
        with pytest.raises(InternalError, match=r'prepared statement "__asyncpg_stmt_\w+__" does not exist') as caught:
            await Author.objects.using(cached).exists()  # runs on another server connection
    finally:
        done.set()
        await holder
    message = str(caught.value)
    assert 'OPTIONS"]["statement_cache_size"] = 0' in message
    assert "asyncpg connection object" not in message  # asyncpg's own advice names its connect()


async def test_a_missing_statement_of_ones_own_gets_no_pgbouncer_hint():
    with pytest.raises(InternalError) as caught:
        async with connection.cursor() as cur:
            await cur.execute("EXECUTE teapot_no_such_statement")
    assert str(caught.value) == 'prepared statement "teapot_no_such_statement" does not exist'
