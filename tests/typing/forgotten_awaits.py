"""Mistakes a type checker reports (tests/typing/test_mypy.py): each line marked
``# E: <code>: <part of the message>`` must give that error, and no other line may give one.
Never run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import teapot
from teapot.db import transaction
from tests.database.testapp.models import Author, Book

if TYPE_CHECKING:
    from teapot.db.models.fields.related_descriptors import RelatedManager


async def forgotten_awaits(ann: Author, dune: Book) -> None:
    Author.objects.get(pk=1).name  # E: attr-defined: "Coroutine[Any, Any, Author]" has no attribute "name"
    Author.objects.count() + 1  # E: operator: "Coroutine[Any, Any, int]" and "int"
    total: int = Author.objects.filter(age__gt=20).count()  # E: assignment: expression has type "Coroutine[Any, Any, int]"
    authors: list[Author] = Author.objects.filter(age__gt=20)  # E: assignment: expression has type "QuerySet[Author]"
    Author.objects.first().name  # E: attr-defined: "Coroutine[Any, Any, Author | None]" has no attribute "name"
    ann.save()  # E: unused-coroutine: Value of type "Coroutine[Any, Any, None]" must be used
    dune.delete()  # E: unused-coroutine: must be used
    books: RelatedManager[Book] = ann.books
    books.add(dune)  # E: unused-coroutine: must be used
    teapot.gather(Author.objects.all())[0]  # E: index: "Coroutine[Any, Any, list[Any]]" is not indexable


async def sync_protocols_of_an_unevaluated_queryset() -> None:
    for author in Author.objects.all():  # E: attr-defined: "QuerySet[Author]" has no attribute "__iter__"
        pass
    len(Author.objects.all())  # E: arg-type: "QuerySet[Author]"; expected "Sized"
    Author.objects.all()[0]  # E: index: Invalid index type "int" for "QuerySet[Author]"
    for book in Book.objects.iterator():  # E: attr-defined: "RowStream[Book]" has no attribute "__iter__"
        pass
    await Author.objects  # E: misc: Incompatible types in "await" (actual type "Manager[Author]"
    async for author in Author.objects:  # E: attr-defined: "Manager[Author]" has no attribute "__aiter__"
        pass


async def sync_blocks() -> None:
    with transaction.atomic():  # E: attr-defined: "Atomic" has no attribute "__enter__"
        pass
    with teapot.connection():  # E: attr-defined: has no attribute "__enter__"
        pass


@transaction.atomic  # E: arg-type: Argument 1 to "atomic" has incompatible type "Callable[[Author], None]"
def not_async(author: Author) -> None:
    pass
