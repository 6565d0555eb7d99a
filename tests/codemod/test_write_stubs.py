"""The pipeline copies the hand-written type stubs (tools/codemod/stubs/) beside the generated
modules they describe; the copies count as generated files, so `--check` compares them and a
new generation replaces them."""

import pytest

from tools.codemod.pipeline import STUBS, GenerationError, compare_trees, generated_paths, write_stubs
from tools.libcst_toolkit import MARKER

STUB = "class QuerySet: ...\n"


def layout(tmp_path):
    out, stubs = tmp_path / "teapot", tmp_path / "stubs"
    module = out / "db" / "models" / "query.py"
    module.parent.mkdir(parents=True)
    module.write_text(f"# {MARKER} by tools/rename_fork.py\nclass QuerySet:\n    pass\n")
    (stubs / "db" / "models").mkdir(parents=True)
    (stubs / "db" / "models" / "query.pyi").write_text(STUB)
    return out, stubs, module


def test_a_stub_is_copied_beside_its_module_with_a_header(tmp_path):
    out, stubs, module = layout(tmp_path)
    [copy] = write_stubs(out, [module], stubs)
    assert copy == out / "db" / "models" / "query.pyi"
    header, _, body = copy.read_text().partition("\n\n")
    assert MARKER in header.splitlines()[0]
    assert "tools/codemod/stubs/db/models/query.pyi" in header
    assert body == STUB
    assert generated_paths(out) == [module, copy]


def test_an_edited_copy_differs_from_a_fresh_generation(tmp_path):
    out, stubs, module = layout(tmp_path)
    [copy] = write_stubs(out, [module], stubs)
    fresh = tmp_path / "fresh"
    (fresh / "db" / "models").mkdir(parents=True)
    (fresh / "db" / "models" / "query.py").write_text(module.read_text())
    write_stubs(fresh, [fresh / "db" / "models" / "query.py"], stubs)
    assert compare_trees(fresh, out) == []
    copy.write_text(copy.read_text() + "x: int\n")
    assert compare_trees(fresh, out) == ["differs: db/models/query.pyi (1 lines)"]


def test_a_stub_for_a_module_the_fork_does_not_generate_stops_the_build(tmp_path):
    out, stubs, module = layout(tmp_path)
    (stubs / "db" / "gone.pyi").write_text(STUB)
    with pytest.raises(GenerationError, match="db/gone.pyi describes a module the fork does not generate"):
        write_stubs(out, [module], stubs)


def test_every_tracked_stub_has_its_copy_in_the_generated_package():
    package = STUBS.parents[2] / "teapot"
    for stub in STUBS.rglob("*.pyi"):
        copy = package / stub.relative_to(STUBS)
        assert copy.read_text().endswith(stub.read_text()), copy
        assert copy.with_suffix(".py").exists()
