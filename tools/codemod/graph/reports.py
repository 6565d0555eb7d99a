"""Problem reports: call sites the rewrite cannot fix (sync code calling coloured functions).

A mixin of ``CallGraph``: it reads the index and tables ``CallGraph.__init__`` sets up."""

from __future__ import annotations

from .index import dotted


class ReportsMixin:
    def _find_sync_callers(self) -> None:
        """Call sites of coloured functions in code that stays sync: the rewrite cannot fix them."""
        for qual, func in self.funcs.items():
            if qual in self.colour or qual in self.fixed:
                continue
            for call, scope in func.calls:
                if scope.func != qual:
                    continue
                colour = self.call_colour(call, scope)
                if colour:
                    self.problems.append(f"{qual}: sync code calls {dotted(call.func)} ({colour})")
