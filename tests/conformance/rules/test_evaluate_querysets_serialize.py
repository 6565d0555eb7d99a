"""evaluate_querysets: the objects given to ``serializers.serialize(format, objects)`` are
evaluated first (the serializer iterates them, and teapot's serializers read loaded rows)."""

import textwrap

import libcst as cst

from tools.conformance.rules import async_def, evaluate_querysets
from tools.conformance.rules._base import Context


def _run(source):
    context = Context(
        coroutines=frozenset({"get", "save"}),
        ambiguous=frozenset({"get"}),
        model_attrs=frozenset(),
        upstream_path="app/tests.py",
        version="5.2.19",
    )
    tree = cst.parse_module(textwrap.dedent(source))
    async_def.decide(tree, context)
    return evaluate_querysets.apply(tree, context).code


def test_serialized_queryset_is_evaluated():
    code = _run(
        """\
        class T(TestCase):
            async def test_it(self):
                users = User.objects.filter(pk=1)
                result = serializers.serialize("json", users, indent=2)
                text = serialize("xml", User.objects.all())
        """
    )
    assert 'serializers.serialize("json", (await ev(users)), indent=2)' in code
    assert 'serialize("xml", (await ev(User.objects.all())))' in code


def test_literal_lists_and_other_serialize_methods_are_left():
    code = _run(
        """\
        class T(TestCase):
            async def test_it(self):
                a = serializers.serialize("json", [obj])
                b = field.serialize(value, other)
                c = serializers.serialize("json", queryset=users)
        """
    )
    assert 'serializers.serialize("json", [obj])' in code
    assert "field.serialize(value, other)" in code
    assert 'serializers.serialize("json", queryset=users)' in code
