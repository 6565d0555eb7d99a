"""The conformance rule ``sync_counts`` (tools/conformance/rules/sync_counts.py): ``x.count()``
in code that stays sync counts the rows already loaded through ``loaded_count``."""

from tests.conformance.support import full


def test_counts_in_properties_and_lambdas_use_the_helper():
    code = full(
        """\
        class Person(models.Model):
            @property
            def primary_house(self):
                return sorted(self.houses.all(), key=lambda house: -house.rooms.count())[0]

        class T(TestCase):
            def test_it(self):
                self.assertEqual(Person.objects.count(), 1)
                self.assertEqual(["a", "b"].count("a"), 1)
                ordered = sorted(people, key=lambda p: p.houses.count())
        """
    )
    assert "key=lambda house: -loaded_count(house.rooms)" in code
    assert "key=lambda p: loaded_count(p.houses)" in code
    assert "(await Person.objects.count())" in code  # awaited where it can be
    assert '["a", "b"].count("a")' in code
    assert "from tools.conformance.shims import" in code and "loaded_count" in code
