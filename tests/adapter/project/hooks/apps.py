from django.apps import AppConfig


class HooksConfig(AppConfig):
    name = "tests.adapter.project.hooks"
    label = "hooks"
