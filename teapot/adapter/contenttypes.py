"""contrib.contenttypes for adapted projects: the fork's own app. Hand-written.

Django's ``ContentType`` is not copied: its teapot class is the fork's
``teapot.contrib.contenttypes.models.ContentType`` (same table, same columns), and Django's
``GenericForeignKey`` and ``GenericRelation`` become the fork's, which read the fork's
content type cache. The fork's app is registered in teapot's registry under Django's label
by the first adapt() call of a project that installs Django's contenttypes.

A content type can name a Django model that exists in the project but was not adapted; the
check registered with ``teapot.missing_models`` turns that into ``NotAdapted`` instead of
the ``None`` of a stale content type.
"""

from __future__ import annotations

DJANGO_APP = "django.contrib.contenttypes"
FORK_APP = "teapot.contrib.contenttypes"
LABEL = "contenttypes"


def is_django_contenttypes(dotted: str) -> bool:
    return dotted == DJANGO_APP or dotted.startswith(DJANGO_APP + ".")


def django_has_contenttypes() -> bool:
    from django.apps import apps as django_apps

    return django_apps.is_installed(DJANGO_APP)


def install_app():
    """Register the fork's contenttypes app in teapot's registry (once) and return it."""
    from teapot.adapter.errors import AdaptError
    from teapot.apps import AppConfig, apps

    config = apps.app_configs.get(LABEL)
    if config is not None:
        if config.name != FORK_APP:
            raise AdaptError(
                "contenttypes.ContentType",
                None,
                f"teapot's registry already has an app labelled {LABEL!r} ({config.name}), not {FORK_APP}",
            )
        return config
    config = AppConfig.create(FORK_APP)
    config.apps = apps
    # The Django project's django_content_type table: its migrations are Django's.
    config.adapted_from_django = True
    apps.app_configs[config.label] = config
    try:
        config.import_models()
        from teapot.contrib.contenttypes.models import ContentType

        # A failed adapt() unregisters the app; the module stays imported, so register the
        # model again by hand when the import did not.
        if ContentType._meta.model_name not in apps.all_models[LABEL]:
            apps.register_model(LABEL, ContentType)
    except BaseException:
        del apps.app_configs[config.label]
        raise
    apps.clear_cache()
    _watch_for_unadapted_models()
    return config


def content_type_model():
    """The fork's ContentType, its app registered first."""
    install_app()
    from teapot.contrib.contenttypes.models import ContentType

    return ContentType


def generic_foreign_key(dj_field):
    install_app()
    from teapot.contrib.contenttypes.fields import GenericForeignKey

    return GenericForeignKey(dj_field.ct_field, dj_field.fk_field, dj_field.for_concrete_model)


def generic_relation(dj_field):
    """The fork's GenericRelation class and the arguments, Django's values still, that build
    it for Django's ``dj_field``: ``(class, args, kwargs)``. Taken from its attributes: its
    deconstruct() repeats arguments that its own __init__ sets."""
    install_app()
    from teapot.contrib.contenttypes.fields import GenericRelation

    rel = dj_field.remote_field
    options = {
        name: getattr(dj_field, name)
        for name in ("verbose_name", "help_text", "db_comment")
        if getattr(dj_field, name, None)
    }
    return (
        GenericRelation,
        [rel.model._meta.label],
        dict(
            object_id_field=dj_field.object_id_field_name,
            content_type_field=dj_field.content_type_field_name,
            for_concrete_model=dj_field.for_concrete_model,
            related_query_name=rel.related_query_name,
            limit_choices_to=rel.limit_choices_to or None,
            **options,
        ),
    )


def _watch_for_unadapted_models():
    from teapot import missing_models

    missing_models.add_check(_raise_if_django_has_it)


def _raise_if_django_has_it(app_label: str, model_name: str) -> None:
    """A content type names a model teapot's registry lacks: if the Django project has it,
    say how to adapt it (a model unknown to both is a stale content type)."""
    from django.apps import apps as django_apps

    from teapot.adapter.errors import NotAdapted

    if not django_apps.ready:
        return
    try:
        model = django_apps.get_model(app_label, model_name)
    except LookupError:
        return
    raise NotAdapted(model._meta.label)
