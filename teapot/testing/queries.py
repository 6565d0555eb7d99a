"""``assert_num_queries``: the statements every task runs on an alias during a block, counted.
Hand-written.

A teapot connection belongs to its task, so ``CaptureQueriesContext`` (teapot.testing.utils)
sees only the running task's statements. A test's statements also run in other tasks: an
ASGI app's middleware and endpoints, ``teapot.gather()``, tasks the code under test starts.
This counter listens where every task's statements are reported: the ``teapot.db.backends``
logger, which a connection writes each statement to (as Django's does) once ``DEBUG`` is on.
The block turns ``DEBUG`` on, and its records reach the logger's handlers only as far as the
logging configuration already let them through.
"""

from __future__ import annotations

import logging

from teapot.db import DEFAULT_DB_ALIAS
from teapot.testing.utils import override_settings

_logger = logging.getLogger("teapot.db.backends")


class assert_num_queries:
    """``async with assert_num_queries(2):`` (or ``with``) fails with ``AssertionError`` unless
    exactly that many statements ran on ``using`` during the block, in any task of the process;
    the message lists them. BEGIN, COMMIT, ROLLBACK and savepoints count, as in Django's
    ``assertNumQueries``. Nothing is checked when the block raises.

    ``captured_queries`` holds the statements (dicts with ``sql`` and ``time``), also after a
    block that was not checked."""

    def __init__(self, num: int, *, using: str = DEFAULT_DB_ALIAS):
        self.num = num
        self.using = using
        self.captured_queries: list[dict] = []

    def __len__(self):
        return len(self.captured_queries)

    def filter(self, record: logging.LogRecord) -> bool:
        # A logger filter: sees each statement, then lets the record through only if the
        # logger's own level would have (the block lowered it to DEBUG).
        if getattr(record, "alias", None) == self.using and hasattr(record, "sql"):
            params = getattr(record, "params", None)
            sql = record.sql if params is None else f"{record.sql}; args={params!r}"
            self.captured_queries.append({"sql": sql, "time": f"{record.duration:.3f}"})
        return record.levelno >= self._level

    def __enter__(self):
        self.captured_queries = []
        self._level = _logger.getEffectiveLevel()
        self._own_level = _logger.level
        self._debug = override_settings(DEBUG=True)
        self._debug.enable()
        _logger.addFilter(self)
        _logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        _logger.removeFilter(self)
        _logger.setLevel(self._own_level)
        self._debug.disable()
        if exc_type is None:
            self.check()

    async def __aenter__(self):
        return self.__enter__()

    async def __aexit__(self, exc_type, exc_value, traceback):
        self.__exit__(exc_type, exc_value, traceback)

    def check(self):
        executed = len(self.captured_queries)
        if executed != self.num:
            listing = "\n".join(f"{i}. {query['sql']}" for i, query in enumerate(self.captured_queries, 1))
            raise AssertionError(
                f"{executed} queries executed on {self.using!r}, {self.num} expected\n"
                f"Captured queries were:\n{listing or '(none)'}"
            )
