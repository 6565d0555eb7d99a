"""Overrides of django.db.models.fields.json."""

from codemod.overrides import override


@override("KeyTransform.as_postgresql", upstream="de579e991d61")
def as_postgresql(self, compiler, connection):
    lhs, params, key_transforms = self.preprocess_lhs(compiler, connection)
    if len(key_transforms) > 1:
        sql = "(%s %s %%s)" % (lhs, self.postgres_nested_operator)
        return sql, tuple(params) + (key_transforms,)
    try:
        lookup = int(self.key_name)
    except ValueError:
        return "(%s %s %%s)" % (lhs, self.postgres_operator), tuple(params) + (self.key_name,)
    # An array index: say it is an integer. Bound on the server, an untyped parameter of
    # `jsonb -> $1` is read as text, an object key (psycopg's client-side literal was an int).
    return "(%s %s %%s::integer)" % (lhs, self.postgres_operator), tuple(params) + (lookup,)
