from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tests.adapter.project.accounts"
    label = "accounts"
