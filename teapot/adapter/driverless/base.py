"""The driverless backend's connection wrapper (see the package's docstring). Hand-written."""

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.client import BaseDatabaseClient
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.base.features import BaseDatabaseFeatures
from django.db.backends.base.introspection import BaseDatabaseIntrospection
from django.db.backends.base.operations import BaseDatabaseOperations

from teapot.adapter.driverless import REASON_KEY, VENDOR_KEY

# The values of Django's own backends' max_name_length().
MAX_NAME_LENGTHS = {"postgresql": 63, "mysql": 64, "oracle": 30, "sqlite": None}


class DatabaseOperations(BaseDatabaseOperations):
    def max_name_length(self):
        return MAX_NAME_LENGTHS.get(self.connection.vendor)


class DatabaseWrapper(BaseDatabaseWrapper):
    client_class = BaseDatabaseClient
    creation_class = BaseDatabaseCreation
    features_class = BaseDatabaseFeatures
    introspection_class = BaseDatabaseIntrospection
    ops_class = DatabaseOperations

    def __init__(self, settings_dict, *args, **kwargs):
        super().__init__(settings_dict, *args, **kwargs)
        self.vendor = settings_dict.get(VENDOR_KEY, "unknown")
        self.display_name = f"{self.vendor} (no Django driver)"

    def connect(self):
        raise ImproperlyConfigured(
            f"Django cannot connect to database {self.alias!r}: its {self.vendor} backend could not be "
            f"loaded ({self.settings_dict.get(REASON_KEY)}). This process uses the models through "
            "teapot, whose drivers are its own; install Django's driver to use Django's ORM here too."
        )

    def ensure_connection(self):
        if self.connection is None:
            self.connect()

    def is_usable(self):
        return False
