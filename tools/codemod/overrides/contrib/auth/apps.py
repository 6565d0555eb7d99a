"""Overrides of django.contrib.auth.apps: start-up without the middleware check.

Upstream's ready() also registers a check of MIDDLEWARE, which imports the auth and session
middleware classes; the fork has neither (no web stack). The model checks, the post_migrate
hook that creates permissions, and the last_login receiver are kept.
"""

from tools.codemod.overrides import override


@override("AuthConfig.ready", upstream="6f3857c2ee5a")
def ready(self):
    post_migrate.connect(
        create_permissions,
        dispatch_uid="teapot.contrib.auth.management.create_permissions",
    )
    if isinstance(getattr(get_user_model(), "last_login", None), DeferredAttribute):
        from .models import update_last_login

        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")
    checks.register(check_user_model, checks.Tags.models)
    checks.register(check_models_permissions, checks.Tags.models)
