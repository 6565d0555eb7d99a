"""The parts of the call graph (``tools/codemod/callgraph.py`` assembles them), one module per
responsibility: ``index`` (the symbol index), ``hierarchy``, ``types`` (receiver typing),
``calls`` (call resolution), ``colouring`` (the fixpoint), ``reports`` (problems)."""
