"""The conformance rule ``stream_type_checks`` (tools/conformance/rules/stream_type_checks.py):
a type check of what ``iterator()`` returns asks for an async iterator."""

from tools.conformance.rules import stream_type_checks
from tests.conformance.support import full, run


def test_a_check_of_iterator_asks_for_an_async_iterator():
    code = full(
        """\
        class T(TestCase):
            def test_it(self):
                self.assertIsInstance(Article.objects.iterator(), collections.abc.Iterator)
                assert isinstance(qs.iterator(chunk_size=2), abc.Iterator)
        """
    )
    assert "self.assertIsInstance(Article.objects.iterator(), collections.abc.AsyncIterator)" in code
    assert "isinstance(qs.iterator(chunk_size=2), abc.AsyncIterator)" in code


def test_other_type_checks_are_left_alone():
    source = (
        "self.assertIsInstance(reordered_tests, collections.abc.Iterator)\n"
        "self.assertIsInstance(qs.iterator(), collections.abc.Iterable)\n"
        "isinstance(field.choices, ModelChoiceIterator)\n"
    )
    code, _ = run(stream_type_checks, source, decide=False)
    assert code == source
