"""Reads. Every function that serves a person takes the acting user and goes through
`access`; the aggregate helpers take already-scoped inputs.

Subtree counts are one GROUP BY per query (members per organisation), rolled up to ancestors
by walking each row's path once: the cost is the number of organisations that hold members,
never one query per node.
"""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Q, QuerySet

from kiemdiem.core.text import unaccent

from . import access
from .access import Action
from .choices import ACTIVE_STATUSES, MembershipKind
from .models import Member, Membership, Organisation, OrgPlacement


def _roll_up(rows) -> dict[int, int]:
    """rows: (path, count) for the organisations that hold members -> count per ancestor-or-self."""
    totals: dict[int, int] = defaultdict(int)
    for path, n in rows:
        for part in path[:-1].split("."):
            totals[int(part)] += n
    return totals


def member_counts(root: Organisation | None = None) -> dict[int, int]:
    """Active members in the subtree of every organisation (under `root`, or the whole tree);
    organisations without any are left out (the dict gives 0 for them).

    Two queries, whatever the size of the tree: active members per organisation, a COUNT(*)
    grouped by organisation_id that PostgreSQL answers from the (organisation, status) index
    alone without touching the tree; and the parent links of the organisations. The counts are
    then added up the tree in Python, deepest level first. With a root, its ancestors get the
    subtree's total, as a roll-up along the paths would give them. (5.6 million members,
    365,000 organisations: docs/benchmarks.md.)"""

    def fetch(qs) -> list[tuple]:
        # the ORM's SQL (any backend), rows as plain tuples without the ORM's per-row work
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    members = Member.objects.filter(status__in=ACTIVE_STATUSES)
    orgs = Organisation.objects.order_by()
    if root is not None:
        orgs = orgs.filter(path__startswith=root.path)
        members = members.filter(organisation__in=orgs.values("pk"))
    totals: dict[int, int] = defaultdict(int)
    totals.update(fetch(members.values_list("organisation_id").annotate(n=Count("*")).order_by()))
    if not totals:
        return totals
    levels: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, parent_id, depth in fetch(orgs.values_list("pk", "parent_id", "depth")):
        if parent_id is not None and (root is None or pk != root.pk):
            levels[depth].append((pk, parent_id))
    for depth in sorted(levels, reverse=True):
        for pk, parent_id in levels[depth]:
            n = totals.get(pk)
            if n:
                totals[parent_id] += n
    if root is not None and totals.get(root.pk):
        for ancestor in root.ancestor_ids():
            totals[ancestor] = totals[root.pk]
    return totals


def member_counts_under(roots: list[Organisation]) -> dict[int, int]:
    """Active members in the subtree of each of `roots`, in one query (not one per root)."""
    if not roots:
        return {}
    where = Q()
    for root in roots:
        where |= Q(organisation__path__startswith=root.path)
    rows = (
        Member.objects.filter(status__in=ACTIVE_STATUSES).filter(where)
        .values_list("organisation__path").annotate(n=Count("id")).order_by()
    )
    totals = _roll_up(rows)
    return {root.pk: totals.get(root.pk, 0) for root in roots}


def member_counts_sql_floor() -> dict[int, int]:
    """The same figure as one raw SQL aggregate (PostgreSQL): the benchmark's floor."""
    sql = """
        SELECT anc::bigint, SUM(n) FROM (
            SELECT o.path, COUNT(*) AS n
            FROM organisations_member m JOIN organisations_organisation o ON o.id = m.organisation_id
            WHERE m.status IN ('official', 'probationary')
            GROUP BY o.path
        ) per_org, unnest(string_to_array(rtrim(per_org.path, '.'), '.')) AS anc
        GROUP BY anc
    """
    with connection.cursor() as cur:
        cur.execute(sql)
        return {int(k): int(v) for k, v in cur.fetchall()}


def member_counts_on(day: datetime.date, root_path: str = "") -> dict[int, int]:
    """Members per subtree as the tree stood on `day`: memberships open on that day, rolled up
    by the placements valid on that day (so later moves and merges do not shift the past)."""
    placements = dict(placements_on(day).values_list("organisation_id", "path"))
    counts = (
        Membership.objects.filter(kind=MembershipKind.OFFICIAL, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [(placements[org_id], n) for org_id, n in counts if org_id in placements]
    if root_path:
        rows = [(p, n) for p, n in rows if p.startswith(root_path)]
    return _roll_up(rows)


def placements_on(day: datetime.date) -> QuerySet[OrgPlacement]:
    return OrgPlacement.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def tree_on(user, day: datetime.date, root: Organisation) -> list[dict]:
    """The subtree of `root` as it stood on `day`, as rows in path order with depth.

    `root` must already be visible to `user` (callers get it through access). What stood under
    it on that day is shown even if it has since moved elsewhere: past records stay with the
    organisation they belonged to."""
    root_pl = placements_on(day).filter(organisation=root).first()  # the root's path that day
    if root_pl is None:
        return []
    counts = member_counts_on(day, root_pl.path)
    return [
        {
            "organisation": pl.organisation,
            "path": pl.path,
            "depth": pl.path.count(".") - 1,
            "parent_id": pl.parent_id,
            "members": counts.get(pl.organisation_id, 0),
        }
        for pl in placements_on(day).filter(path__startswith=root_pl.path).select_related("organisation").order_by("path")
    ]


def roots_for(user) -> QuerySet[Organisation]:
    """The top organisations a user sees: their granted nodes (or the real roots)."""
    scope = access.scope_for(user)
    if scope.superuser:
        return Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True)
    prefixes = scope.prefixes(Action.VIEW)
    return Organisation.objects.filter(path__in=prefixes, dissolved__isnull=True)


def children_with_counts(org: Organisation) -> list[tuple[Organisation, int, bool]]:
    """Active children of `org` with their subtree member counts and whether they have children."""
    children = list(org.children.filter(dissolved__isnull=True).order_by("kind", "name"))
    counts = member_counts(org)
    parents_with_kids = set(
        Organisation.objects.filter(parent__in=children, dissolved__isnull=True).values_list("parent_id", flat=True)
    )
    return [(c, counts.get(c.pk, 0), c.pk in parents_with_kids) for c in children]


def subtree_kind_counts(org: Organisation) -> dict[str, int]:
    rows = (
        Organisation.objects.filter(path__startswith=org.path, dissolved__isnull=True)
        .exclude(pk=org.pk)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def search_members(user, query: str = "", org: Organisation | None = None) -> QuerySet[Member]:
    """Visible members, optionally under `org`, matching `query` without regard to accents or
    case, in Vietnamese name order."""
    qs = access.members(user).select_related("organisation")
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    for word in unaccent(query).split():
        qs = qs.filter(search_key__contains=word)
    return qs.order_by("sort_key", "id")
