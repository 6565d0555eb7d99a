"""``python -m examples.shop [serve] [--host H] [--port P]``: apply the migrations, seed
sample data into an empty database, and serve the API with uvicorn.
``python -m examples.shop seed``: only migrate and seed (when empty).

Sizes of the sample data: ``SHOP_TENANTS`` (2), ``SHOP_READINGS`` (readings per tenant,
10,000; the wide table has 200 value columns)."""

import argparse
import asyncio
import os
import time

from examples.shop import config


async def prepare() -> None:
    import teapot

    from examples.shop.models import Tenant
    from examples.shop.seed import seed

    try:
        # fake_initial: a database whose tables an earlier version created without migrations
        # adopts them instead of failing on "table exists".
        await teapot.migrate(fake_initial=True, verbosity=1)
        if not await Tenant.objects.aexists():
            started = time.monotonic()
            tenants = int(os.environ.get("SHOP_TENANTS", "2"))
            readings = int(os.environ.get("SHOP_READINGS", "10000"))
            await seed(tenants=tenants, readings=readings)
            print(f"seeded {tenants} tenants with {readings} readings each in {time.monotonic() - started:.1f} s")
    finally:
        await teapot.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.shop")
    parser.add_argument("command", nargs="?", choices=("serve", "seed"), default="serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    config.setup()
    asyncio.run(prepare())
    if args.command == "serve":
        import uvicorn

        print(f"database: {config.database_url()}")
        uvicorn.run("examples.shop.app:app", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
