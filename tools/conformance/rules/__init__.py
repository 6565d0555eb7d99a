"""The test rules of the conformance transformer, one per module, applied in ORDER."""

from . import (
    async_def,
    async_genexp,
    async_with,
    await_calls,
    evaluate_querysets,
    import_helpers,
    load_relations,
    rename_imports,
    stamp_header,
)

ORDER = [
    rename_imports,
    await_calls,
    evaluate_querysets,
    load_relations,
    async_with,
    async_def,
    async_genexp,
    import_helpers,
    stamp_header,
]
