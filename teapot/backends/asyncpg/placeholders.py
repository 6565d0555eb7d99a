"""Django's ``%s`` placeholders as PostgreSQL's ``$n``.

Django writes SQL with pyformat placeholders (``%s``, ``%(name)s`` in ``raw()``) and ``%%`` for
a literal percent sign (also inside its string literals: ``LIKE '%%' || ...``); asyncpg speaks
the server's ``$1, $2, ...``. The scan skips string literals (``'...'``, ``E'...'``), quoted
identifiers, dollar-quoted strings and comments: a ``%s`` there is text, not a placeholder.
Translations are cached per SQL text.

Typing: psycopg (Django's driver) sends numbers, booleans, dates, times, intervals and UUIDs
with their type (as typed literals, or with their type's OID on server-side binding); only text
is left for the server to infer. asyncpg prepares with every parameter untyped, and where
nothing around a placeholder types it (``CASE WHEN ... THEN %s``, a ``SELECT %s`` under a UNION)
the server infers text. ``typed`` writes the cast of each parameter's Python type after its
placeholder, as psycopg would type it.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from functools import lru_cache
from typing import NamedTuple

from .dbapi import ProgrammingError

# PostgreSQL's limit on the number of parameters of one statement (a 16-bit count).
MAX_PARAMETERS = 32767

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$")
_NAMED = re.compile(r"%\(([^)]*)\)s")


class PlaceholderError(ProgrammingError):
    """The SQL's placeholders are malformed or do not match the parameters."""


class Translation(NamedTuple):
    text: str  # the SQL with $n placeholders
    pieces: tuple[str, ...]  # the SQL between placeholders (one more than ``numbers``)
    numbers: tuple[int, ...]  # the parameter number of each placeholder, from 1
    shape: tuple[str, ...] | int  # the placeholder count for %s; the names for %(name)s
    several: bool  # more than one statement (a ';' outside quotes with SQL after it)

    def typed(self, casts: tuple, mapping: tuple | None = None) -> str:
        """The SQL with ``$n::type`` for each parameter whose cast (by number) is not None;
        ``mapping`` renumbers the parameters (``mapping[n - 1]`` is the new number of $n)."""
        if not any(casts):
            return self.text
        return _typed(self, casts, mapping)

    def typed_bind(self, args: list) -> tuple[str, list]:
        """The typed SQL and its arguments, typed parameters of equal values sent once: Django
        writes an expression's parameters again where it repeats the expression (GROUP BY),
        and the server takes ``$1`` and ``$2`` for different expressions where psycopg's
        literals were the same."""
        casts = casts_of(args)
        if not any(casts):
            return self.text, args
        seen: dict = {}
        mapping = []
        shared = []
        for value, cast in zip(args, casts):
            key = (cast, type(value), repr(value)) if cast else object()
            if key not in seen:
                seen[key] = len(shared) + 1
                shared.append(value)
            mapping.append(seen[key])
        if len(shared) == len(args):
            return _typed(self, casts, None), args
        return _typed(self, casts, tuple(mapping)), shared

    def join(self, literals: list[str]) -> str:
        """The SQL with each placeholder replaced by the literal of its parameter."""
        out = [self.pieces[0]]
        for number, piece in zip(self.numbers, self.pieces[1:]):
            out.append(literals[number - 1])
            out.append(piece)
        return "".join(out)


@lru_cache(maxsize=2048)
def _typed(translation: Translation, casts: tuple, mapping: tuple | None) -> str:
    out = [translation.pieces[0]]
    for number, piece in zip(translation.numbers, translation.pieces[1:]):
        cast = casts[number - 1]
        new = mapping[number - 1] if mapping else number
        out.append(f"(${new}::{cast})" if cast else f"${new}")
        out.append(piece)
    return "".join(out)


_INT4 = 2**31
_INT8 = 2**63


def cast_of(value) -> str | None:
    """The type psycopg gives ``value``, or None where the server is left to infer it (text,
    bytes, arrays, None)."""
    kind = type(value)
    if kind is bool:
        return "boolean"
    if kind is int:
        return "int4" if -_INT4 <= value < _INT4 else "int8" if -_INT8 <= value < _INT8 else "numeric"
    if kind is float:
        return "float8"
    if kind is decimal.Decimal:
        return "numeric"
    if kind is datetime.datetime:
        return "timestamp" if value.tzinfo is None else "timestamptz"
    if kind is datetime.date:
        return "date"
    if kind is datetime.time:
        return "time" if value.tzinfo is None else None
    if kind is datetime.timedelta:
        return "interval"
    if kind is uuid.UUID:
        return "uuid"
    if kind.__name__ == "Jsonb" and kind.__module__ == __package__ + ".literals":  # (literals imports this module)
        return "jsonb"
    return None


def casts_of(args) -> tuple:
    return tuple(cast_of(a) for a in args)


@lru_cache(maxsize=2048)
def translate(sql: str, placeholders: bool = True) -> Translation:
    """Scan ``sql`` once; the result is cached per SQL text. With ``placeholders=False`` (no
    parameters: upstream does no interpolation) every ``%`` is literal text."""
    out: list[str] = []
    pieces: list[str] = []
    numbers: list[int] = []
    positional = 0
    names: dict[str, int] = {}
    last_semicolon = -1
    i = 0
    n = len(sql)
    start = 0
    while i < n:
        c = sql[i]
        if c == "%" and placeholders:
            nxt = sql[i + 1 : i + 2]
            if nxt == "%":
                out.append(sql[start:i + 1])
                i += 2
                start = i
                continue
            if nxt == "s":
                if names:
                    raise PlaceholderError("SQL mixes %s and %(name)s placeholders")
                positional += 1
                out.append(sql[start:i])
                pieces.append("".join(out))
                numbers.append(positional)
                out = []
                i += 2
                start = i
                continue
            named = _NAMED.match(sql, i)
            if named:
                if positional:
                    raise PlaceholderError("SQL mixes %s and %(name)s placeholders")
                number = names.setdefault(named.group(1), len(names) + 1)
                out.append(sql[start:i])
                pieces.append("".join(out))
                numbers.append(number)
                out = []
                i = named.end()
                start = i
                continue
            raise PlaceholderError(f"unsupported format character {sql[i:i + 2]!r} at index {i}: write %% for a literal %")
        if c == "'":
            # E'...' strings take backslash escapes; plain ones only double quotes.
            backslashes = i > 0 and sql[i - 1] in "eE" and (i == 1 or not (sql[i - 2].isalnum() or sql[i - 2] == "_"))
            end = _skip_quoted(sql, i, "'", backslashes)
        elif c == '"':
            end = _skip_quoted(sql, i, '"', False)
        elif c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end + 1
        elif c == "/" and sql.startswith("/*", i):
            end = _skip_block_comment(sql, i)
        elif c == "$" and (tag := _DOLLAR_TAG.match(sql, i)) and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            close = sql.find(tag.group(0), tag.end())
            if close < 0:
                raise PlaceholderError(f"unterminated dollar-quoted string at index {i}")
            end = close + len(tag.group(0))
        else:
            if c == ";":
                last_semicolon = i
            i += 1
            continue
        # Text, not placeholders; but %% still means % there, as it does for psycopg.
        out.append(sql[start:i])
        out.append(sql[i:end].replace("%%", "%"))
        i = start = end
    out.append(sql[start:])
    pieces.append("".join(out))
    text = pieces[0] + "".join(f"${number}{piece}" for number, piece in zip(numbers, pieces[1:]))
    several = last_semicolon >= 0 and bool(sql[last_semicolon + 1 :].strip())
    return Translation(text, tuple(pieces), tuple(numbers), tuple(names) if names else positional, several)


def _skip_quoted(sql: str, i: int, quote: str, backslashes: bool) -> int:
    j = i + 1
    n = len(sql)
    while j < n:
        c = sql[j]
        if backslashes and c == "\\":
            j += 2
            continue
        if c == quote:
            if sql[j + 1 : j + 2] == quote:  # doubled quote
                j += 2
                continue
            return j + 1
        j += 1
    raise PlaceholderError(f"unterminated {'string' if quote == chr(39) else 'identifier'} starting at index {i}")


def _skip_block_comment(sql: str, i: int) -> int:
    depth = 0
    j = i
    n = len(sql)
    while j < n:
        if sql.startswith("/*", j):
            depth += 1
            j += 2
        elif sql.startswith("*/", j):
            depth -= 1
            j += 2
            if depth == 0:
                return j
        else:
            j += 1
    raise PlaceholderError(f"unterminated comment starting at index {i}")


def bind(sql: str, params) -> tuple[Translation | None, list]:
    """Translate ``sql`` and order ``params`` (a sequence, or a mapping for ``%(name)s``) to
    match. ``params=None`` means no interpolation at all (``%`` is literal): no translation."""
    if params is None:
        return None, []
    translation = translate(sql)
    shape = translation.shape
    if isinstance(shape, tuple):
        if not hasattr(params, "keys"):
            raise PlaceholderError("SQL uses %(name)s placeholders: pass the parameters as a mapping")
        missing = [name for name in shape if name not in params]
        if missing:
            raise PlaceholderError(f"no parameter for %({missing[0]})s")
        args = [params[name] for name in shape]
    else:
        if hasattr(params, "keys"):
            if shape:
                raise PlaceholderError("SQL uses %s placeholders: pass the parameters as a sequence")
            args = []
        else:
            args = list(params)
            if len(args) != shape:
                raise PlaceholderError(f"the SQL has {shape} placeholders but {len(args)} parameters were given")
    return translation, args
