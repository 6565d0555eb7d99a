"""Overrides of django.db.backends.postgresql.features."""

from teapot.backends.asyncpg.literals import NUL_MESSAGE

from tools.codemod.overrides import override


@override("DatabaseFeatures.prohibits_null_characters_in_text_exception", upstream="fa490a8ca6e6")
@cached_property
def prohibits_null_characters_in_text_exception(self):
    # The asyncpg backend refuses NUL before sending, as psycopg 3 does.
    return DataError, NUL_MESSAGE
