"""Keys of models that were not adapted, pointing at adapted ones. Hand-written.

Django's delete applies every key's ``on_delete``; teapot's only knows the keys of adapted
models. ``adapt()`` follows the keys that refuse a delete (PROTECT, RESTRICT: the guarding
models are adapted too), but not the others: following a user's CASCADE keys would adapt
every model of the project that has an owner, and one model that cannot be adapted would
stop the whole call. Those keys are named in an AdaptWarning instead.
"""

from __future__ import annotations

from teapot.adapter import members
from teapot.adapter.errors import warn


def _rule(on_delete) -> str:
    name = getattr(on_delete, "__name__", repr(on_delete))
    return "SET(...)" if name == "set_on_delete" else name


def unadapted_keys(dj_model) -> list:
    """The reverse relations of ``dj_model`` whose ``on_delete`` Django's delete would apply
    and whose model teapot has not adapted."""
    from django.db.models import DO_NOTHING, PROTECT, RESTRICT

    from teapot.adapter.models import reverse_keys

    keys = []
    for rel in reverse_keys(dj_model):
        if rel.model is not dj_model:
            continue  # a parent's, or a proxy's concrete model's: named with that model
        on_delete = rel.on_delete
        if on_delete in (DO_NOTHING, PROTECT, RESTRICT) or hasattr(on_delete, "on_delete_sql"):
            continue  # nothing to do, followed by adapt(), or carried out by the database
        if rel.related_model not in members.adapted_classes:
            keys.append(rel)
    return keys


def warn_unadapted_keys(dj_models) -> None:
    """One AdaptWarning per model of ``dj_models`` that keys of models not adapted point at."""
    for dj_model in dj_models:
        keys = unadapted_keys(dj_model)
        if not keys:
            continue
        named = ", ".join(f"{rel.related_model._meta.label}.{rel.field.name} ({_rule(rel.on_delete)})" for rel in keys)
        labels = ", ".join(sorted({repr(rel.related_model._meta.label) for rel in keys}))
        warn(
            f"teapot's delete of a {dj_model._meta.label} does not reach {named}: those models are not "
            "adapted, so while their rows refer to it the database's foreign key refuses the delete "
            f"(IntegrityError) where Django would apply on_delete. Adapt them too: teapot.adapt({labels})"
        )
