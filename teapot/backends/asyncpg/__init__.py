"""PostgreSQL backend on asyncpg (ENGINE ``teapot.backends.asyncpg``)."""
