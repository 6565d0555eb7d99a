"""Importing teapot's test tools must leave the importing project's warning filters alone."""

import subprocess
import sys

import pytest

FILTERS_CHANGED_BY_IMPORT = """
import warnings
before = list(warnings.filters)
import {module}
added = [f for f in warnings.filters if f not in before]
removed = [f for f in before if f not in warnings.filters]
print(repr((added, removed)))
"""


@pytest.mark.parametrize(
    "module", ["teapot.testing", "teapot.testing.testcases", "teapot.testing.utils", "teapot.testing.runner", "teapot.testing.pytest"]
)
def test_import_leaves_warning_filters_alone(module):
    # A fresh interpreter: this one imported the modules long ago.
    result = subprocess.run(
        [sys.executable, "-c", FILTERS_CHANGED_BY_IMPORT.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "([], [])"


def test_the_conformance_helpers_are_not_shipped():
    """The helpers of tests transformed from Django's suite belong to tools/conformance/."""
    import importlib.util

    assert importlib.util.find_spec("teapot.testing.transformed") is None
