"""A small multi-tenant shop served by FastAPI on teapot: tenants, customers, orders with
their lines, keyset-paginated lists, per-tenant aggregates, and wide tables streamed to the
client as NDJSON or over a WebSocket. See README.md in this folder."""
