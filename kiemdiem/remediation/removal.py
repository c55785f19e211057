"""Removal candidates (xóa tên; Điều lệ Art. 8.2, QĐ 294-QĐ/TW 2025), computed for a set of
members and a year with a few grouped queries, each with its evidence month by month.

Rules (thresholds configurable where domain.md marks them unverified):
- unexcused absence from cell meetings, or unpaid dues, in 3 months of the year (the months
  need not be consecutive; a month counts against the member only while they belonged to a
  cell in scope that month, so transfers do not double-count);
- rated KHTNV (or disciplined for violating membership standards) two years running;
- probationary members who reach 12 months of probation during the year (admit or remove).
"""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Q

from kiemdiem.organisations.choices import ACTIVE_STATUSES, MembershipKind, PartyStatus
from kiemdiem.organisations.models import Member, Membership

from .choices import AttendanceStatus, RemovalGround
from .models import DuesPayment, MeetingAttendance


def months_threshold() -> int:
    return getattr(settings, "KIEMDIEM_REMOVAL_MONTHS", 3)


def _month(d: datetime.date) -> int:
    return d.month


def _member_months(memberships, year: int) -> dict[int, set[int]]:
    """Months of `year` in which each member held an official membership (any cell)."""
    out: dict[int, set[int]] = defaultdict(set)
    for member_id, start, end in memberships:
        for m in range(1, 13):
            first = datetime.date(year, m, 1)
            last = (datetime.date(year + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1))
            if start <= last and (end is None or end > first):
                out[member_id].add(m)
    return out


def candidates(members, year: int, today: datetime.date | None = None) -> list[dict]:
    """members: a queryset of Member. Returns [{member_id, ground, evidence: [...]}]."""
    ids = list(members.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    if not ids:
        return []
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    today = today or end
    last_month = 12 if today >= end else today.month - 1 if today.year == year else 12
    memberships = Membership.objects.filter(member_id__in=ids, kind=MembershipKind.OFFICIAL, start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gt=start)
    ).values_list("member_id", "start", "end")
    active_months = _member_months(memberships, year)

    # unexcused absences: months with at least one unexcused absence
    absent: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for member_id, held_on in MeetingAttendance.objects.filter(
        member_id__in=ids, status=AttendanceStatus.UNEXCUSED, meeting__held_on__gte=start, meeting__held_on__lte=end
    ).values_list("member_id", "meeting__held_on"):
        absent[member_id][held_on.month].append(held_on.isoformat())
    # dues: months paid
    paid: dict[int, set[int]] = defaultdict(set)
    for member_id, month in DuesPayment.objects.filter(member_id__in=ids, month__gte=start, month__lte=end).values_list(
        "member_id", "month"
    ):
        paid[member_id].add(month.month)

    out = []
    threshold = months_threshold()
    for member_id in ids:
        months = {m for m in active_months.get(member_id, set()) if m <= last_month}
        absence_months = sorted(m for m in absent.get(member_id, {}) if m in months)
        unpaid_months = sorted(m for m in months if m not in paid.get(member_id, set()))
        combined = sorted(set(absence_months) | set(unpaid_months))
        if len(absence_months) >= threshold:
            ground = RemovalGround.ABSENCE
        elif len(unpaid_months) >= threshold:
            ground = RemovalGround.DUES
        elif len(combined) >= threshold:
            ground = RemovalGround.ABSENCE_OR_DUES
        else:
            continue
        evidence = [
            {"month": f"{m:02d}/{year}", "unexcused_absences": absent.get(member_id, {}).get(m, []), "dues_paid": m not in unpaid_months}
            for m in combined
        ]
        out.append({"member_id": member_id, "ground": ground, "evidence": evidence})

    # two years running KHTNV at the decision stage
    from kiemdiem.ratings.models import Rating

    failing = defaultdict(set)
    for member_id, y in Rating.objects.filter(
        review__member_id__in=ids, stage="decision", level="KHTNV", cancelled_at__isnull=True,
        review__campaign__kind="annual", review__campaign__year__in=[year - 1, year],
    ).values_list("review__member_id", "review__campaign__year"):
        failing[member_id].add(y)
    for member_id, years in failing.items():
        if years == {year - 1, year}:
            out.append({"member_id": member_id, "ground": RemovalGround.TWO_YEARS,
                        "evidence": [{"year": y, "level": "KHTNV"} for y in sorted(years)]})

    # probation reaching 12 months in the year
    for member_id, admitted in Member.objects.filter(pk__in=ids, status=PartyStatus.PROBATIONARY).values_list("pk", "admitted_on"):
        due = datetime.date(admitted.year + 1, admitted.month, min(admitted.day, 28))
        if start <= due <= end:
            out.append({"member_id": member_id, "ground": RemovalGround.PROBATION,
                        "evidence": [{"admitted_on": admitted.isoformat(), "twelve_months_on": due.isoformat()}]})
    return out
