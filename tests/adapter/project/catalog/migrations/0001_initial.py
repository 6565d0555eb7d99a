"""A Django migration of the catalog app. The adapter tests create their tables with Django's
schema editor; this file is here so that teapot's migration commands meet an adapted app
that has migrations of Django's own, and must leave them alone."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
