"""Overrides of django.contrib.contenttypes.apps: nothing to hook at start-up.

Django's ready() registers system checks and the migrate signal receivers that create and
rename content types; teapot runs neither checks nor migrations (both imports are cut in
tables/closure.toml).
"""

from codemod.overrides import override


@override("ContentTypesConfig.ready", upstream="2104833d7472")
def ready(self):
    pass
