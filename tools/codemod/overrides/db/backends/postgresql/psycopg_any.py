"""Overrides of django.db.backends.postgresql.psycopg_any: the psycopg names, from asyncpg's
adapters (the upstream try/except that imports psycopg is dropped, see rules.toml)."""

from teapot.backends.asyncpg.psycopg_any import Inet, IsolationLevel, Jsonb, errors, is_psycopg3, mogrify, sql  # noqa: F401
