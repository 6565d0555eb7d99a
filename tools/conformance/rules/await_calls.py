"""``await`` where a call returns a coroutine in teapot: the coroutine methods of its
QuerySet, Manager, related managers, Model, cursor and transaction API (found by
introspection, tools/conformance/names.py) and those a model gains per date field
(``get_next_by_FOO``, by prefix), the test module's functions made async
(async_def) and loop variables of a module that has some (``for f in [a, b]: f()``), local
names bound to a coroutine method (``ctype = ContentType.objects.get_for_model;
ctype(Person)``, also from a nested function), ``assertQuerySetEqual``, the callable an assertion helper is given (``clean()`` in
``def assertFailsValidation(self, clean, ...)``), the construction of a class whose instances are awaited once built
(``MigrationExecutor(connection)``, ``MigrationLoader(connection)``, and a model formset class a
factory made: ``FormSet = generic_inlineformset_factory(...); FormSet(...)``), the callable forms of ``assertRaises`` and
friends, and, in a module with functions made async, calls through a field of a namedtuple
it declares (``helper.create_object(...)`` where ``TestHelper = namedtuple("TestHelper",
["create_object", ...])`` holds those functions). A name that other types have too (``get``, ``add``, ``count``, ``update``...) is
awaited through ``aw()``, which leaves a non-awaitable result alone."""

from __future__ import annotations

import libcst as cst

from ._base import ASYNC_CONTEXTS, CALLABLE_FORMS, TESTCASE_COROUTINES, Context, ScopedTransformer, await_, call_name, is_coroutine_name, is_self_receiver, looks_like_queryset


def _names(target) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_names(e.value) for e in target.elements)) if target.elements else set()
    return set()


def namedtuple_fields(tree: cst.Module) -> set[str]:
    """The field names of the namedtuples a module declares (``namedtuple("T", ["a", "b"])``
    or ``namedtuple("T", "a b")``)."""
    fields: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node):
            if call_name(node) != "namedtuple" or len(node.args) < 2:
                return
            spec = node.args[1].value
            if isinstance(spec, (cst.List, cst.Tuple)):
                for element in spec.elements:
                    if isinstance(element.value, cst.SimpleString):
                        fields.add(element.value.evaluated_value)
            elif isinstance(spec, cst.SimpleString):
                fields.update(spec.evaluated_value.replace(",", " ").split())

    tree.visit(Finder())
    return fields


def formset_class_names(tree: cst.Module, factories: frozenset) -> set[str]:
    """Names a module binds to a model formset class a factory makes
    (``GenericFormSet = generic_inlineformset_factory(TaggedItem)``)."""
    found: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node):
            if isinstance(node.value, cst.Call) and call_name(node.value) in factories:
                for target in node.targets:
                    found.update(_names(target.target))

    tree.visit(Finder())
    return found


class _Await(ScopedTransformer):
    def __init__(self, ctx, tuple_fields=frozenset(), formset_classes=frozenset()):
        super().__init__(ctx)
        self.tuple_fields = tuple_fields  # functions kept in a namedtuple, called through its fields
        self.formset_classes = formset_classes  # model formset classes made by a factory
        self.skip: set[int] = set()
        self.loop_names: list[set[str]] = []  # per function: names bound by its for loops
        self.aliases: list[set[str]] = []  # per function: names bound to a coroutine method (f = X.objects.get)

    def visit_FunctionDef(self, node):
        super().visit_FunctionDef(node)
        self.loop_names.append(set())
        self.aliases.append(set())

    def leave_FunctionDef(self, original_node, updated_node):
        self.loop_names.pop()
        self.aliases.pop()
        return super().leave_FunctionDef(original_node, updated_node)

    def visit_For(self, node):
        super().visit_For(node)
        if self.loop_names:
            self.loop_names[-1] |= _names(node.target)

    def visit_Assign(self, node):
        if not self.aliases or len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        name = node.targets[0].target.value
        value = node.value
        if isinstance(value, cst.Attribute) and is_coroutine_name(self.ctx, value.attr.value):
            self.aliases[-1].add(name)  # ctype = ContentType.objects.get_for_model
        else:
            self.aliases[-1].discard(name)

    def visit_Await(self, node):
        self.skip.add(id(node.expression))

    def visit_WithItem(self, node):
        # teapot's context managers are entered with async with; a coroutine whose result is
        # the context manager (execute_sql(CURSOR) -> cursor) is awaited first. No QuerySet or
        # Manager coroutine returns one: a with-item of such a name is another object's
        # (``with state.apps.bulk_update():``).
        if not isinstance(node.item, cst.Call) or call_name(node.item) in ASYNC_CONTEXTS:
            self.skip.add(id(node.item))
        elif call_name(node.item) in self.ctx.queryset_coroutines and call_name(node.item) not in self.ctx.ambiguous:
            self.skip.add(id(node.item))

    def visit_Decorator(self, node):
        self.skip.add(id(node.decorator))

    def leave_Call(self, original_node, updated_node):
        if id(original_node) in self.skip or not self.in_async():
            return updated_node
        how = self.how(updated_node)
        if how is None:
            return updated_node
        return await_(updated_node, "aw" if how == "aw" else None, self.ctx)

    def how(self, call):
        ctx = self.ctx
        name = call_name(call)
        func = call.func
        positional = len([a for a in call.args if a.keyword is None and not a.star])
        if isinstance(func, cst.Attribute):
            receiver = func.value
            if name in TESTCASE_COROUTINES:
                return "await"
            if name in CALLABLE_FORMS and positional >= CALLABLE_FORMS[name]:
                return "aw"
            if name == "cursor" and not is_self_receiver(receiver):
                return "aw"  # cur = connection.cursor(): awaited gives the cursor (a with-item is entered)
            if is_self_receiver(receiver):
                if name in ctx.async_methods or is_coroutine_name(ctx, name):
                    return "aw"
                return None
            if is_coroutine_name(ctx, name):
                if name in ctx.ambiguous and not looks_like_queryset(receiver):
                    return "aw"
                return "await"
            if name in ctx.async_methods and isinstance(receiver, cst.Name) and receiver.value[:1].isupper():
                return "aw"  # SomeTestCase.helper(...)
            if name in self.tuple_fields and ctx.async_plain and isinstance(receiver, cst.Name):
                return "aw"  # test_helper.create_object(...): a function kept in a namedtuple
            return None
        if isinstance(func, cst.Name) and name in ctx.callable_params.get(self.innermost_function(), ()):
            return "aw"  # an assertion helper calling the callable it was given
        if isinstance(func, cst.Name) and name in ctx.imported_coroutines:
            return "await"  # from teapot.db.models import prefetch_related_objects
        if isinstance(func, cst.Name) and name in ctx.awaitable_classes:
            return "await"  # executor = await MigrationExecutor(connection)
        if isinstance(func, cst.Name) and name in self.formset_classes:
            return "await"  # formset = await GenericFormSet(instance=obj): evaluates its queryset
        if isinstance(func, cst.Name) and (name in ctx.async_plain or name in ctx.functions):
            return "aw"
        if isinstance(func, cst.Name) and any(name in names for names in self.aliases):
            # A coroutine method called through a local name bound to it, here or in an
            # enclosing function (a stand-in closure calling the method it replaces).
            return "aw"
        if isinstance(func, cst.Name) and self.loop_names and name in self.loop_names[-1] and ctx.async_plain:
            return "aw"  # for test in [a, b]: test() -- a function taken from a list
        return None


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    formsets = frozenset(formset_class_names(tree, ctx.model_formset_factories))
    return tree.visit(_Await(ctx, frozenset(namedtuple_fields(tree)), formsets))
