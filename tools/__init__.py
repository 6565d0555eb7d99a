"""The project's tools, imported from the repository root: ``tools.codemod`` (the codemod
that generates the fork) and ``tools.conformance`` (Django's test suite transformed to async).
Not installed."""
