"""The type-matrix models, defined once for both ORMs.

``define(models)`` takes ``teapot.db.models`` or ``django.db.models`` and returns the model
classes, so the teapot test and the Django reference script (django_reference.py) build the
same tables from the same definitions. Every column is nullable: a row sets one column and
leaves the others NULL.
"""


def all_types_fields(models):
    """One column per concrete field type; the attribute is the field type in snake case."""
    return {
        "big_integer": models.BigIntegerField(null=True),
        "binary": models.BinaryField(null=True),
        "boolean": models.BooleanField(null=True),
        "char": models.CharField(max_length=20, null=True),
        "date": models.DateField(null=True),
        "date_time": models.DateTimeField(null=True),
        "decimal": models.DecimalField(max_digits=12, decimal_places=4, null=True),
        "duration": models.DurationField(null=True),
        "email": models.EmailField(null=True),
        "file": models.FileField(max_length=100, null=True),
        "file_path": models.FilePathField(path="/srv/files", null=True),
        "float": models.FloatField(null=True),
        "generic_ip_address": models.GenericIPAddressField(null=True),
        "image": models.ImageField(max_length=100, null=True),
        "integer": models.IntegerField(null=True),
        "json": models.JSONField(null=True),
        "positive_big_integer": models.PositiveBigIntegerField(null=True),
        "positive_integer": models.PositiveIntegerField(null=True),
        "positive_small_integer": models.PositiveSmallIntegerField(null=True),
        "slug": models.SlugField(null=True),
        "small_integer": models.SmallIntegerField(null=True),
        "text": models.TextField(null=True),
        "time": models.TimeField(null=True),
        "url": models.URLField(null=True),
        "uuid": models.UUIDField(null=True),
        # Ids of rows that need not exist: the column's values are what is tested, not the join.
        "foreign_key": models.ForeignKey(
            "Target", models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
        ),
        "one_to_one": models.OneToOneField(
            "Target", models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
        ),
        # Computed by the database (stored: PostgreSQL has no virtual generated columns). From
        # the smallint column, so that twice any value written to it fits an integer.
        "generated": models.GeneratedField(
            expression=models.F("small_integer") * 2, output_field=models.IntegerField(), db_persist=True
        ),
    }


def define(models, app_label, module):
    """Build the matrix models for ``models`` (teapot's or Django's) in ``app_label``."""

    def model(name, fields):
        meta = type("Meta", (), {"app_label": app_label})
        return type(name, (models.Model,), {"__module__": module, "Meta": meta, **fields})

    return {
        "Target": model("Target", {}),
        "AllTypes": model("AllTypes", all_types_fields(models)),
        # The primary-key field types, each on its own table.
        "AutoPk": model("AutoPk", {"id": models.AutoField(primary_key=True)}),
        "BigAutoPk": model("BigAutoPk", {"id": models.BigAutoField(primary_key=True)}),
        "SmallAutoPk": model("SmallAutoPk", {"id": models.SmallAutoField(primary_key=True)}),
    }
