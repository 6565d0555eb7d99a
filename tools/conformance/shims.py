"""Helpers that the tests transformed to async call where Django's tests rely on a sync
protocol doing I/O. Private to the conformance tool: the transformed modules import them
(rules/import_helpers.py), and the worker runs them with the repository root on sys.path.
Each helper leaves other values alone."""

from __future__ import annotations

import inspect

from teapot.errors import AwaitRequired

__all__ = [
    "TaskEvent", "TaskThread", "TaskTimer", "UnavailableError", "aw", "coroutine_mock", "coroutine_side_effect", "ecall",
    "ev", "ev_item", "event_wait", "field_value", "has", "lazy_object", "load", "loaded_count", "rendered", "task_sleep",
    "thread_join", "unavailable",
]


def _awaitable_mock_class():
    from unittest import mock

    class AwaitableMagicMock(mock.MagicMock):
        """A ``MagicMock`` that may also be awaited (to itself), as may what it returns: the
        code teapot runs with it awaits where Django's calls it."""

        def __await__(self):
            return self
            yield  # a generator: the await ends at once

    return AwaitableMagicMock


def coroutine_mock(**kwargs):
    """What ``mock.patch()`` puts in place of a teapot coroutine function: an ``AsyncMock``
    (calls recorded, awaitable) whose awaited result answers like the ``MagicMock`` the sync
    function Django's test patches returns, its calls' results awaitable too."""
    from unittest import mock

    mocked = mock.AsyncMock(**kwargs)
    if "return_value" not in kwargs:
        mocked.return_value = _awaitable_mock_class()()
    return mocked


def coroutine_side_effect(effect):
    """The ``side_effect`` of a mock put in place of a teapot coroutine function: a sync
    function's result is awaited when it is awaitable (Django's side effect calls the
    original, a coroutine in teapot), as the mock awaits an async side effect itself.
    Exceptions, iterables and async functions are given back as they are."""
    if (
        not callable(effect)
        or inspect.iscoroutinefunction(effect)
        or isinstance(effect, BaseException)
        or (isinstance(effect, type) and issubclass(effect, BaseException))
    ):
        return effect

    async def call(*args, **kwargs):
        result = effect(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    return call


def _querysets():
    from teapot.db.models.query import QuerySet, RawQuerySet

    return QuerySet, RawQuerySet


async def aw(value):
    """The awaited result of a call whose name is a coroutine method of teapot (``get``,
    ``update``, ``add``, ...) and also a method of other types (``dict.get``, ``set.add``):
    awaited when it is an awaitable that is not a queryset."""
    if inspect.isawaitable(value) and not isinstance(value, _querysets()):
        return await value
    return value


async def ev(value):
    """A queryset evaluated (a list of its results), for iteration, ``len()``, ``list()``,
    ``in`` and assertions on it; anything else as it is."""
    querysets = _querysets()
    if isinstance(value, querysets[0]):
        if value._result_cache is None or (value._prefetch_related_lookups and not value._prefetch_done):
            await value
        return value
    if isinstance(value, querysets[1]) or (
        not isinstance(value, type) and hasattr(value, "__aiter__") and not hasattr(value, "__iter__")
    ):  # an async iterable (not a class that defines __aiter__)
        return [item async for item in value]
    return value


async def ev_item(value, index):
    """``value[index]``; on an unevaluated queryset, the query for that one row; a slice of
    a queryset stays lazy unless it has a step (Django runs the query for that one); a raw
    queryset is run."""
    querysets = _querysets()
    if isinstance(index, slice) and isinstance(value, querysets[0]) and value._result_cache is None:
        if index.step is None:
            return value[index]  # a lazy slice
        await value
    elif isinstance(value, querysets[0]) and not isinstance(index, slice) and value._result_cache is None:
        if isinstance(index, int) and index >= 0:
            rows = await value[index : index + 1]
            if not rows:
                raise IndexError("list index out of range")
            return rows[0]
        await value
    elif isinstance(value, querysets[1]):
        return [item async for item in value][index]
    return value[index]


async def lazy_object(factory):
    """``SimpleLazyObject(factory)`` whose value is read now, awaited when it is awaitable (a
    query): teapot uses the lazy object in sync code, which could not await it."""
    from teapot.utils.functional import SimpleLazyObject

    value = factory()
    if inspect.isawaitable(value) and not isinstance(value, _querysets()):
        value = await value
    return SimpleLazyObject(lambda: value)


async def load(obj, name):
    """``obj.name``, loading a relation or a deferred field that is not loaded yet (what
    Django does behind a lazy attribute access)."""
    try:
        return getattr(obj, name)
    except AwaitRequired:
        pass
    meta = getattr(obj, "_meta", None)
    field = None
    if meta is not None:
        try:
            field = meta.get_field(name)
        except Exception:
            field = next((f for f in meta.concrete_fields if f.attname == name), None)
    if field is not None and getattr(field, "concrete", False) and not field.is_relation:
        await obj.refresh_from_db(fields=[field.attname])
    elif field is not None and field.is_relation and field.concrete and not field.many_to_many and name == field.name:
        if field.attname in obj.get_deferred_fields():
            await obj.refresh_from_db(fields=[field.attname])
            try:
                return getattr(obj, name)
            except AwaitRequired:
                pass
        # What Django's attribute read runs: a get() by the key's value as the instance holds
        # it (a prefetch would not match a key given as a string to its integer row).
        descriptor = getattr(type(obj), name, None)
        if not hasattr(descriptor, "get_object"):
            from teapot.db.models import prefetch_related_objects

            await prefetch_related_objects([obj], name)
        else:
            rel_obj = None
            if None not in field.get_local_related_value(obj):
                rel_obj = await descriptor.get_object(obj)
                if not field.remote_field.multiple:
                    field.remote_field.set_cached_value(rel_obj, obj)
            field.set_cached_value(obj, rel_obj)
    elif field is not None and field.is_relation and field.concrete and name in obj.get_deferred_fields():
        await obj.refresh_from_db(fields=[field.attname])
    else:
        from teapot.db.models import prefetch_related_objects

        await prefetch_related_objects([obj], name)
    return getattr(obj, name)


def loaded_count(value):
    """``value.count()`` in code that stays sync: the number of rows a queryset (or a
    manager's ``all()``, a prefetched relation's) holds already, as Django's count() gives
    without a query; an unevaluated one raises AwaitRequired, where Django would query."""
    queryset = _querysets()[0]
    if not isinstance(value, queryset) and hasattr(value, "get_queryset"):
        value = value.all()
    if isinstance(value, queryset):
        return len(value)
    return value.count()


# Relations and deferred fields one rendering may read (an object's __str__ and those of the
# objects it names): a bound, so that a __str__ that keeps failing is reported.
MAX_LOADS_PER_RENDERING = 20


async def rendered(render, obj):
    """``render(obj)`` (``repr``, ``str``), loading each relation or deferred field it reads that
    is not loaded and rendering again: Django loads them as ``__str__`` reads them."""
    for _ in range(MAX_LOADS_PER_RENDERING):
        try:
            return render(obj)
        except AwaitRequired as missing:
            if missing.instance is None:
                raise
            await load(missing.instance, missing.attribute)
    return render(obj)


async def field_value(field, obj):
    """``field.value_from_object(obj)``. For a many-to-many field whose objects are not
    prefetched, the related objects are read with a query, as Django's call does, and left
    out of the instance's caches (a later call reads them again, as in Django)."""
    try:
        return field.value_from_object(obj)
    except AwaitRequired:
        if not getattr(field, "many_to_many", False):
            raise
    return [item async for item in getattr(obj, field.attname).all()]


async def form_errors(obj):
    """``obj.errors``. A bound form or formset not validated yet is validated first (awaited),
    as Django's property does on first read; other objects' ``errors`` are read as they are."""
    if getattr(obj, "is_bound", False) and getattr(obj, "_errors", False) is None and hasattr(obj, "full_clean"):
        await obj.full_clean()
    return obj.errors


async def has(obj, name):
    """``hasattr(obj, name)``, loading a relation first (a reverse one-to-one without a row
    is absent)."""
    from teapot.core.exceptions import ObjectDoesNotExist

    try:
        await load(obj, name)
    except (AttributeError, ObjectDoesNotExist):
        return False
    return True


async def enext(iterator):
    """For ``next(iterator, *default)``, which becomes ``next(await enext(iterator),
    *default)``: an async iterator (a deserializer, a row stream) is stepped here and gives an
    iterator over its next item, or an empty one at its end, so that next() in the test
    raises StopIteration or gives the default there (a coroutine cannot raise
    StopIteration); any other value is given back as it is."""
    if hasattr(iterator, "__anext__") and not hasattr(iterator, "__next__"):
        try:
            item = await iterator.__anext__()
        except StopAsyncIteration:
            return iter(())
        return iter((item,))
    return iterator


async def ecall(func, *args):
    """``func(*args)`` with querysets among ``args`` evaluated first: a lambda's
    ``list(qs)`` becomes ``ecall(list, qs)``, an awaitable its caller awaits."""
    return func(*[await ev(arg) for arg in args])


class UnavailableError(RuntimeError):
    """A test used something from a part of Django that teapot does not have."""


class _Unavailable:
    """Stands for ``name``, which teapot lacks: any use raises UnavailableError. Its
    attributes (``forms.Form``) and the result of calling it with arguments
    (``@decorator(args)``, ``forms.CharField()`` in a class body) are stand-ins too; given a
    function or a class (as a decorator) it gives one that raises when called or set up; as a
    base class it gives a class that raises when set up or instantiated."""

    __slots__ = ("_name", "_module")

    def __init__(self, name, module=None):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", module or name.rsplit(".", 1)[0])

    def _fail(self, *args, **kwargs):
        name = object.__getattribute__(self, "_name")
        module = object.__getattribute__(self, "_module")
        raise UnavailableError(f"{name} is not available: teapot has no {module}")

    def __call__(self, *args, **kwargs):
        name = object.__getattribute__(self, "_name")
        if len(args) == 1 and not kwargs and (inspect.isfunction(args[0]) or isinstance(args[0], type)):
            return _unavailable_wrap(name, args[0], self._fail)
        return _Unavailable(f"{name}(...)", object.__getattribute__(self, "_module"))

    def __mro_entries__(self, bases):
        fail = self._fail

        class Base:
            def __init__(self, *args, **kwargs):
                fail()

            @classmethod
            def setUpClass(cls):
                fail()

        Base.__name__ = Base.__qualname__ = object.__getattribute__(self, "_name").rsplit(".", 1)[-1]
        return (Base,)

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _Unavailable(f"{object.__getattribute__(self, '_name')}.{attr}", object.__getattribute__(self, "_module"))

    def __setattr__(self, attr, value):
        self._fail()

    def __repr__(self):
        return f"<unavailable {object.__getattribute__(self, '_name')}>"

    __iter__ = __len__ = __bool__ = __enter__ = __aenter__ = __getitem__ = __eq__ = __hash__ = _fail
    __str__ = __int__ = __contains__ = _fail


def _unavailable_wrap(name, target, fail):
    import functools

    if isinstance(target, type):
        # A decorated test class: each test errors.
        def setUpClass(cls):
            fail()

        target.setUpClass = classmethod(setUpClass)
        return target

    @functools.wraps(target)
    def wrapper(*args, **kwargs):
        fail()

    return wrapper


def unavailable(name, module=None):
    """A stand-in for ``name`` (a dotted Django name teapot lacks, from ``module``: by
    default the name's parent) that raises UnavailableError when used."""
    return _Unavailable(name, module)


# -- threads as tasks (rules/threads_as_tasks.py)
#
# A Django test that starts a thread to get a second database connection (a lock held by one
# connection, a statement of another that blocks on it) runs the thread's target as a task of
# the test's event loop: teapot gives each task its own leases, as Django gives each thread its
# own connection. What would block a thread (sleep, join, an event's wait) is awaited, so the
# other task runs meanwhile.


class TaskThread:
    """``threading.Thread`` whose target runs as a task: start() schedules it, ``await
    thread_join(thread)`` waits for it. As in a thread, an exception of the target is printed,
    not raised in the code that joins it."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs or {})
        self.name = name
        self.daemon = daemon
        self._task = None

    def start(self):
        import asyncio

        if self._task is not None:
            raise RuntimeError("threads can only be started once")
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        import sys
        import traceback

        try:
            if self._target is not None:
                result = self._target(*self._args, **self._kwargs)
                if inspect.isawaitable(result):
                    await result
        except BaseException:  # a thread's exception goes to stderr, as threading.excepthook does
            traceback.print_exc(file=sys.stderr)

    def is_alive(self):
        return self._task is not None and not self._task.done()


async def thread_join(thread, timeout=None):
    """``thread.join(timeout)`` for a TaskThread (any other object's join() is called)."""
    import asyncio

    if not isinstance(thread, TaskThread):
        return thread.join() if timeout is None else thread.join(timeout)
    if thread._task is None:
        raise RuntimeError("cannot join thread before it is started")
    await asyncio.wait([thread._task], timeout=timeout)


def _asyncio_event():
    import asyncio

    return asyncio.Event


class TaskEvent:
    """``threading.Event`` for tasks: set(), clear() and is_set() as there; waiting is ``await
    event_wait(event, timeout)``."""

    def __init__(self):
        self._event = _asyncio_event()()

    def set(self):
        self._event.set()

    def clear(self):
        self._event.clear()

    def is_set(self):
        return self._event.is_set()


async def event_wait(event, timeout=None):
    """``event.wait(timeout)`` for a TaskEvent: True once it is set, False after ``timeout``."""
    import asyncio

    if not isinstance(event, TaskEvent):
        return event.wait() if timeout is None else event.wait(timeout)
    try:
        await asyncio.wait_for(event._event.wait(), timeout)
    except asyncio.TimeoutError:
        return event.is_set()
    return True


class TaskTimer:
    """``threading.Timer``: ``function(*args, **kwargs)`` after ``interval`` seconds, on the
    event loop; cancel() before then stops it."""

    def __init__(self, interval, function, args=None, kwargs=None):
        self.interval = interval
        self.function = function
        self.args = tuple(args or ())
        self.kwargs = dict(kwargs or {})
        self._handle = None

    def start(self):
        import asyncio

        self._handle = asyncio.get_running_loop().call_later(self.interval, lambda: self.function(*self.args, **self.kwargs))

    def cancel(self):
        if self._handle is not None:
            self._handle.cancel()


async def task_sleep(seconds):
    """``time.sleep(seconds)`` that lets the other tasks run meanwhile."""
    import asyncio

    await asyncio.sleep(seconds)
