"""Overrides of django.db.backends.mysql.schema: quoting and index decisions without I/O, so
the SQL-building methods of the schema editor stay sync."""

from teapot.backends.asyncmy.literals import quote

from tools.codemod.overrides import override


@override("DatabaseSchemaEditor.quote_value", upstream="97968756f416")
def quote_value(self, value):
    """Escape on the client (upstream asks the live connection), honouring NO_BACKSLASH_ESCAPES."""
    return quote(value, no_backslash_escapes="NO_BACKSLASH_ESCAPES" in self.connection.sql_mode)


@override("DatabaseSchemaEditor._field_should_be_indexed", upstream="665c4a6bf106")
def _field_should_be_indexed(self, model, field):
    if not super()._field_should_be_indexed(model, field):
        return False
    # Upstream reads the table's engine with a query; the server's default engine (a server
    # fact) is the engine of every table teapot creates.
    engine = self.connection.features._mysql_storage_engine
    # InnoDB indexes a foreign key's column itself when it adds the constraint.
    fk_indexed_by_constraint = field.get_internal_type() == "ForeignKey" and field.db_constraint
    if engine == "InnoDB" and fk_indexed_by_constraint:
        return False
    return not self._is_limited_data_type(field)
