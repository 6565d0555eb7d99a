"""Class hierarchy and symbols: bases linked after indexing, names resolved through
imports, method resolution order, subclasses, and which methods a call by name may reach.

A mixin of ``CallGraph``: it reads the index and tables ``CallGraph.__init__`` sets up."""

from __future__ import annotations

from .index import dotted


class HierarchyMixin:
    def link(self) -> None:
        for klass in self.classes.values():
            klass.bases = [q for q in (self.resolve_class_expr(e, klass.module) for e in klass.base_exprs) if q]
            if klass.qualname in self.dynamic_bases:
                self.used_entries.add(("dynamic_bases", klass.qualname))
                klass.bases += [b for b in self.dynamic_bases[klass.qualname] if b in self.classes]
            for base in klass.bases:
                self.subclasses.setdefault(base, set()).add(klass.qualname)

    def resolve_symbol(self, module: str, name: str, depth: int = 0) -> str | None:
        """Qualified name of ``name`` as seen from ``module`` (follows re-exports)."""
        if depth > 10:
            return None
        head, _, rest = name.partition(".")
        target = self.module_defs.get(module, {}).get(head)
        if target is None:
            imported = self.imports.get(module, {}).get(head)
            if imported is None:
                for star in self.star_imports.get(module, []):
                    found = self.resolve_symbol(star, head, depth + 1)
                    if found:
                        target = found
                        break
                else:
                    return None
            elif imported in self.module_defs:
                target = imported
            else:
                mod, _, attr = imported.rpartition(".")
                target = self.resolve_symbol(mod, attr, depth + 1) if mod in self.module_defs else imported
                if target is None:
                    target = imported
        if not rest:
            return target
        if target in self.module_defs:
            return self.resolve_symbol(target, rest, depth + 1) or f"{target}.{rest}"
        return f"{target}.{rest}"

    def resolve_class_expr(self, expr, module: str) -> str | None:
        name = dotted(expr)
        if not name:
            return None
        qual = self.resolve_symbol(module, name)
        return qual if qual in self.classes else None

    def mro(self, cls: str) -> list[str]:
        seen: list[str] = []
        todo = [cls]
        while todo:
            c = todo.pop(0)
            if c in seen or c not in self.classes:
                continue
            seen.append(c)
            todo.extend(self.classes[c].bases)
        return seen

    def all_subclasses(self, cls: str) -> set[str]:
        out: set[str] = set()
        todo = [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    def lookup(self, cls: str, name: str) -> list[str]:
        for c in self.mro(cls):
            quals = self.classes[c].methods.get(name)
            if quals:
                return quals
        return []

    def dispatch(self, cls: str, name: str, include_subclasses: bool = True) -> set[str]:
        """Every method a call ``obj.name()`` may reach when obj is a ``cls``."""
        out = set(self.lookup(cls, name))
        if include_subclasses:
            for sub in self.all_subclasses(cls):
                out.update(self.classes[sub].methods.get(name, ()))
        return out

    def family(self, root: str) -> set[str]:
        """Receiver-type roots may be a short class name: find every class of that name."""
        if root in self.classes:
            return {root}
        return {q for q, k in self.classes.items() if k.name == root}

    def by_name(self, name: str):
        index = getattr(self, "_by_name", None)
        if index is None:
            index = {}
            for qual, f in self.funcs.items():
                if f.cls and not f.is_property:
                    index.setdefault(f.name, []).append(qual)
            self._by_name = index
        return index.get(name, [])
