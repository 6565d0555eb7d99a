"""The codemod that turns a pinned Django sdist into the async ``teapot`` package.

Pipeline (see ``pipeline.py``): fetch the pinned snapshot (``pin``), prune it to the ORM's
import closure (``closure``), build the I/O call graph (``callgraph``, from the parts in
``graph/``), then run the rules in ``rules/`` in their declared order, apply the hand-written
``overrides/`` and stamp a header.
Rule tables are data in ``tables/``.
"""
