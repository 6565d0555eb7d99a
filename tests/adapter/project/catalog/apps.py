from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tests.adapter.project.catalog"
    label = "catalog"
