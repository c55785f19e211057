"""What the rating rules read from this app, set-based: a fixed number of queries whatever the
number of subjects (the contract the QĐ 366 rules call; keep the names)."""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest

from django.db.models import Q

from .models import Conclusion, Discipline

CHUNK = 2000  # ids per IN list (well under every backend's limit on bound parameters)


@dataclass(frozen=True)
class ConclusionFact:
    kind: str  # choices.ConclusionKind
    concluded_on: datetime.date
    self_detected_fixed: bool  # softened: found and fixed by the subject (evidence recorded)


def _chunks(ids) -> list[list[int]] | None:
    """None stays None (= every subject); ids become sorted, de-duplicated chunks of CHUNK."""
    if ids is None:
        return None
    ids = sorted({int(i) for i in ids})
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def conclusions_in_period(
    period_start: datetime.date, period_end: datetime.date, *, members: Iterable[int] | None = None,
    organisations: Iterable[int] | None = None,
) -> dict[tuple[str, int], tuple[ConclusionFact, ...]]:
    """The conclusions dated within the period (both ends included), cancelled ones left out,
    keyed ("m", member_id) / ("o", organisation_id), each subject's facts in date order.

    `members` / `organisations`: None = every subject of that kind, or iterables of ids (an
    empty one = none of that kind). One query when both are None; otherwise one query per
    2000 ids of the longer list (the two lists share the queries): never a query per subject.
    Subjects without a conclusion in the period have no key."""
    member_chunks, org_chunks = _chunks(members), _chunks(organisations)
    base = Conclusion.objects.filter(concluded_on__gte=period_start, concluded_on__lte=period_end,
                                     cancelled_at__isnull=True)
    if member_chunks is None and org_chunks is None:
        filters = [Q()]
    else:
        m_all = Q(member__isnull=False) if member_chunks is None else None
        o_all = Q(organisation__isnull=False) if org_chunks is None else None
        filters = []
        for m_ids, o_ids in zip_longest(member_chunks or [], org_chunks or []):
            q = Q(pk__in=[])
            if m_ids:
                q |= Q(member_id__in=m_ids)
            if o_ids:
                q |= Q(organisation_id__in=o_ids)
            filters.append(q)
        # "every subject" of one kind and a list of the other: added to the first query
        extra = (m_all or Q(pk__in=[])) | (o_all or Q(pk__in=[]))
        if filters:
            filters[0] |= extra
        elif m_all is not None or o_all is not None:
            filters = [extra]
    out: dict[tuple[str, int], list[ConclusionFact]] = defaultdict(list)
    for q in filters:
        rows = base.filter(q).order_by("concluded_on", "id").values_list(
            "member_id", "organisation_id", "kind", "concluded_on", "self_detected_fixed")
        for member_id, org_id, kind, on, softened in rows:
            key = ("m", member_id) if member_id is not None else ("o", org_id)
            out[key].append(ConclusionFact(kind=kind, concluded_on=on, self_detected_fixed=softened))
    return {key: tuple(sorted(facts, key=lambda f: f.concluded_on)) for key, facts in out.items()}


def _common_prefix(paths: list[str]) -> str:
    """The longest whole-segment prefix ("1.23.") shared by every path."""
    first, last = min(paths), max(paths)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    return first[: first.rfind(".", 0, i) + 1] if i < len(first) else first


def disciplined_under(period_start: datetime.date, period_end: datetime.date, org_paths: Iterable[str]) -> set[str]:
    """Of the given organisation paths, those under which (strictly below the organisation
    itself: a subordinate organisation, or a member of a subordinate unit) a discipline was
    decided in the period (both ends included): for QĐ 366's "a collective with a subordinate
    unit or leadership member disciplined cannot be HTXSNV" (the leadership members are the
    caller's: they sit in the organisation itself, so they are not counted here).

    By Discipline.org_path, the unit the subject belonged to when disciplined, so a later move
    does not carry the discipline elsewhere. One query: the distinct paths of the period's
    disciplines below the paths' common prefix, matched to the given paths in Python by their
    ancestors' prefixes."""
    wanted = {p for p in org_paths if p}
    if not wanted:
        return set()
    qs = Discipline.objects.filter(decided_on__gte=period_start, decided_on__lte=period_end)
    prefix = _common_prefix(sorted(wanted))
    if prefix:
        qs = qs.filter(org_path__startswith=prefix)
    found: set[str] = set()
    for path in qs.order_by().values_list("org_path", flat=True).distinct():
        # every proper ancestor-or-self prefix of `path` other than `path` itself
        end = path.find(".")
        while end != -1 and end + 1 < len(path):
            ancestor = path[: end + 1]
            if ancestor in wanted:
                found.add(ancestor)
            end = path.find(".", end + 1)
    return found
