"""annotate_none_attributes: `x = None` in a class body becomes `x: Any = None`, so that type
checkers do not take None for the attribute's type."""

import pytest

from tests.codemod.harness import dd, transform

from tools.codemod.rules.annotate_none_attributes import AnnotateNoneAttributes


def run(before):
    return transform(AnnotateNoneAttributes, before, graph=False)


def test_none_attributes_of_a_class_are_annotated_and_any_is_imported():
    assert run(dd('''
        """Functions."""

        from __future__ import annotations

        import copy


        class Func(Expression):
            function = None
            template = "%(function)s(%(expressions)s)"
            arity = None  # the number of arguments

            def __init__(self):
                self.extra = None
                local = None
        ''')) == dd('''
        """Functions."""

        from __future__ import annotations
        from typing import Any

        import copy


        class Func(Expression):
            function: Any = None
            template = "%(function)s(%(expressions)s)"
            arity: Any = None  # the number of arguments

            def __init__(self):
                self.extra = None
                local = None
        ''')


def test_nested_and_decorated_classes_are_annotated_too():
    assert run(dd("""
        from typing import Any


        @deconstructible
        class Outer:
            class Inner:
                name = None
        """)) == dd("""
        from typing import Any


        @deconstructible
        class Outer:
            class Inner:
                name: Any = None
        """)


@pytest.mark.parametrize(
    "source",
    [
        # Module-level names, and classes with no attribute set to None.
        "x = None\n\n\nclass A:\n    y = 1\n    z = w = None\n",
        # Annotations mean something at run time in these classes.
        "@dataclass\nclass A:\n    x = None\n",
        "@dataclasses.dataclass(frozen=True)\nclass A:\n    x = None\n",
        "class Row(NamedTuple):\n    x = None\n",
        "class Options(typing.TypedDict):\n    x = None\n",
    ],
)
def test_what_is_left_alone(source):
    assert run(source) == source


def test_a_module_that_uses_the_name_any_otherwise_stops_the_build():
    with pytest.raises(ValueError, match="uses the name Any"):
        run("from sqlalchemy import Any\n\n\nclass A:\n    x = None\n")
