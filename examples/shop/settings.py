"""The shop's configuration as a module to name on the command line:
``teapot --settings examples.shop.settings makemigrations shop``."""

from examples.shop import config

config.setup()
