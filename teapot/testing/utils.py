"""Test utilities for teapot: settings overrides, isolated app registries, query capture,
warning filters, lookup registration, captured standard streams, a longer ``sys.path`` and a
cleared ``lru_cache``. Hand-written.

Context managers that only change process state (``override_settings``, ``isolate_apps``,
``ignore_warnings``, ``register_lookup``) are plain ``with`` blocks and decorate sync or async
functions and test classes. Those that watch a connection (``CaptureQueriesContext``) are
``async with`` blocks: teapot's connections belong to the running task.
"""

from __future__ import annotations

import functools
import inspect
import sys
import time
import warnings
from contextlib import contextmanager

from teapot.apps import apps as global_apps
from teapot.apps.registry import Apps
from teapot.conf import UserSettingsHolder, settings
from teapot.core.signals import setting_changed
from teapot.db import DEFAULT_DB_ALIAS, connections, reset_queries  # noqa: F401
from teapot.db.models.options import Options

__all__ = [
    "CaptureQueriesContext",
    "TestContextDecorator",
    "captured_stderr",
    "captured_stdin",
    "captured_stdout",
    "extend_sys_path",
    "ignore_warnings",
    "isolate_lru_cache",
    "isolate_apps",
    "modify_settings",
    "override_settings",
    "register_lookup",
    "requires_tz_support",
]

TZ_SUPPORT = hasattr(time, "tzset")


def requires_tz_support(test_func):
    import unittest

    return unittest.skipUnless(TZ_SUPPORT, "This test relies on the ability to run a program in an arbitrary time zone.")(
        test_func
    )


class TestContextDecorator:
    """A context manager that also decorates functions (sync or async) and test classes.

    On a class it is entered around the whole class by the runner (``_teapot_class_contexts``).
    With ``attr_name``/``kwarg_name``, the value ``enable()`` returns is given to the test.
    """

    def __init__(self, attr_name=None, kwarg_name=None):
        self.attr_name = attr_name
        self.kwarg_name = kwarg_name

    def enable(self):
        raise NotImplementedError

    def disable(self):
        raise NotImplementedError

    def __enter__(self):
        return self.enable()

    def __exit__(self, exc_type, exc_value, traceback):
        self.disable()

    def decorate_class(self, cls):
        contexts = list(cls.__dict__.get("_teapot_class_contexts", ()))
        contexts.append(self)
        cls._teapot_class_contexts = contexts
        return cls

    def decorate_callable(self, func):
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def inner(*args, **kwargs):
                with self as context:
                    if self.kwarg_name:
                        kwargs[self.kwarg_name] = context
                    return await func(*args, **kwargs)

        else:

            @functools.wraps(func)
            def inner(*args, **kwargs):
                with self as context:
                    if self.kwarg_name:
                        kwargs[self.kwarg_name] = context
                    return func(*args, **kwargs)

        return inner

    def __call__(self, decorated):
        if isinstance(decorated, type):
            return self.decorate_class(decorated)
        if callable(decorated):
            return self.decorate_callable(decorated)
        raise TypeError(f"Cannot decorate object of type {type(decorated)}")


def _settings_changed(setting, value, enter):
    for key in [setting] if isinstance(setting, str) else setting:
        setting_changed.send(sender=settings._wrapped.__class__, setting=key, value=value, enter=enter)
        _on_setting_changed(key)


def _on_setting_changed(setting):
    """What changes with a setting in teapot's caches (connections' time zones, routers)."""
    if setting in ("TIME_ZONE", "USE_TZ"):
        from teapot.utils import timezone

        timezone.get_default_timezone.cache_clear()
        for conn in connections.all(initialized_only=True):
            for attr in ("timezone", "timezone_name"):
                conn.__dict__.pop(attr, None)
        for alias in connections:
            connections.settings[alias].setdefault("TIME_ZONE", None)
    elif setting == "DATABASE_ROUTERS":
        from teapot.db import router
        from teapot.db.utils import ConnectionRouter

        # The router keeps the list it first read from the settings: a fresh one reads them now.
        router.routers = ConnectionRouter().routers
    elif setting == "INSTALLED_APPS":
        pass


class override_settings(TestContextDecorator):
    """Settings changed for a block, a function or a test class."""

    def __init__(self, **kwargs):
        self.options = kwargs
        super().__init__()

    def enable(self):
        if "INSTALLED_APPS" in self.options:
            try:
                global_apps.set_installed_apps(self.options["INSTALLED_APPS"])
            except Exception:
                # An app that does not import must not leave the registry half populated
                # (not ready) for every test after this one.
                global_apps.unset_installed_apps()
                raise
        override = UserSettingsHolder(settings._wrapped)
        for key, value in self.options.items():
            setattr(override, key, value)
        self.wrapped = settings._wrapped
        settings._wrapped = override
        for key, value in self.options.items():
            _settings_changed(key, value, True)

    def disable(self):
        if "INSTALLED_APPS" in self.options:
            global_apps.unset_installed_apps()
        settings._wrapped = self.wrapped
        del self.wrapped
        for key in self.options:
            _settings_changed(key, getattr(settings, key, None), False)


class modify_settings(override_settings):
    """Append, prepend or remove items of list settings."""

    def __init__(self, *args, **kwargs):
        if args:
            self.operations = args[0]
        else:
            self.operations = list(kwargs.items())
        TestContextDecorator.__init__(self)

    def enable(self):
        self.options = {}
        for name, operations in self.operations:
            value = list(getattr(settings, name, []))
            for action, items in operations.items():
                if isinstance(items, str):
                    items = [items]
                if action == "append":
                    value += [item for item in items if item not in value]
                elif action == "prepend":
                    value = [item for item in items if item not in value] + value
                elif action == "remove":
                    value = [item for item in value if item not in items]
                else:
                    raise ValueError(f"Unsupported action: {action}")
            self.options[name] = value
        super().enable()


class isolate_apps(TestContextDecorator):
    """Models defined in the block go to a registry of their own, not teapot's."""

    def __init__(self, *installed_apps, **kwargs):
        self.installed_apps = installed_apps
        super().__init__(**kwargs)

    def enable(self):
        self.old_apps = Options.default_apps
        apps = Apps(self.installed_apps)
        Options.default_apps = apps
        return apps

    def disable(self):
        Options.default_apps = self.old_apps

    def decorate_class(self, cls):
        # As in Django: a registry per test, made before setUp and dropped by a cleanup, so
        # models a test defines do not meet those of the next (and attr_name reaches the test).
        outer = self
        decorated_setUp = cls.setUp

        def enter(test):
            context = outer.enable()
            test.addCleanup(outer.disable)
            if outer.attr_name is not None:
                setattr(test, outer.attr_name, context)

        if inspect.iscoroutinefunction(decorated_setUp):

            @functools.wraps(decorated_setUp)
            async def setUp(test):
                enter(test)
                await decorated_setUp(test)

        else:

            @functools.wraps(decorated_setUp)
            def setUp(test):
                enter(test)
                return decorated_setUp(test)

        cls.setUp = setUp
        return cls

    def decorate_callable(self, func):
        if self.attr_name and not self.kwarg_name:
            # Given to the test as an attribute of the test case.
            outer = self

            if inspect.iscoroutinefunction(func):

                @functools.wraps(func)
                async def inner(test, *args, **kwargs):
                    with outer as apps:
                        setattr(test, outer.attr_name, apps)
                        return await func(test, *args, **kwargs)

            else:

                @functools.wraps(func)
                def inner(test, *args, **kwargs):
                    with outer as apps:
                        setattr(test, outer.attr_name, apps)
                        return func(test, *args, **kwargs)

            return inner
        return super().decorate_callable(func)


class ignore_warnings(TestContextDecorator):
    def __init__(self, **kwargs):
        self.ignore_kwargs = kwargs
        self.filter_func = warnings.filterwarnings if "message" in kwargs or "module" in kwargs else warnings.simplefilter
        super().__init__()

    def enable(self):
        self.catch_warnings = warnings.catch_warnings()
        self.catch_warnings.__enter__()
        self.filter_func("ignore", **self.ignore_kwargs)

    def disable(self):
        self.catch_warnings.__exit__(*sys.exc_info())


@contextmanager
def register_lookup(field, *lookups, lookup_name=None):
    """Register lookups on a field class for the block."""
    try:
        for lookup in lookups:
            field.register_lookup(lookup, lookup_name)
        yield
    finally:
        for lookup in lookups:
            field._unregister_lookup(lookup, lookup_name)


class CaptureQueriesContext:
    """``async with CaptureQueriesContext(connection) as ctx:`` records the queries the
    running task's connection of that alias runs in the block."""

    def __init__(self, connection):
        self.connection = connection

    def __iter__(self):
        return iter(self.captured_queries)

    def __getitem__(self, index):
        return self.captured_queries[index]

    def __len__(self):
        return len(self.captured_queries)

    @property
    def captured_queries(self):
        return self.connection.queries[self.initial_queries : self.final_queries]

    async def __aenter__(self):
        self.force_debug_cursor = self.connection.force_debug_cursor
        self.connection.force_debug_cursor = True
        await self.connection.ensure_connection()
        self.initial_queries = len(self.connection.queries_log)
        self.final_queries = None
        return self

    async def __aexit__(self, exc_type, exc_value, traceback):
        self.connection.force_debug_cursor = self.force_debug_cursor
        if exc_type is not None:
            return
        self.final_queries = len(self.connection.queries_log)


class Approximate:
    """Equal to numbers within ``places`` decimal places of ``val``."""

    def __init__(self, val, places=7):
        self.val = val
        self.places = places

    def __repr__(self):
        return repr(self.val)

    def __eq__(self, other):
        return self.val == other or round(abs(self.val - other), self.places) == 0


def garbage_collect():
    import gc

    gc.collect()
    if sys.implementation.name == "pypy":  # pragma: no cover
        gc.collect()


@contextmanager
def captured_output(stream_name):
    """Swap ``sys.<stream_name>`` for a StringIO while the block runs; yields the StringIO."""
    import io

    original = getattr(sys, stream_name)
    setattr(sys, stream_name, io.StringIO())
    try:
        yield getattr(sys, stream_name)
    finally:
        setattr(sys, stream_name, original)


def captured_stdout():
    """``with captured_stdout() as out: ...; out.getvalue()``."""
    return captured_output("stdout")


def captured_stderr():
    return captured_output("stderr")


def captured_stdin():
    return captured_output("stdin")


@contextmanager
def extend_sys_path(*paths):
    """Put ``paths`` at the end of ``sys.path`` for the block, then restore it."""
    saved = sys.path[:]
    sys.path.extend(paths)
    try:
        yield
    finally:
        sys.path = saved


@contextmanager
def isolate_lru_cache(cached_function):
    """Clear an ``lru_cache``-wrapped function's cache before and after the block."""
    cached_function.cache_clear()
    try:
        yield
    finally:
        cached_function.cache_clear()
