"""The transformed tests await the coroutine methods of a connection's creation object
(Django's backends tests serialize and restore a database with them)."""

import textwrap

from tools.conformance import names
from tools.conformance.rules._base import Context
from tools.conformance.transform import transform_source


def test_creation_coroutines_are_awaited_names():
    found = names.backend_coroutine_names()
    for name in ("serialize_db_to_string", "deserialize_db_from_string", "create_test_db", "destroy_test_db"):
        assert name in found
    # ... and the private ones Django's backends tests call, the vendors' classes' included.
    for name in ("_create_test_db", "_execute_create_test_db", "_configure_connection", "_close"):
        assert name in found


def test_serialize_db_to_string_call_is_awaited():
    context = Context(
        coroutines=names.coroutine_names(),
        ambiguous=names.ambiguous_names(),
        model_attrs=frozenset(),
        upstream_path="backends/tests.py",
        version="5.2.19",
    )
    source = textwrap.dedent(
        """\
        from django.db import connection
        from django.test import TestCase

        class T(TestCase):
            def test_it(self):
                data = connection.creation.serialize_db_to_string()
                connection.creation.deserialize_db_from_string(data)
        """
    )
    code = transform_source(source, context)
    assert "data = (await aw(connection.creation.serialize_db_to_string()))" in code
    assert "(await aw(connection.creation.deserialize_db_from_string(data)))" in code


def test_a_vendor_introspection_coroutine_is_awaited():
    # MySQL's introspection has coroutines of its own, which its backends tests call.
    found = names.backend_coroutine_names()
    assert {"get_storage_engine", "get_primary_key_columns"} <= found
    context = Context(
        coroutines=names.coroutine_names(),
        ambiguous=names.ambiguous_names(),
        model_attrs=frozenset(),
        upstream_path="backends/mysql/test_introspection.py",
        version="5.2.19",
    )
    source = textwrap.dedent(
        """\
        from django.db import connection
        from django.test import TestCase

        class T(TestCase):
            def test_it(self):
                with connection.cursor() as cursor:
                    engine = connection.introspection.get_storage_engine(cursor, "t")
        """
    )
    code = transform_source(source, context)
    assert "engine = (await aw(connection.introspection.get_storage_engine(cursor, \"t\")))" in code
