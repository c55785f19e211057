"""Removal candidates (xóa tên; Điều lệ Art. 8.2, QĐ 294-QĐ/TW 2025), computed for a set of
members and a year with a few grouped queries, each with its evidence month by month.

Rules (thresholds configurable where domain.md marks them unverified):
- unexcused absence from cell meetings, or unpaid dues, in 3 months of the year (the months
  need not be consecutive; a month counts against the member only while they held an official
  membership that month, so months before joining do not count and a transfer within a month
  does not count twice);
- rated KHTNV (or disciplined for violating membership standards) two years running;
- probationary members who reach 12 months of probation during the year (admit or remove).
Only months already over count: for the current year, the months before today's.

How it stays fast for a province (≈165,000 members, 12 months of attendance and dues, see
bench/removal_candidates.py): the database does the counting, grouped by member (months paid)
and by member and month (unexcused absences), and Python only looks at the few members whose
counts can reach the threshold ("suspects": months unpaid + months with an unexcused absence
≥ threshold, counted over the calendar months). For those alone it reads the memberships and
the months paid and works out the exact months, since a month counts only while the member
held an official membership (transfers, joining during the year).
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from kiemdiem.organisations.choices import ACTIVE_STATUSES, MembershipKind, PartyStatus
from kiemdiem.organisations.models import Member, Membership

from .choices import AttendanceStatus, RemovalGround, RemovalState
from .models import DuesPayment, MeetingAttendance, RemovalCase


def months_threshold() -> int:
    return getattr(settings, "KIEMDIEM_REMOVAL_MONTHS", 3)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """Id lists small enough for one `IN (…)` (SQLite allows 999 parameters per query)."""
    size = 900 if connection.vendor == "sqlite" else 20_000
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def months_over(year: int, today: datetime.date) -> int:
    """How many months of `year` are over on `today` (12 for a past year, 0 for a future one)."""
    if today.year > year:
        return 12
    if today.year < year:
        return 0
    return 12 if today == datetime.date(year, 12, 31) else today.month - 1


def _member_months(memberships, year: int, last_month: int) -> dict[int, set[int]]:
    """Months 1..last_month of `year` in which each member held an official membership."""
    bounds = [(datetime.date(year, m, 1), datetime.date(year + (m == 12), m % 12 + 1, 1)) for m in range(1, last_month + 1)]
    out: dict[int, set[int]] = defaultdict(set)
    for member_id, start, end in memberships:
        for m, (first, after) in enumerate(bounds, 1):
            if start < after and (end is None or end > first):
                out[member_id].add(m)
    return out


def _absence_and_dues(scope, year: int, last_month: int) -> list[dict]:
    start = datetime.date(year, 1, 1)
    cutoff = datetime.date(year + (last_month == 12), last_month % 12 + 1, 1)  # first day not counted
    threshold = months_threshold()
    in_scope = scope.values("pk")

    # 1. in the database: unexcused absences (few rows: member, date), months paid per member
    #    for the members who did not pay every month
    absent: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for member_id, held_on in (
        MeetingAttendance.objects.filter(member__in=in_scope, status=AttendanceStatus.UNEXCUSED,
                                         meeting__held_on__gte=start, meeting__held_on__lt=cutoff)
        .values_list("member_id", "meeting__held_on").order_by("meeting__held_on")
    ):
        absent[member_id][held_on.month].append(held_on.isoformat())
    paid_count = dict(
        scope.annotate(paid=Count("dues", filter=Q(dues__month__gte=start, dues__month__lt=cutoff)))
        .filter(paid__lt=last_month).values_list("pk", "paid").order_by()
    )
    # 2. suspects: counted over the calendar months, a superset of the candidates
    suspects = [
        member_id for member_id in set(absent) | set(paid_count)
        if last_month - paid_count.get(member_id, last_month) + len(absent.get(member_id, ())) >= threshold
    ]
    if not suspects:
        return []
    # 3. exact months for the suspects: only months with an official membership count
    active: dict[int, set[int]] = defaultdict(set)
    paid: dict[int, set[int]] = defaultdict(set)
    for ids in _chunks(sorted(suspects)):
        memberships = Membership.objects.filter(member_id__in=ids, kind=MembershipKind.OFFICIAL, start__lt=cutoff).filter(
            Q(end__isnull=True) | Q(end__gt=start)
        ).values_list("member_id", "start", "end")
        for member_id, months in _member_months(memberships, year, last_month).items():
            active[member_id] |= months
        for member_id, month in DuesPayment.objects.filter(member_id__in=ids, month__gte=start, month__lt=cutoff).values_list(
            "member_id", "month"
        ):
            paid[member_id].add(month.month)

    out = []
    for member_id in sorted(suspects):
        months = active.get(member_id, set())
        member_absent = absent.get(member_id, {})
        absence_months = sorted(m for m in member_absent if m in months)
        unpaid_months = sorted(m for m in months if m not in paid.get(member_id, ()))
        combined = sorted(set(absence_months) | set(unpaid_months))
        if len(absence_months) >= threshold:
            ground = RemovalGround.ABSENCE
        elif len(unpaid_months) >= threshold:
            ground = RemovalGround.DUES
        elif len(combined) >= threshold:
            ground = RemovalGround.ABSENCE_OR_DUES
        else:
            continue
        unpaid = set(unpaid_months)
        evidence = [
            {"month": f"{m:02d}/{year}", "unexcused_absences": member_absent.get(m, []), "dues_paid": m not in unpaid}
            for m in combined
        ]
        out.append({"member_id": member_id, "ground": ground, "evidence": evidence})
    return out


def candidates(members, year: int, today: datetime.date | None = None) -> list[dict]:
    """members: a queryset of Member (any size: it is used as a subquery, never listed).
    Returns [{member_id, ground, evidence: [...]}]; `today` defaults to the local date."""
    scope = members.filter(status__in=ACTIVE_STATUSES)
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    today = today or timezone.localdate()
    last_month = months_over(year, today)
    out = _absence_and_dues(scope, year, last_month) if last_month else []

    # two years running KHTNV at the decision stage
    from kiemdiem.ratings.models import Rating

    failing = defaultdict(set)
    for member_id, y in Rating.objects.filter(
        review__member__in=scope.values("pk"), stage="decision", level="KHTNV", cancelled_at__isnull=True,
        review__campaign__kind="annual", review__campaign__year__in=[year - 1, year],
    ).values_list("review__member_id", "review__campaign__year").order_by().distinct():
        failing[member_id].add(y)
    for member_id, years in sorted(failing.items()):
        if years == {year - 1, year}:
            out.append({"member_id": member_id, "ground": RemovalGround.TWO_YEARS,
                        "evidence": [{"year": y, "level": "KHTNV"} for y in sorted(years)]})

    # probation reaching 12 months in the year
    for member_id, admitted in scope.filter(status=PartyStatus.PROBATIONARY).values_list("pk", "admitted_on").order_by("pk"):
        due = datetime.date(admitted.year + 1, admitted.month, min(admitted.day, 28))
        if start <= due <= end:
            out.append({"member_id": member_id, "ground": RemovalGround.PROBATION,
                        "evidence": [{"admitted_on": admitted.isoformat(), "twelve_months_on": due.isoformat()}]})
    return out


def store(found: list[dict], year: int) -> int:
    """Save candidates as RemovalCase rows in a few statements: new ones created, the evidence of
    those still at the candidate stage refreshed when it changed, proposed and decided ones kept
    as they are. Returns how many cases are new. Call inside a transaction."""
    ids = sorted({c["member_id"] for c in found})
    paths: dict[int, str] = {}
    existing: dict[tuple[int, str], tuple[int, str, list]] = {}
    for chunk in _chunks(ids):
        paths.update(Member.objects.filter(pk__in=chunk).values_list("pk", "organisation__path"))
        for pk, member_id, ground, state, evidence in RemovalCase.objects.filter(member_id__in=chunk, year=year).values_list(
            "pk", "member_id", "ground", "state", "evidence"
        ):
            existing[(member_id, ground)] = (pk, state, evidence)
    new, changed = [], []
    for c in found:
        key = (c["member_id"], str(c["ground"]))
        if key not in existing:
            new.append(RemovalCase(member_id=c["member_id"], year=year, ground=c["ground"], evidence=c["evidence"],
                                   org_path=paths[c["member_id"]]))
            existing[key] = (None, RemovalState.CANDIDATE, c["evidence"])
        else:
            pk, state, evidence = existing[key]
            if pk is not None and state == RemovalState.CANDIDATE and evidence != c["evidence"]:
                changed.append(RemovalCase(pk=pk, evidence=c["evidence"]))
    RemovalCase.objects.bulk_create(new, batch_size=2000)
    RemovalCase.objects.bulk_update(changed, ["evidence"], batch_size=500)
    return len(new)
