"""The test rules of the conformance transformer, one per module, applied in ORDER."""

from . import (
    async_def,
    async_genexp,
    async_with,
    await_calls,
    evaluate_querysets,
    field_values,
    hoist_lambdas,
    import_helpers,
    load_relations,
    rename_imports,
    render_with_loads,
    serializer_calls,
    stamp_header,
    sync_bridges,
    unavailable_imports,
)

ORDER = [
    rename_imports,
    unavailable_imports,
    hoist_lambdas,
    await_calls,
    serializer_calls,
    field_values,
    evaluate_querysets,
    load_relations,
    render_with_loads,
    async_with,
    async_def,
    sync_bridges,
    async_genexp,
    import_helpers,
    stamp_header,
]
