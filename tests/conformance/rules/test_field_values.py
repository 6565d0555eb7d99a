"""The conformance rule ``field_values`` (tools/conformance/rules/field_values.py):
``field.value_from_object(obj)`` is awaited through the ``field_value`` helper."""

from tools.conformance.rules import field_values
from tests.conformance.support import full, run


def test_value_from_object_becomes_awaited_helper():
    code, context = run(
        field_values,
        """\
        class T(TestCase):
            def test_it(self):
                obj = Thing()
                self.assertEqual(obj._meta.get_field("m2m").value_from_object(obj), [])
        """,
    )
    assert 'self.assertEqual((await field_value(obj._meta.get_field("m2m"), obj)), [])' in code
    assert "field_value" in context.helpers


def test_sync_code_and_other_calls_are_left():
    code, _ = run(
        field_values,
        """\
        def helper(field, obj):
            return field.value_from_object(obj)

        class T(SimpleTestCase):
            def test_it(self):
                field.value_from_object(obj, extra)
        """,
    )
    assert "return field.value_from_object(obj)" in code
    assert "field.value_from_object(obj, extra)" in code


def test_the_whole_transform_imports_the_helper():
    code = full(
        """\
        class T(TestCase):
            def test_it(self):
                value = field.value_from_object(obj)
        """
    )
    assert "value = (await field_value(field, obj))" in code
    assert "field_value" in code.split("class T")[0]
