"""Hand-written replacements for upstream functions, one file per upstream module.

``overrides/db/models/query.py`` holds the overrides of ``django.db.models.query``. In it,

    @override("QuerySet.__len__", upstream="<12 hex>")
    def __len__(self): ...

replaces that method in the generated module (``new=True`` adds one that upstream lacks).
``upstream`` is the hash of the upstream code replaced: when Django changes that code the
hash no longer matches, the build stops, and the override must be reviewed. The override's
colour (coroutine, async generator, sync) comes from its own ``def``; ``colour=`` states it
for a sync function that returns an awaitable. ``keep_upstream_as="_name"`` keeps the upstream
function in place under that name, for an override that only puts a fast path in front of it.
Top-level imports of the file are added to the generated module. Names are post-rename
(``teapot``) inside the code.
"""


def override(target, upstream=None, new=False, colour=None, keep_upstream_as=None):
    """Marker read by rules/apply_overrides.py; never called at run time."""

    def mark(obj):
        return obj

    return mark
