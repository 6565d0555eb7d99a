"""The test rules of the conformance transformer, one per module, applied in ORDER."""

from . import (
    async_def,
    async_genexp,
    async_with,
    await_calls,
    coroutine_stand_ins,
    evaluate_querysets,
    hoist_lambdas,
    import_helpers,
    load_relations,
    patched_coroutines,
    rename_imports,
    serializer_calls,
    stamp_header,
    sync_bridges,
    unavailable_imports,
)

ORDER = [
    rename_imports,
    unavailable_imports,
    patched_coroutines,
    hoist_lambdas,
    coroutine_stand_ins,
    await_calls,
    serializer_calls,
    evaluate_querysets,
    load_relations,
    async_with,
    async_def,
    sync_bridges,
    async_genexp,
    import_helpers,
    stamp_header,
]
