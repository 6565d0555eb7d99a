"""The conformance rule ``lazy_objects`` (tools/conformance/rules/lazy_objects.py): a
``SimpleLazyObject`` whose factory queries is read through the awaited ``lazy_object``."""

from tests.conformance.support import full


def test_a_lazy_object_that_queries_is_read_where_it_is_made():
    code = full(
        """\
        class T(TestCase):
            def test_x(self):
                m = SimpleLazyObject(lambda: Manager.objects.get(pk=1))
                n = SimpleLazyObject(lambda: 1)
                self.assertEqual(Company.objects.filter(ceo_manager=m).get(), 1)
        """
    )
    assert "m = (await lazy_object(lambda: Manager.objects.get(pk=1)))" in code
    assert "n = SimpleLazyObject(lambda: 1)" in code
    assert "from tools.conformance.shims import lazy_object" in code
