"""A Django database backend for a process whose database work is teapot's. Hand-written.

Creating a Django model class asks the default connection for the longest identifier the
database allows (to shorten long table names), and Django's PostgreSQL and MySQL backends
import their drivers (psycopg, mysqlclient) as they load. A service that reaches the database
through teapot's own drivers need not install those. When ``adapt()`` sets Django up and a
database's backend cannot be loaded, that database gets this backend instead: it knows the
vendor's identifier limit and refuses to connect, saying why.
"""

ENGINE = "teapot.adapter.driverless"
# The settings key that carries the replaced backend's vendor and why it could not load.
VENDOR_KEY = "TEAPOT_DRIVERLESS_VENDOR"
REASON_KEY = "TEAPOT_DRIVERLESS_REASON"

# The last part of a Django ENGINE -> the vendor whose identifier limit applies.
VENDORS = {
    "postgresql": "postgresql",
    "postgis": "postgresql",
    "mysql": "mysql",
    "oracle": "oracle",
    "sqlite3": "sqlite",
    "spatialite": "sqlite",
}


def vendor_of(engine: str) -> str | None:
    return VENDORS.get(engine.rpartition(".")[2])
