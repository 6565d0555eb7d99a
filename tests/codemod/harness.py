"""Run one codemod rule over small invented modules, the way the pipeline runs it.

``prepare`` parses snippet modules (named like ``django.x.y``), builds the call graph over
them with tables written in the test, and returns a :class:`Run`; ``Run.apply`` runs a rule
on one module and returns the code. ``transform`` does both for the common one-module case.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field

import libcst as cst

from tools.codemod.callgraph import CallGraph
from tools.codemod.rules._base import Context

MODULE = "django.db.sample"


def dd(text: str) -> str:
    """Dedent a triple-quoted snippet and drop the newline after the opening quotes."""
    return textwrap.dedent(text).lstrip("\n")


@dataclass(frozen=True)
class FakePin:
    version: str = "9.9.9"
    sdist: str = "django-9.9.9.tar.gz"
    sha256: str = "0" * 64
    tools: dict = field(default_factory=dict)


def default_tables() -> dict:
    """Empty tables of the same shape as tools/codemod/tables/*.toml loaded with tomllib."""
    return {
        "closure": {"seeds": [], "hand_written": [], "cut_imports": []},
        "colouring": {
            "seeds": [],
            "keep_sync": [],
            "ambiguous_method_names": [],
            "receiver_types": {},
            "driver_calls": {},
        },
        "rules": {
            "drop_functions": [],
            "drop_statements": [],
            "dunder_map": [["__iter__", "__aiter__"], ["__enter__", "__aenter__"], ["__exit__", "__aexit__"]],
            "async_context_factories": [],
            "async_signals": [],
            "extra_bases": [],
            "rename": {"from": "django", "to": "teapot"},
        },
        "pin": FakePin(),
    }


def make_tables(closure=None, colouring=None, rules=None, pin=None) -> dict:
    tables = copy.deepcopy(default_tables())
    for key, extra in (("closure", closure), ("colouring", colouring), ("rules", rules)):
        if extra:
            tables[key].update(extra)
    if pin is not None:
        tables["pin"] = pin
    return tables


@dataclass
class Run:
    ctx: Context
    trees: dict
    packages: set

    @property
    def graph(self) -> CallGraph:
        return self.ctx.graph

    def apply(self, rule, module: str = MODULE) -> str:
        """Run ``rule`` (a Rule class or instance) on ``module``; the result replaces the tree."""
        if isinstance(rule, type):
            rule = rule(self.ctx)
        self.trees[module] = rule.transform(module, self.trees[module], module in self.packages)
        return self.trees[module].code


def prepare(
    modules: dict[str, str] | str,
    *,
    closure=None,
    colouring=None,
    rules=None,
    pin=None,
    packages=(),
    fixed=None,
    graph=True,
) -> Run:
    """Parse ``modules`` (name -> source; a bare string is ``MODULE``), build the graph."""
    if isinstance(modules, str):
        modules = {MODULE: modules}
    tables = make_tables(closure, colouring, rules, pin)
    ctx = Context(tables=tables)
    trees = {name: cst.parse_module(src) for name, src in modules.items()}
    packages = set(packages)
    if graph:
        g = CallGraph(tables["colouring"])
        for name, tree in trees.items():
            g.add_module(name, tree, name in packages)
        g.link()
        g.fixed = dict(fixed or {})
        g.compute()
        ctx.graph = g
    return Run(ctx, trees, packages)


def transform(rule_cls, before: str, *, module: str = MODULE, others=None, **kw) -> str:
    """The code of ``module`` after ``rule_cls`` runs on it; ``others`` are extra modules."""
    modules = {module: before, **(others or {})}
    return prepare(modules, **kw).apply(rule_cls, module)
