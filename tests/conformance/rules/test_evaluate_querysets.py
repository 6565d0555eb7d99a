"""The conformance rule ``evaluate_querysets`` (tools/conformance/rules/evaluate_querysets.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import evaluate_querysets
from tests.conformance.support import run, full


def test_evaluate_querysets_leaves_literals():
    source = """
    class T(TestCase):
        def test_x(self):
            for i in [1, 2]:
                pass
    """
    code, _ = run(evaluate_querysets, source)
    assert "for i in [1, 2]:" in code


def test_evaluate_querysets():
    source = """
    class T(TestCase):
        def test_x(self):
            for a in Author.objects.all():
                pass
            n = len(qs)
            self.assertSequenceEqual(qs, [a])
            b = a in qs
            first = qs[0]
            c = [x for x in qs]
            g = list(x for x in enumerate(qs))
    """
    code, context = run(evaluate_querysets, source)
    assert "for a in (await ev(Author.objects.all())):" in code
    assert "n = len((await ev(qs)))" in code
    assert "self.assertSequenceEqual((await ev(qs)), [a])" in code
    assert "b = a in (await ev(qs))" in code
    assert "first = (await ev_item(qs, 0))" in code
    assert "c = [x for x in (await ev(qs))]" in code
    assert "enumerate((await ev(qs)))" in code
    assert context.helpers == {"ev", "ev_item"}


def test_evaluate_querysets_leaves_plain_slices():
    source = """
    class T(TestCase):
        def test_x(self):
            a = names[1:3]
            b = "abc"[::-1]
    """
    code, _ = run(evaluate_querysets, source)
    assert "a = names[1:3]" in code and 'b = "abc"[::-1]' in code


def test_evaluate_querysets_slices_and_callable_consumers():
    source = """
    class T(TestCase):
        def test_x(self):
            a = Author.objects.raw(q)[0:2]
            b = self.ordered()[::2]
            self.assertSequenceEqual(Author.objects.all()[:1], [x])
            self.assertNumQueries(1, list, qs)
    """
    code, context = run(evaluate_querysets, source)
    assert "a = (await ev_item(Author.objects.raw(q), slice(0, 2, None)))" in code
    assert "b = (await ev_item(self.ordered(), slice(None, None, 2)))" in code
    assert "(await ev((await ev_item(Author.objects.all(), slice(None, 1, None)))))" in code
    assert "self.assertNumQueries(1, ecall, list, qs)" in code
    assert context.helpers == {"ev", "ev_item", "ecall"}


def test_evaluate_querysets_local_filter_is_not_the_builtin():
    source = """
    class T(TestCase):
        def test_x(self):
            filter = Item.objects.filter
            a = set(filter(q))
            b = list(filter(None, xs))
    """
    code, _ = run(evaluate_querysets, source)
    assert "a = set((await ev(filter(q))))" in code
    assert "b = list(filter(None, (await ev(xs))))" in code


def test_evaluate_querysets_unpacking():
    source = """
    class T(TestCase):
        def test_x(self):
            a, b = Author.objects.order_by("pk")
            c = d = 1
            (e, f) = (1, 2)
    """
    code, _ = run(evaluate_querysets, source)
    assert 'a, b = (await ev(Author.objects.order_by("pk")))' in code
    assert "c = d = 1" in code and "(e, f) = (1, 2)" in code


def test_evaluate_querysets_steps_an_iterator_with_enext():
    code = full(
        """
        class T(TestCase):
            def test_x(self):
                first = next(serializers.deserialize("json", data))
                second = next(rows, None)
                third = next(iter(Author.objects.all()))
        """
    )
    assert 'first = next((await enext(serializers.deserialize("json", data))))' in code
    assert "second = next((await enext(rows)), None)" in code
    assert "third = next((await enext(iter((await ev(Author.objects.all()))))))" in code
    assert "from tools.conformance.shims import enext, ev" in code


def test_evaluate_querysets_extending_a_list_with_a_queryset():
    source = """
    class T(TestCase):
        def test_x(self):
            objects.extend(Tag.objects.all())
            objects.extend([1, 2])
    """
    code, _ = run(evaluate_querysets, source)
    assert "objects.extend((await ev(Tag.objects.all())))" in code
    assert "objects.extend([1, 2])" in code
