"""Keyset (cursor) pagination. Hand-written.

A page starts just after (or, walking back, just before) the row that ended the page the
client saw, named by that row's values in the ordering's fields, never by an offset:

    paginator = KeysetPaginator(Book.objects.order_by("-published", "pk"), per_page=50)
    page = await paginator.page(request.query_params.get("cursor"))   # None: the first page
    page.object_list, page.next_cursor, page.previous_cursor

Each page is one query: WHERE the ordering's columns lie beyond the cursor's values, ORDER BY
them, LIMIT per_page + 1 (the extra row says whether another page follows). Reading far into
a table costs what reading its first page does, and rows written between two reads are
neither repeated nor skipped on the pages that follow.

The ordering must be total, so it is made so: when none of its fields is unique, the
primary key is added last, in the last field's direction. Nullable fields are refused: each
database sorts NULL at its own end, and NULL compares to nothing.

A cursor is URL-safe text: JSON of the direction and the boundary row's values, base64
encoded, with a check over that text, the model and the ordering. An edited or garbled
cursor, or one made for another ordering, raises InvalidCursor (an InvalidPage). The check
is keyed with ``secret`` when one is given; without it a client that recomputes the check
can still make a cursor of its own, which only moves where its page starts: the values are
bound as query parameters and parsed by their fields first.
"""

from __future__ import annotations

import base64
import binascii
import collections.abc
import hashlib
import hmac
import json
from dataclasses import dataclass

from teapot.core.exceptions import ValidationError
from teapot.core.paginator import InvalidPage
from teapot.db.models import Field, Q
from teapot.db.models.query import ModelIterable

FORWARD, BACKWARD = "n", "p"


class InvalidCursor(InvalidPage):
    """A cursor this paginator did not make: garbled, edited, or made for another ordering."""


@dataclass(frozen=True)
class Key:
    """One field of the ordering, compared by its column (a foreign key by its id)."""

    field: Field
    descending: bool

    @property
    def column(self) -> str:
        return self.field.attname

    def order_by(self, backward: bool) -> str:
        return ("-" if self.descending != backward else "") + self.column

    def beyond(self, forward: bool) -> str:
        """The lookup for values past the cursor's in the walking direction."""
        return "gt" if self.descending != forward else "lt"


class KeysetPage(collections.abc.Sequence):
    """The rows of one page, read into a list, and the cursors of the pages around it
    (None where there is no such page)."""

    def __init__(self, object_list: list, next_cursor: str | None, previous_cursor: str | None):
        self.object_list = object_list
        self.next_cursor = next_cursor
        self.previous_cursor = previous_cursor

    def __repr__(self):
        return f"<KeysetPage of {len(self.object_list)} objects>"

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_previous(self) -> bool:
        return self.previous_cursor is not None


class KeysetPaginator:
    """Pages of ``per_page`` model instances of ``queryset`` in ``ordering`` (field names,
    "-" for descending; default: the queryset's order_by(), else the model's Meta.ordering,
    else the primary key)."""

    def __init__(self, queryset, per_page: int, *, ordering=None, secret: str | bytes | None = None):
        if queryset.query.is_sliced:
            raise TypeError("KeysetPaginator needs a queryset that is not sliced: it sets the LIMIT itself.")
        if not issubclass(queryset._iterable_class, ModelIterable):
            raise TypeError("KeysetPaginator pages model instances, not values() or values_list() rows.")
        if isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1:
            raise ValueError(f"per_page must be a positive integer, not {per_page!r}.")
        self.per_page = per_page
        self.keys = resolve_keys(queryset.model, ordering_of(queryset) if ordering is None else ordering)
        self.ordering = tuple(key.order_by(backward=False) for key in self.keys)
        self.queryset = queryset
        self._secret = secret.encode() if isinstance(secret, str) else (secret or b"")
        # A cursor is only valid for the model and ordering it was made for.
        self._check_context = f"{queryset.model._meta.label}:{','.join(self.ordering)}\n".encode()

    async def page(self, cursor: str | None = None) -> KeysetPage:
        """The first page, or the one ``cursor`` (a page's next_cursor or previous_cursor) names."""
        if cursor is None:
            forward, boundary = True, None
        else:
            forward, boundary = self.decode(cursor)
        queryset = self.queryset.order_by(*(key.order_by(backward=not forward) for key in self.keys))
        if boundary is not None:
            queryset = queryset.filter(self._beyond(boundary, forward))
        rows = await queryset[: self.per_page + 1]
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not forward:
            rows.reverse()
        if not rows:
            return KeysetPage([], None, None)
        # A page reached through a cursor has the page it came from on the other side.
        has_next = more if forward else True
        has_previous = (boundary is not None) if forward else more
        return KeysetPage(
            rows,
            self.encode(FORWARD, rows[-1]) if has_next else None,
            self.encode(BACKWARD, rows[0]) if has_previous else None,
        )

    def _beyond(self, boundary: list, forward: bool) -> Q:
        """Rows past ``boundary`` in the walking direction: past it in the first field, or equal
        there and past it in the second, and so on."""
        condition = Q()
        equal = {}
        for key, value in zip(self.keys, boundary):
            condition |= Q(**equal, **{f"{key.column}__{key.beyond(forward)}": value})
            equal[key.column] = value
        if len(self.keys) > 1:
            # Redundant, but lets the database start an index range scan at the first column.
            first = self.keys[0]
            condition &= Q(**{f"{first.column}__{first.beyond(forward)}e": boundary[0]})
        return condition

    # -- cursors

    def encode(self, direction: str, row) -> str:
        values = [key.field.value_to_string(row) for key in self.keys]
        body = json.dumps([direction, values], separators=(",", ":")).encode()
        return f"{_b64encode(body)}.{_b64encode(self._check(body))}"

    def decode(self, cursor: str) -> tuple[bool, list]:
        """(forward?, the boundary row's values as Python values) of a cursor, or InvalidCursor."""
        try:
            body_text, check_text = cursor.split(".")
            body, check = _b64decode(body_text), _b64decode(check_text)
        except (AttributeError, TypeError, ValueError, binascii.Error):
            raise InvalidCursor("The cursor is not one this paginator makes.") from None
        if not hmac.compare_digest(check, self._check(body)):
            raise InvalidCursor("The cursor was edited, or made for another ordering or model.")
        try:
            direction, values = json.loads(body)
        except (ValueError, TypeError):
            raise InvalidCursor("The cursor's content is not valid.") from None
        if (
            direction not in (FORWARD, BACKWARD)
            or not isinstance(values, list)
            or len(values) != len(self.keys)
            or not all(isinstance(value, str) for value in values)
        ):
            raise InvalidCursor("The cursor's content is not valid.")
        try:
            return direction == FORWARD, [key.field.to_python(value) for key, value in zip(self.keys, values)]
        except ValidationError as exc:
            raise InvalidCursor(f"The cursor holds a value its field refuses: {exc.messages[0]}") from None

    def _check(self, body: bytes) -> bytes:
        return hmac.new(self._secret, self._check_context + body, hashlib.sha256).digest()[:12]


def ordering_of(queryset) -> list:
    """The ordering a queryset would use: its order_by(), else its model's, else the primary key."""
    if queryset.query.order_by:
        return list(queryset.query.order_by)
    if queryset.query.default_ordering and queryset.model._meta.ordering:
        return list(queryset.model._meta.ordering)
    return ["pk"]


def resolve_keys(model, ordering) -> tuple[Key, ...]:
    """The ordering's fields, checked, with the primary key added when none is unique."""
    keys: list[Key] = []
    for entry in ordering:
        key = _key(model, entry)
        if all(known.column != key.column for known in keys):
            keys.append(key)
    if not any(key.field.unique for key in keys):
        keys.append(_key(model, "-pk" if keys and keys[-1].descending else "pk"))
    return tuple(keys)


def _key(model, entry) -> Key:
    opts = model._meta
    if not isinstance(entry, str) or entry.lstrip("-") in ("", "?") or "__" in entry:
        raise ValueError(
            f"KeysetPaginator orders by {opts.object_name}'s own fields, named as strings "
            f"('name' or '-name'), not {entry!r}."
        )
    descending = entry.startswith("-")
    name = entry[1:] if descending else entry
    field = opts.pk if name == "pk" else opts.get_field(name)
    if not getattr(field, "concrete", False) or field.many_to_many:
        raise ValueError(f"{opts.object_name}.{field.name} is not one column: keyset pagination compares columns.")
    if field.is_relation and name == field.name:
        raise ValueError(
            f"Order by {field.attname!r} (the column) rather than {name!r}: order_by({name!r}) "
            f"sorts by the related model's ordering, which a cursor cannot follow."
        )
    if field.null:
        raise ValueError(
            f"{opts.object_name}.{field.name} is nullable: keyset pagination cannot order by it, as "
            f"databases sort NULL at different ends and NULL compares to no value. Order by a "
            f"NOT NULL field, or paginate the rows with and without a value apart."
        )
    return Key(field, descending)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
