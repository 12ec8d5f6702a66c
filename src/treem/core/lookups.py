"""Lookups of our own, registered on the model fields when the core app is ready."""

from __future__ import annotations

import re

from django.db.models import CharField, Lookup, TextField


class WordStart(Lookup):
    """``field__wordstart="an"``: a word of the text starts with "an" (words are split by spaces).

    PostgreSQL: a regular expression, ``~ '(^| )an'``, which a pg_trgm GIN index serves through
    the word-start trigram " an" (selective even for short words). Elsewhere: two ``LIKE``s, so
    that SQLite runs no Python function per row (a Python function inside a query on a connection
    shared by threads, as in the live-server tests, can deadlock on the GIL).
    """

    lookup_name = "wordstart"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        like = connection.ops.prep_for_like_query(str(self.rhs))
        sql = f"({lhs} LIKE %s ESCAPE '\\' OR {lhs} LIKE %s ESCAPE '\\')"
        return sql, [*lhs_params, f"{like}%", *lhs_params, f"% {like}%"]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs}::text ~ %s", [*lhs_params, "(^| )" + re.escape(str(self.rhs))]


def register() -> None:
    CharField.register_lookup(WordStart)
    TextField.register_lookup(WordStart)
