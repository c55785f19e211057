"""The authentication backend: Django's ModelBackend, with the user of a logged-in request read
in plain SQL on PostgreSQL. Every page loads the user from its session; building that query
through the ORM cost several times what running it does (docs/benchmarks.md, load test).
Passwords, permissions and `user_can_authenticate` are ModelBackend's, unchanged."""
from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router


@functools.cache
def _select_sql(alias: str) -> tuple[str, list[str]]:
    """The SELECT of one user by primary key, and the attribute names of its columns."""
    model = get_user_model()
    q = connections[alias].ops.quote_name
    fields = model._meta.concrete_fields
    cols = ", ".join(q(f.column) for f in fields)
    return (f"SELECT {cols} FROM {q(model._meta.db_table)} WHERE {q(model._meta.pk.column)} = %s",
            [f.attname for f in fields])


class Backend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        alias = router.db_for_read(model)
        connection = connections[alias]
        if connection.vendor != "postgresql":  # SQLite gives dates back as text: the ORM converts them
            return super().get_user(user_id)
        sql, fields = _select_sql(alias)
        try:
            pk = model._meta.pk.to_python(user_id)
        except Exception:
            return None
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = model.from_db(alias, fields, row)
        return user if self.user_can_authenticate(user) else None
