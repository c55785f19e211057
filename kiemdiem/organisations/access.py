"""The one place that decides what a user may see and do.

A RoleGrant on an organisation applies to its whole subtree. Actions:
- VIEW: any grant (viewer, staff, committee) on an ancestor-or-self;
- MANAGE: staff or committee (run campaigns, keep records, import);
- DECIDE: committee.
Every member may see their own records. Superusers see everything.

Every view and API endpoint gets its objects through the functions here. Something outside
the user's part of the tree is reported as "not found" (404), exactly like something that
does not exist; something visible but beyond the user's role is "forbidden" (403).
"""
from __future__ import annotations

import functools

from dataclasses import dataclass, field
from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from .choices import GrantRole
from .models import Member, Organisation, RoleGrant


class Action(IntEnum):
    VIEW = 1
    MANAGE = 2
    DECIDE = 3


_ROLE_ACTIONS = {
    GrantRole.VIEWER: {Action.VIEW},
    GrantRole.STAFF: {Action.VIEW, Action.MANAGE},
    GrantRole.COMMITTEE: {Action.VIEW, Action.MANAGE, Action.DECIDE},
}


@dataclass
class Scope:
    superuser: bool = False
    # path prefix -> actions allowed in that subtree
    grants: dict[str, set[Action]] = field(default_factory=dict)
    member_id: int | None = None

    def prefixes(self, action: Action = Action.VIEW) -> list[str]:
        found = sorted(p for p, acts in self.grants.items() if action in acts)
        # drop prefixes already covered by a shorter one
        out: list[str] = []
        for p in found:
            if not any(p.startswith(q) for q in out):
                out.append(p)
        return out

    def path_q(self, field_name: str = "path", action: Action = Action.VIEW) -> Q:
        """A Q matching rows whose `field_name` lies in the user's subtrees."""
        if self.superuser:
            return Q()
        q = Q(pk__in=[])
        for prefix in self.prefixes(action):
            q |= Q(**{f"{field_name}__startswith": prefix})
        return q

    def allows(self, path: str, action: Action = Action.VIEW) -> bool:
        if self.superuser:
            return True
        return any(path.startswith(p) for p in self.prefixes(action))

    @property
    def has_any_grant(self) -> bool:
        return self.superuser or bool(self.grants)


@functools.cache
def _scope_sql() -> str:
    """The scope query (made once: the database backend decides the quoting)."""
    q = connection.ops.quote_name
    grant, org, member = RoleGrant._meta, Organisation._meta, Member._meta
    col = lambda meta, name: q(meta.get_field(name).column)  # noqa: E731
    return (f"SELECT o.{col(org, 'path')}, g.{col(grant, 'role')} FROM {q(grant.db_table)} g "
            f"JOIN {q(org.db_table)} o ON o.{col(org, 'id')} = g.{col(grant, 'organisation')} "
            f"WHERE g.{col(grant, 'user')} = %s AND o.{col(org, 'dissolved')} IS NULL "
            f"UNION ALL SELECT NULL, CAST(m.{col(member, 'id')} AS TEXT) FROM {q(member.db_table)} m "
            f"WHERE m.{col(member, 'user')} = %s")


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_kiemdiem_scope", None)
    if cached is not None:
        return cached
    scope = Scope(superuser=user.is_superuser)
    # one query on every page: the user's grants and, in a row of its own, the linked member
    # (plain SQL: building it through the ORM cost more than running it)
    with connection.cursor() as cursor:
        cursor.execute(_scope_sql(), [user.pk, user.pk])
        rows = cursor.fetchall()
    for path, role in rows:
        if path is None:
            scope.member_id = int(role) if scope.member_id is None else min(scope.member_id, int(role))
        else:
            scope.grants.setdefault(path, set()).update(_ROLE_ACTIONS[role])
    user._kiemdiem_scope = scope
    return scope


def forget_scope(user) -> None:
    if hasattr(user, "_kiemdiem_scope"):
        del user._kiemdiem_scope


# --- organisations -------------------------------------------------------------------------

def organisations(user, action: Action = Action.VIEW) -> QuerySet[Organisation]:
    return Organisation.objects.filter(scope_for(user).path_q("path", action))


def check_path(user, path: str, action: Action = Action.VIEW) -> None:
    """Whatever is held at `path`: 404 if the user may not see it, 403 if they may see it but
    not do `action`. The getters of every app end with this."""
    scope = scope_for(user)
    if not scope.allows(path, Action.VIEW):
        raise Http404
    if not scope.allows(path, action):
        raise PermissionDenied


def get_organisation(user, pk, action: Action = Action.VIEW) -> Organisation:
    """The organisation if the user may see it (404 otherwise) and do `action` (403 otherwise)."""
    try:
        org = Organisation.objects.get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404
    check_path(user, org.path, action)
    return org


def can(user, action: Action, org: Organisation) -> bool:
    return scope_for(user).allows(org.path, action)


# --- members -------------------------------------------------------------------------------

def members(user, action: Action = Action.VIEW) -> QuerySet[Member]:
    """Members whose current organisation lies in the user's subtrees (plus the user's own
    member record when only viewing)."""
    scope = scope_for(user)
    q = scope.path_q("organisation__path", action)
    if action == Action.VIEW and scope.member_id:
        q |= Q(pk=scope.member_id)
    return Member.objects.filter(q)


def can_see_member(user, member: Member, action: Action = Action.VIEW) -> bool:
    scope = scope_for(user)
    if action == Action.VIEW and scope.member_id == member.pk:
        return True
    return scope.allows(member.organisation.path, action)


def get_member(user, pk, action: Action = Action.VIEW) -> Member:
    try:
        member = Member.objects.select_related("organisation").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404
    if not can_see_member(user, member, Action.VIEW):
        raise Http404
    if not can_see_member(user, member, action):
        raise PermissionDenied
    return member
