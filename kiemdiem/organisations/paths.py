"""SQL over materialised paths ("12.340.5678.", see models.py)."""
from __future__ import annotations

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import StrIndex, Substr


def child_key(field_name: str, root_path: str):
    """SQL for the id (as text) of the child of root that a path lies under: the path's next
    component after root's (portable: substr/instr on SQLite, substring/strpos on PostgreSQL).
    Rows at root itself must be excluded before (their remainder is empty)."""
    rest = Substr(field_name, len(root_path) + 1)
    return Substr(rest, 1, StrIndex(rest, Value(".")) - 1)


def child_or_root_key(field_name: str, root_path: str):
    """As `child_key`, with "" for rows at root itself: group a subtree's rows by the child of
    root they lie under in SQL, a few rows per child instead of one per path."""
    return Case(When(**{field_name: root_path}, then=Value("")), default=child_key(field_name, root_path),
                output_field=CharField())
