from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tests.adapter.project.orders"
    label = "orders"
