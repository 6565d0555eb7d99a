"""The conformance rule ``load_relations`` (tools/conformance/rules/load_relations.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import load_relations
from tests.conformance.support import run


def test_load_relations_leaves_other_attributes():
    source = """
    class T(TestCase):
        def test_x(self):
            x = book.name
    """
    code, _ = run(load_relations, source)
    assert "x = book.name" in code


def test_load_relations():
    source = """
    class T(TestCase):
        def test_x(self):
            x = book.author
            book.author = y
            book.author.save()
            z = self.author
    """
    code, _ = run(load_relations, source)
    assert "x = (await load(book, 'author'))" in code
    assert "book.author = y" in code
    assert "(await load(book, 'author')).save()" in code
    assert "z = self.author" in code


def test_load_relations_getattr_and_hasattr():
    source = """
    class T(TestCase):
        def test_x(self):
            a = getattr(book, "author")
            b = hasattr(book, "author")
            c = hasattr(book, "other")
    """
    code, context = run(load_relations, source)
    assert "a = (await load(book, \"author\"))" in code
    assert "b = (await has(book, \"author\"))" in code
    assert 'c = hasattr(book, "other")' in code
    assert context.helpers == {"load", "has"}


def test_load_relations_reads_inside_assignment_targets():
    source = """
    class T(TestCase):
        def test_x(self):
            book.author.title = "x"
            book.author = y
            a, book.author = 1, 2
            del book.author
    """
    code, _ = run(load_relations, source)
    assert "(await load(book, 'author')).title = \"x\"" in code
    assert "book.author = y" in code and "a, book.author = 1, 2" in code
    assert "del book.author" in code


def test_load_relations_getattr_with_a_computed_name():
    source = """
    class T(TestCase):
        def test_x(self):
            a = getattr(obj, part[0])
            b = getattr(obj, "title")
            c = getattr(obj, "colour")
            d = getattr(obj, name, None)
    """
    code, _ = run(load_relations, source)
    assert "a = (await load(obj, part[0]))" in code
    assert "b = (await load(obj, \"title\"))" in code
    assert 'c = getattr(obj, "colour")' in code
    assert "d = getattr(obj, name, None)" in code


def test_load_relations_awaits_a_call_of_a_computed_getattr():
    source = """
    class T(TestCase):
        def test_x(self):
            for method in ["add", "remove"]:
                getattr(article.publications, method)("invalid")
            getattr(article, "title")
    """
    code, ctx = run(load_relations, source)
    assert """(await aw((await load(article.publications, method))("invalid")))""" in code
    assert "aw" in ctx.helpers
