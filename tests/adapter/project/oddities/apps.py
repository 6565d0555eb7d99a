from django.apps import AppConfig


class OdditiesConfig(AppConfig):
    name = "tests.adapter.project.oddities"
    label = "oddities"
