"""The import closure: which modules of the snapshot make up the fork."""

import pytest

from tests.codemod.harness import dd

from tools.codemod.closure import eager_imports, import_closure, module_name, module_path


@pytest.fixture
def root(tmp_path):
    """A fake ``pkg`` package: each module says how it is imported."""
    files = {
        "pkg/__init__.py": "",
        "pkg/seed.py": dd("""
            import os
            from pkg import top
            from . import relative
            from .sibling import thing

            class Model:
                from pkg.in_class import Field

            if os.name:
                import pkg.in_if
            else:
                from pkg import in_else

            try:
                from pkg.in_try import x
            except ImportError:
                from pkg.in_except import x
            finally:
                import pkg.in_finally

            with open(__file__):
                import pkg.in_with

            def lazy():
                import pkg.in_function
                from pkg import in_function_too

            class Deferred:
                def method(self):
                    from pkg import in_method

            from pkg.forms import Form
            import pkg.deep.leaf
            """),
        "pkg/top.py": "",
        "pkg/relative.py": "",
        "pkg/sibling.py": "thing = 1\n",
        "pkg/in_class.py": "",
        "pkg/in_if.py": "",
        "pkg/in_else.py": "",
        "pkg/in_try.py": "",
        "pkg/in_except.py": "",
        "pkg/in_finally.py": "",
        "pkg/in_with.py": "",
        "pkg/in_function.py": "",
        "pkg/in_function_too.py": "",
        "pkg/in_method.py": "",
        "pkg/forms.py": "from pkg import widgets\n",
        "pkg/widgets.py": "",
        "pkg/deep/__init__.py": "",
        "pkg/deep/leaf.py": "from .. import from_leaf\n",
        "pkg/from_leaf.py": "",
        "pkg/unused.py": "",
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


CUT = {("pkg.seed", "pkg.forms")}


def test_closure(root):
    assert import_closure(root, ["pkg.seed"], CUT) == [
        "pkg",
        "pkg.deep",
        "pkg.deep.leaf",
        "pkg.from_leaf",
        "pkg.in_class",
        "pkg.in_else",
        "pkg.in_except",
        "pkg.in_finally",
        "pkg.in_if",
        "pkg.in_try",
        "pkg.in_with",
        "pkg.relative",
        "pkg.seed",
        "pkg.sibling",
        "pkg.top",
    ]


@pytest.mark.parametrize("name", ["pkg.in_class", "pkg.in_if", "pkg.in_else", "pkg.in_try",
                                  "pkg.in_except", "pkg.in_finally", "pkg.in_with"])
def test_eager_imports_are_followed(root, name):
    assert name in eager_imports(root, "pkg.seed", CUT)


@pytest.mark.parametrize("name", ["pkg.in_function", "pkg.in_function_too", "pkg.in_method"])
def test_imports_inside_functions_are_not_followed(root, name):
    assert name not in import_closure(root, ["pkg.seed"], CUT)


def test_cut_edges_are_not_followed(root):
    closure = import_closure(root, ["pkg.seed"], CUT)
    assert "pkg.forms" not in closure
    assert "pkg.widgets" not in closure  # nor what only the cut module imported
    assert "pkg.forms" in import_closure(root, ["pkg.seed"], set())
    assert "pkg.widgets" in import_closure(root, ["pkg.seed"], set())


def test_parent_packages_are_included(root):
    assert eager_imports(root, "pkg.seed", CUT) >= {"pkg", "pkg.deep", "pkg.deep.leaf"}
    # a seed deep in the tree brings its packages even if nothing imports them
    assert import_closure(root, ["pkg.deep.leaf"], set()) == ["pkg", "pkg.deep", "pkg.deep.leaf", "pkg.from_leaf"]


def test_imports_outside_the_package_are_ignored(root):
    assert not any(not m.startswith("pkg") for m in eager_imports(root, "pkg.seed", CUT))


def test_unknown_seed_is_an_error(root):
    with pytest.raises(ValueError, match="pkg.missing"):
        import_closure(root, ["pkg.missing"], set())


def test_module_names_and_paths(root):
    assert module_path(root, "pkg.deep") == root / "pkg" / "deep" / "__init__.py"
    assert module_path(root, "pkg.top") == root / "pkg" / "top.py"
    assert module_path(root, "pkg.nothing") is None
    assert module_name(root, root / "pkg" / "deep" / "__init__.py") == "pkg.deep"
    assert module_name(root, root / "pkg" / "deep" / "leaf.py") == "pkg.deep.leaf"
