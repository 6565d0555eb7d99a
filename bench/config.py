"""Where the benchmark's databases are and how large its tables and workloads are.

The databases are the benchmark's own (never the test databases): ``teapot_bench`` on the
local PostgreSQL and MariaDB servers, and a file in the system's temporary folder for SQLite.
BENCH_POSTGRESQL_URL and BENCH_MYSQL_URL point it at other servers.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import urllib.parse

BACKENDS = ("sqlite", "postgresql", "mysql")

# A name of its own: another benchmark on the machine may use "teapot-bench.sqlite3".
SQLITE_PATH = os.path.join(tempfile.gettempdir(), "teapot-project-bench.sqlite3")

SERVER_URLS = {
    "postgresql": os.environ.get("BENCH_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/teapot_bench"),
    "mysql": os.environ.get("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/teapot_bench"),
}

WIDE_COLUMNS = 200  # bench_wide's columns besides its id
BOOKS_PER_AUTHOR = 5

# Connections open at once in the concurrent workload, for teapot's pool and the raw pools alike.
POOL_SIZE = 10


@dataclasses.dataclass(frozen=True)
class Server:
    """A server's connection settings, read from its URL."""

    host: str
    port: int
    user: str
    password: str
    database: str


def server(backend: str) -> Server:
    url = urllib.parse.urlsplit(SERVER_URLS[backend])
    return Server(
        host=url.hostname or "127.0.0.1",
        port=url.port or (5432 if backend == "postgresql" else 3306),
        user=urllib.parse.unquote(url.username or ""),
        password=urllib.parse.unquote(url.password or ""),
        database=url.path.lstrip("/"),
    )


@dataclasses.dataclass(frozen=True)
class Sizes:
    """Table sizes and operation counts, all multiplied by ``scale`` (1.0 is the full run).

    The tables shrink with the scale as well, so that a smoke run seeds in a moment; the
    number of ``qty`` values shrinks with them, so a ``qty`` range of 10 still holds about
    100 rows."""

    scale: float = 1.0

    def scaled(self, full: int, least: int = 1) -> int:
        return max(least, round(full * self.scale))

    @property
    def item_rows(self) -> int:
        return self.scaled(10_000, least=100)

    @property
    def qty_values(self) -> int:
        return max(10, self.item_rows // 10)

    @property
    def wide_rows(self) -> int:
        return self.scaled(20_000, least=100)

    chunk_size = 2000
    tags = 50

    @property
    def authors(self) -> int:
        return self.item_rows // 10

    @property
    def books(self) -> int:
        return self.authors * BOOKS_PER_AUTHOR

    def qty_of(self, item_id: int) -> int:
        return item_id % self.qty_values

    def author_of(self, book_id: int) -> int:
        return (book_id - 1) % self.authors + 1

    def tags_of(self, book_id: int) -> tuple[int, int]:
        return (book_id % self.tags + 1, (book_id + 1) % self.tags + 1)
