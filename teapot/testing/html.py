"""HTML fragments compared by structure, for ``SimpleTestCase.assertHTMLEqual``. Hand-written.

Two fragments are equal when they hold the same elements in the same order, each with the
same attributes in any order (the words of ``class`` in any order, a boolean attribute written
bare, empty or as its own name alike) and the same text, runs of whitespace counting as one
space and whitespace at the edges of an element's text not counting.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements without an end tag.
VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_WHITESPACE = re.compile(r"\s+")


class _Element:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = tuple(sorted(_attribute(name, value) for name, value in attrs))
        self.children: list = []

    def shape(self):
        children = []
        for child in self.children:
            if isinstance(child, str):
                text = _WHITESPACE.sub(" ", child).strip()
                if text:
                    children.append(text)
            else:
                children.append(child.shape())
        return (self.tag, self.attrs, tuple(children))


def _attribute(name, value):
    if value is None or value == "" or value == name:
        return (name, None)  # a boolean attribute
    if name == "class":
        return (name, " ".join(sorted(value.split())))
    return (name, value)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("", ())
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, attrs)
        self.open[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(_Element(tag, attrs))

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return
        raise ValueError(f"</{tag}> closes no open element")

    def handle_data(self, data):
        children = self.open[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def html_shape(text: str):
    """What two fragments must share to be equal (see the module's docstring)."""
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.root.shape()
