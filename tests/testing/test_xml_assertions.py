"""SimpleTestCase.assertXMLEqual / assertXMLNotEqual (Django's serializer and time-zone tests
compare XML output with them): two texts are equal when they are the same document."""

import pytest

from teapot.testing import SimpleTestCase


class _Case(SimpleTestCase):
    __test__ = False  # a carrier of the assertions, not a test of its own

    def runTest(self):  # pragma: no cover - only the assertions are used
        pass


@pytest.fixture
def case():
    return _Case()


@pytest.mark.parametrize(
    "first, second",
    [
        ('<a x="1" y="2"/>', '<a y="2" x="1"></a>'),
        ("<a>  some\n   text </a>", "<a> some text </a>"),
        ("<a/>\n  <b/>", "<a/>  <b/>"),
        ('<?xml version="1.0"?><!-- note --><r>\n  <c>1</c>\n  </r>', '<?xml version="1.0"?><r>  <c>1</c>   </r>'),
        ("<a><!-- gone --><b/></a>", "<a><b/></a>"),
        ("<a>1\\n</a>", "<a>1\n</a>"),
        ("  <a/>\n", "<a/>"),
        ('<?xml version="1.0" encoding="utf-8"?>\n<r><c/></r>', "<r><c/></r>"),
    ],
)
def test_same_documents(case, first, second):
    case.assertXMLEqual(first, second)
    with pytest.raises(AssertionError):
        case.assertXMLNotEqual(first, second)


@pytest.mark.parametrize(
    "first, second",
    [
        ("<a/>", "<b/>"),
        ('<a x="1"/>', '<a x="2"/>'),
        ("<a>one</a>", "<a>two</a>"),
        ("<a><b/><c/></a>", "<a><c/><b/></a>"),
        ("<a><b/></a>", "<a><b/><b/></a>"),
        ("<a>x y</a>", "<a>xy</a>"),
        ("<a/><b/>", "<a/>\n<b/>"),
    ],
)
def test_different_documents(case, first, second):
    case.assertXMLNotEqual(first, second)
    with pytest.raises(AssertionError, match="!="):
        case.assertXMLEqual(first, second)


def test_invalid_xml_fails_the_test(case):
    with pytest.raises(AssertionError, match="not valid XML"):
        case.assertXMLEqual("<a>", "<a/>")


def test_message_is_kept(case):
    with pytest.raises(AssertionError, match="custom note"):
        case.assertXMLEqual("<a/>", "<b/>", msg="custom note")
