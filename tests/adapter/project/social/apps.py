from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "tests.adapter.project.social"
    label = "social"
