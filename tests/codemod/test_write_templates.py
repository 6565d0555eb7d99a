"""The pipeline copies the templates of the closure table's ``template_folders`` (the forms'
and widgets') into the fork, each opening with a generated-file comment that renders as
nothing; the copies count as generated files, so `--check` compares them."""

import pytest

from teapot.template import Context, Engine
from tools.codemod.pipeline import GenerationError, compare_trees, compile_errors, generated_paths, write_templates
from tools.libcst_toolkit import MARKER

FOLDER = "django/forms/templates"
TEMPLATE = '<input type="{{ widget.type }}" name="{{ widget.name }}">\n'


def source(tmp_path):
    root = tmp_path / "sdist"
    widgets = root / FOLDER / "django" / "forms" / "widgets"
    widgets.mkdir(parents=True)
    (widgets / "input.html").write_text(TEMPLATE)
    (widgets / "notes.md").write_text("not a template\n")
    return root


def test_a_template_is_copied_below_the_package_with_a_header_on_its_first_line(tmp_path):
    root, out = source(tmp_path), tmp_path / "teapot"
    [copy] = write_templates(root, out, [FOLDER], "5.2.19")
    assert copy == out / "forms" / "templates" / "django" / "forms" / "widgets" / "input.html"
    text = copy.read_text()
    assert text.startswith("{# " + MARKER) and f"{FOLDER}/django/forms/widgets/input.html" in text.splitlines()[0]
    assert text.endswith(TEMPLATE) and text.count("\n") == TEMPLATE.count("\n")
    assert generated_paths(out) == [copy]
    assert compile_errors(out) == []


def test_the_copy_renders_as_the_upstream_template(tmp_path):
    root, out = source(tmp_path), tmp_path / "teapot"
    [copy] = write_templates(root, out, [FOLDER], "5.2.19")
    context = Context({"widget": {"type": "text", "name": "tag"}})
    upstream = Engine(dirs=[str(root / FOLDER)]).get_template("django/forms/widgets/input.html").render(context)
    copied = Engine(dirs=[str(out / "forms" / "templates")]).get_template("django/forms/widgets/input.html").render(context)
    assert copied == upstream == '<input type="text" name="tag">\n'


def test_an_edited_copy_differs_from_a_fresh_generation(tmp_path):
    root, out, fresh = source(tmp_path), tmp_path / "teapot", tmp_path / "fresh"
    [copy] = write_templates(root, out, [FOLDER], "5.2.19")
    write_templates(root, fresh, [FOLDER], "5.2.19")
    assert compare_trees(fresh, out) == []
    copy.write_text(copy.read_text() + "<p>\n")
    assert compare_trees(fresh, out) == ["differs: forms/templates/django/forms/widgets/input.html (1 lines)"]


def test_a_folder_missing_from_the_snapshot_stops_the_build(tmp_path):
    with pytest.raises(GenerationError, match="template folder django/gone is not in the snapshot"):
        write_templates(source(tmp_path), tmp_path / "teapot", ["django/gone"], "5.2.19")
