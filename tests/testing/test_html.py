"""teapot.testing.html: HTML fragments compared by structure (SimpleTestCase.assertHTMLEqual)."""

import pytest

from teapot.testing import SimpleTestCase
from teapot.testing.html import html_shape


def test_attribute_order_and_whitespace_runs_do_not_count():
    assert html_shape('<p><label for="a">\n   Tag:</label> <input id="a" type="text"></p>') == html_shape(
        '<p><label for="a">Tag:</label><input type="text" id="a"></p>'
    )


def test_class_words_and_boolean_attributes_are_compared_as_sets_and_flags():
    assert html_shape('<input class="b a" required checked="checked">') == html_shape('<input checked required="" class="a b">')


@pytest.mark.parametrize(
    "other",
    [
        '<p><input type="checkbox" id="a"></p>',  # another attribute value
        '<p><input type="text"></p>',  # an attribute missing
        '<p><input type="text" id="a">Tag</p>',  # more text
        '<div><input type="text" id="a"></div>',  # another element
        '<p></p><input type="text" id="a">',  # another nesting
    ],
)
def test_a_different_value_text_element_or_nesting_is_not_equal(other):
    assert html_shape('<p><input type="text" id="a"></p>') != html_shape(other)


class _Case(SimpleTestCase):
    __test__ = False  # a carrier of the assertion, not a test of its own

    def runTest(self):  # pragma: no cover - only the assertion is used
        pass


def test_assert_html_equal_fails_on_a_difference():
    case = _Case()
    case.assertHTMLEqual('<a href="x" id="y">t</a>', '<a id="y" href="x"> t </a>')
    with pytest.raises(AssertionError):
        case.assertHTMLEqual('<a href="x">t</a>', '<a href="z">t</a>')
