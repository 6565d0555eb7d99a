"""What the conformance rules' tests share: a Context with a few coroutine names, and running
one rule (after ``async_def.decide``) or the whole transform on a snippet."""

import textwrap

import libcst as cst

from tools.conformance.rules import async_def
from tools.conformance.rules._base import Context
from tools.conformance.transform import transform_source

COROUTINES = frozenset({"get", "save", "count", "add", "create", "update", "delete", "check", "refresh_from_db"})
AMBIGUOUS = frozenset({"get", "count", "add", "update"})


def ctx(**kwargs):
    base = dict(coroutines=COROUTINES, ambiguous=AMBIGUOUS, model_attrs=frozenset({"author", "title"}), upstream_path="app/tests.py", version="5.2.19")
    base.update(kwargs)
    return Context(**base)


def run(rule, source, context=None, decide=True):
    context = context or ctx()
    tree = cst.parse_module(textwrap.dedent(source))
    if decide:
        async_def.decide(tree, context)
    return rule.apply(tree, context).code, context


def full(source, **kwargs):
    return transform_source(textwrap.dedent(source), ctx(**kwargs))
