"""A project's sync function -> the ``async def`` teapot runs instead. Hand-written.

The fork's codemod turns Django's I/O functions into ``async def`` and awaits every call of
one; this does the same to one function of a project (a ``save()`` or ``delete()`` override, a
signal receiver), using ``await_analysis`` to find the calls. The rewrite is made on the source
text, so the translation keeps the author's comments and layout and can be shown as it is;
the code is compiled with the source file's name and line numbers, so tracebacks point at the
project's own file.
"""

from __future__ import annotations

import __future__
import ast
import textwrap
import types
from dataclasses import dataclass

from teapot.adapter.await_analysis import Subject, Untranslatable, analyse, parse_source, source_of

__all__ = ["Translation", "Untranslatable", "translate_function"]


@dataclass
class Translation:
    """``source``: the ``async def`` (or, when nothing needs awaiting, the ``def``) as text;
    ``function``: it compiled, with the original function's globals, defaults and name (the
    adapter gives it the teapot globals and class cell, as to any copied method)."""

    source: str
    function: types.FunctionType
    awaits: int


def translate_function(
    func: types.FunctionType, subject: Subject, *, owner: type | None = None, always_async: bool = False
) -> Translation:
    """Translate ``func``; ``owner`` is the class whose body defines it (for ``super()`` and
    private names). It becomes ``async def`` when a call needs awaiting, or always with
    ``always_async`` (an override of a coroutine stays awaitable even when it awaits nothing).
    Raises Untranslatable with the reason."""
    node, awaits = analyse(func, subject)
    source = source_of(func)
    text = rewrite(source, func.__code__.co_firstlineno, node, awaits, make_async=always_async or bool(awaits))
    return Translation(textwrap.dedent(text), compile_function(text, func, owner, node.lineno), len(awaits))


def rewrite(source: str, first_line: int, node: ast.FunctionDef, awaits, *, make_async: bool) -> str:
    """``source`` with ``async`` before its ``def`` and ``await`` before each call of
    ``awaits`` (parenthesized where the call's value is used further: ``(await f()).x``)."""
    parents = {child: parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)}
    edits = []  # (line, byte column, order, text); order places nested insertions correctly
    if make_async:
        edits.append((node.lineno, node.col_offset, (0, 0), "async "))
    for call in awaits:
        parent = parents.get(call)
        used = (
            isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is call
        ) or (isinstance(parent, ast.Call) and parent.func is call)
        span = (call.end_lineno - call.lineno, call.end_col_offset - call.col_offset)
        # At one start, the outer call's text comes first; at one end, the inner call's.
        edits.append((call.lineno, call.col_offset, (-span[0], -span[1]), "(await " if used else "await "))
        if used:
            edits.append((call.end_lineno, call.end_col_offset, span, ")"))
    lines = [line.encode() for line in source.splitlines(keepends=True)]
    for line, column, _, text in sorted(edits, key=lambda e: (e[0], e[1], e[2]), reverse=True):
        at = line - first_line
        lines[at] = lines[at][:column] + text.encode() + lines[at][column:]
    # Decorators are left out: a receiver's @receiver(...) connected Django's function only.
    return b"".join(lines[node.lineno - first_line :]).decode()


def _future_flags(code: types.CodeType) -> int:
    flags = 0
    for name in __future__.all_feature_names:
        flag = getattr(__future__, name).compiler_flag
        if code.co_flags & flag:
            flags |= flag
    return flags


def compile_function(text: str, func: types.FunctionType, owner: type | None, line: int) -> types.FunctionType:
    """Compile the translated ``def`` inside a class named as ``owner`` (so that ``super()``
    gets a ``__class__`` cell and ``self.__x`` is mangled as in the original), and return
    it with the original function's globals, defaults and names. ``line``: where the
    ``def`` is in the source file."""
    node = parse_source(text, func)
    # The text starts at the ``def`` line, after any decorators.
    ast.increment_lineno(node, line - node.lineno)
    if owner is not None:
        carrier = ast.parse(f"def _carrier():\n    class {owner.__name__}:\n        pass\n    return {owner.__name__}.__dict__\n")
        carrier.body[0].body[0].body = [node]
    else:
        carrier = ast.parse("def _carrier():\n    return locals()\n")
        carrier.body[0].body.insert(0, node)
    ast.fix_missing_locations(carrier)
    code = compile(carrier, func.__code__.co_filename, "exec", flags=_future_flags(func.__code__), dont_inherit=True)
    scratch = dict(func.__globals__)  # default values are evaluated here, then replaced by the originals
    exec(code, scratch)
    made = scratch["_carrier"]()[func.__name__]
    new = types.FunctionType(made.__code__, func.__globals__, func.__name__, func.__defaults__, made.__closure__)
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    new.__module__ = func.__module__
    new.__doc__ = func.__doc__
    new.__annotations__ = dict(getattr(func, "__annotations__", {}) or {})
    return new
