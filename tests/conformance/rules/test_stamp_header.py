"""The conformance rule ``stamp_header`` (tools/conformance/rules/stamp_header.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import stamp_header
from tests.conformance.support import run


def test_stamp_header_is_idempotent():
    code, context = run(stamp_header, "x = 1\n", decide=False)
    again, _ = run(stamp_header, code, context, decide=False)
    assert again == code
