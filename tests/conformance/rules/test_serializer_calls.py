"""The conformance rule ``serializer_calls`` (tools/conformance/rules/serializer_calls.py):
``serializers.serialize()`` is awaited as ``aserialize()`` and a loop over
``serializers.deserialize()`` steps it with ``async for``."""

from tools.conformance.rules import serializer_calls
from tests.conformance.support import full, run


def test_serialize_becomes_awaited_aserialize():
    code, _ = run(
        serializer_calls,
        """\
        class T(TestCase):
            def test_it(self):
                users = User.objects.filter(pk=1)
                result = serializers.serialize("json", users, indent=2)
                text = serializers.serialize("xml", [obj], fields=["name"])
        """,
    )
    assert 'result = (await serializers.aserialize("json", users, indent=2))' in code
    assert 'text = (await serializers.aserialize("xml", [obj], fields=["name"]))' in code


def test_a_serializers_own_serialize_method_is_left():
    code, _ = run(
        serializer_calls,
        """\
        class T(TestCase):
            def test_it(self):
                data = serializers.json.Serializer().serialize([obj])
                b = field.serialize(value, other)
        """,
    )
    assert 'serializers.json.Serializer().serialize([obj])' in code
    assert "field.serialize(value, other)" in code


def test_a_helper_that_serializes_becomes_async():
    code = full(
        """\
        def dump(objs):
            return serializers.serialize("json", objs)

        class T(TestCase):
            def test_it(self):
                dump([obj])
        """
    )
    assert "async def dump(objs):" in code
    assert 'return (await serializers.aserialize("json", objs))' in code


def test_a_loop_over_deserialize_is_an_async_for():
    code, _ = run(
        serializer_calls,
        """\
        class T(TestCase):
            def test_it(self):
                for obj in serializers.deserialize("json", text):
                    obj.save()
                objs = [o for o in serializers.deserialize("json", text)]
        """,
    )
    assert 'async for obj in serializers.deserialize("json", text):' in code
    assert '[o for o in serializers.deserialize("json", text)]' in code
