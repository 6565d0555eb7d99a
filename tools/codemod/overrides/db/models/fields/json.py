"""Overrides of django.db.models.fields.json."""

from tools.codemod.overrides import override


@override("KeyTransform.as_postgresql", upstream="de579e991d61")
def as_postgresql(self, compiler, connection):
    lhs, params, path = self.preprocess_lhs(compiler, connection)
    if len(path) > 1:  # the whole path at once: `#>` takes a text[]
        return f"({lhs} {self.postgres_nested_operator} %s)", (*params, path)
    try:
        index = int(self.key_name)
    except ValueError:
        return f"({lhs} {self.postgres_operator} %s)", (*params, self.key_name)
    # An array index, typed as one: bound on the server, the untyped parameter of
    # `jsonb -> $1` would be read as text, an object key (psycopg inlined an integer).
    return f"({lhs} {self.postgres_operator} %s::integer)", (*params, index)
