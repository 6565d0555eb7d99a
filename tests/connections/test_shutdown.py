"""A program that ends with asyncio.run() leaves nothing behind: no "Event loop is closed",
no ResourceWarning, no driver thread keeping the process alive, whether or not it awaited
teapot.close(). Reliability plan item 16, in a fresh interpreter on each database."""

import subprocess
import sys
import textwrap

import pytest

from tests.database.harness import DATABASE
from tests.database.databases import URLS

PROGRAM = textwrap.dedent(
    """
    import asyncio, gc, sys
    import teapot

    teapot.setup({url!r})

    async def query(n):
        from teapot.db import connection
        async with connection.cursor() as cursor:
            await cursor.execute("SELECT 1 + %s", [n])
            return (await cursor.fetchone())[0]

    async def main():
        got = await asyncio.gather(*(query(n) for n in range(5)))
        assert got == list(range(1, 6)), got
        assert await query(7) == 8  # this task still holds a connection at the end
        async def interrupted():
            await query(1)
            await asyncio.sleep(30)
        asyncio.get_running_loop().create_task(interrupted())  # cancelled by asyncio.run
        await asyncio.sleep(0.1)
        if {close}:
            await teapot.close()

    asyncio.run(main())
    gc.collect()
    print("finished")
    """
)


@pytest.mark.parametrize("close", [True, False], ids=["teapot.close()", "forgotten"])
def test_shutdown_clean(close):
    program = PROGRAM.format(url=URLS[DATABASE], close=close)
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", program],
        capture_output=True,
        text=True,
        timeout=60,  # a driver thread left running would keep the process alive
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "finished"
    assert result.stderr == ""  # -W always shows ResourceWarnings; loop errors are logged


UNPOOLED = textwrap.dedent(
    """
    import asyncio
    import teapot

    teapot.setup({url!r})

    async def main():
        from teapot.db import connection
        other = connection.copy()  # a wrapper of its own, outside the pool, never closed
        async with other.cursor() as cursor:
            await cursor.execute("SELECT 1")
        leaked.append(other)

    leaked = []
    asyncio.run(main())
    print("finished")
    """
)


def test_unclosed_wrapper_does_not_keep_the_process_alive():
    result = subprocess.run(
        [sys.executable, "-c", UNPOOLED.format(url=URLS[DATABASE])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "finished"
