# Types of teapot.db.models.base for type checkers (hand-written; see README, "Typing").
# What saves, deletes, reloads or validates through the database is a coroutine to await.
#
# Reading a field of an instance gives Any: field values are not typed (see
# fields/__init__.pyi). What Django adds to a model class when it is created (`id`, a
# foreign key's `<name>_id`, reverse relations, `get_<field>_display()`) is Any as well,
# through __getattr__, which exists for type checkers only: declare a reverse relation
# (`books: RelatedManager[Book]`) to have it typed.

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Self

from teapot.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from teapot.db.models.manager import Manager
from teapot.db.models.query import QuerySet

class Deferred: ...

DEFERRED: Deferred

class ModelBase(type):
    def add_to_class(cls, name: str, value: Any) -> None: ...

class ModelState:
    db: str | None
    adding: bool
    fields_cache: dict[str, Any]

class Model(metaclass=ModelBase):
    # Each concrete model class gets its own, from its metaclass.
    DoesNotExist: ClassVar[type[ObjectDoesNotExist]]
    MultipleObjectsReturned: ClassVar[type[MultipleObjectsReturned]]
    # A model that declares no manager gets `objects`; the others have what they declare.
    objects: ClassVar[Manager[Self]]
    _default_manager: ClassVar[Manager[Self]]
    _base_manager: ClassVar[Manager[Self]]
    _meta: ClassVar[Any]
    _state: ModelState
    pk: Any
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
    def __getattr__(self, name: str) -> Any: ...
    @classmethod
    def from_db(cls, db: str | None, field_names: Sequence[str], values: Sequence[Any]) -> Self: ...
    @classmethod
    def check(cls, **kwargs: Any) -> list[Any]: ...
    async def save(
        self,
        *args: Any,
        force_insert: bool | tuple[type[Model], ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None: ...
    async def asave(
        self,
        *args: Any,
        force_insert: bool | tuple[type[Model], ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None: ...
    async def save_base(
        self,
        raw: bool = False,
        force_insert: bool | tuple[type[Model], ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None: ...
    # The number of rows deleted, and that number per model label (cascades included).
    async def delete(self, using: str | None = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]: ...
    async def adelete(self, using: str | None = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]: ...
    async def refresh_from_db(
        self, using: str | None = None, fields: Iterable[str] | None = None, from_queryset: QuerySet[Any] | None = None
    ) -> None: ...
    async def arefresh_from_db(
        self, using: str | None = None, fields: Iterable[str] | None = None, from_queryset: QuerySet[Any] | None = None
    ) -> None: ...
    # Validation raises teapot.core.exceptions.ValidationError; the unique and constraint
    # checks query the database.
    async def full_clean(
        self, exclude: Iterable[str] | None = None, validate_unique: bool = True, validate_constraints: bool = True
    ) -> None: ...
    async def clean_fields(self, exclude: Iterable[str] | None = None) -> None: ...
    async def validate_unique(self, exclude: Iterable[str] | None = None) -> None: ...
    async def validate_constraints(self, exclude: Iterable[str] | None = None) -> None: ...
    def clean(self) -> None: ...
    def get_deferred_fields(self) -> set[str]: ...
    def serializable_value(self, field_name: str) -> Any: ...
    def prepare_database_save(self, field: Any) -> Any: ...
    def get_constraints(self) -> list[tuple[type[Model], list[Any]]]: ...
    def date_error_message(self, lookup_type: str, field_name: str, unique_for: str) -> Any: ...
    def unique_error_message(self, model_class: type[Model], unique_check: Sequence[str]) -> Any: ...

# The other functions and classes the ORM imports from here: not typed.
def __getattr__(name: str) -> Any: ...
