"""drop_functions: delete functions listed in rules.toml ``drop_functions``."""

import pytest

from tests.codemod.harness import MODULE, dd, prepare, transform

from tools.codemod.rules.drop_functions import DropFunctions

PATTERNS = {"drop_functions": ["*.formfield", f"{MODULE}.Field.save_form_data"]}


def run(before, patterns=PATTERNS):
    # Like the pipeline, the rule runs before the call graph exists.
    return transform(DropFunctions, before, rules=patterns, graph=False)


CASES = [
    pytest.param(
        dd("""
            class Field:
                def get_formfield(self):
                    return None

                def formfield_kwargs(self):
                    return {}


            def save_form_data(instance, data):
                return data
            """),
        None,  # no change
        id="near-misses",
    ),
    pytest.param(
        dd("""
            class CharField:
                def clean(self, value):
                    return value

                def formfield(self, **kwargs):
                    return None

                def check(self):
                    return []
            """),
        dd("""
            class CharField:
                def clean(self, value):
                    return value

                def check(self):
                    return []
            """),
        id="wildcard-method",
    ),
    pytest.param(
        dd("""
            class Field:
                def save_form_data(self, instance, data):
                    setattr(instance, self.name, data)


            class Other:
                def save_form_data(self, instance, data):
                    return data
            """),
        dd("""
            class Field:
                pass


            class Other:
                def save_form_data(self, instance, data):
                    return data
            """),
        id="exact-qualname-only-and-empty-body-gets-pass",
    ),
    pytest.param(
        dd("""
            class Outer:
                class Inner:
                    def formfield(self):
                        return 1

                    size = 2
            """),
        dd("""
            class Outer:
                class Inner:

                    size = 2
            """),
        id="wildcard-in-nested-class",
    ),
    pytest.param(
        dd("""
            class Field:
                if True:
                    def formfield(self):
                        return None
                else:
                    def formfield(self):
                        return 1
            """),
        dd("""
            class Field:
                if True:
                    pass
                else:
                    pass
            """),
        id="every-definition-under-if",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_drop_functions(before, after):
    assert run(before) == (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_drops_are_counted():
    r = prepare(CASES[1].values[0], rules=PATTERNS, graph=False)
    r.apply(DropFunctions)
    assert r.ctx.counts["functions dropped"] == 1


class TestUnused:
    def test_pattern_that_matches_nothing_is_reported(self):
        r = prepare(CASES[1].values[0], rules=PATTERNS, graph=False)
        rule = DropFunctions(r.ctx)
        r.apply(rule)
        assert rule.unused() == [f"drop_functions {MODULE}.Field.save_form_data"]

    def test_all_used(self):
        r = prepare(CASES[1].values[0] + CASES[2].values[0], rules=PATTERNS, graph=False)
        rule = DropFunctions(r.ctx)
        r.apply(rule)
        assert rule.unused() == []
