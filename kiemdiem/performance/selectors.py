"""What the rating rules read about work done: the contract with kiemdiem.ratings.

Every function here is set-based: a few GROUP BY queries whatever the number of subjects (id
lists are cut into IN lists of CHUNK ids, under SQLite's parameter limits).

- A task belongs to the period its deadline falls in (bounds included).
- A task still "Đang thực hiện" (pending) counts as failed: its deadline lies in the period, so
  it has passed by the period's end, when the period is rated.
- A subject with at least one task in the period is judged on its register; otherwise on its
  TaskDeclaration for that period (same bounds, or else the narrowest declaration containing
  the period); otherwise it has no entry.
- The 70-point task score is 70 × Σ credit / total, credit per status from the setting
  KIEMDIEM_TASK_CREDITS (default DEFAULT_TASK_CREDITS; the regulation's own formula is
  unverified), rounded to the nearest 0.5 point.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q

from .choices import COMPLETED, TaskStatus
from .models import ConfidenceVote, TaskAssignment, TaskDeclaration

CHUNK = 2000
TASK_POINTS = Decimal(70)
DEFAULT_TASK_CREDITS = {
    TaskStatus.ON_TIME.value: 1,
    TaskStatus.BEYOND.value: 1,
    TaskStatus.LATE.value: 0.5,
    TaskStatus.NOT_DONE.value: 0,
    TaskStatus.PENDING.value: 0,  # pending past its deadline
}


@dataclass(frozen=True)
class TaskFacts:
    total: int                 # tasks with a deadline in the period (declared: 0)
    on_time_pct: float | None  # share completed on time (on_time + beyond), 0..100
    beyond_pct: float | None   # share 'beyond'
    late_pct: float | None
    failed_pct: float | None   # not_done, plus pending whose deadline has passed by period end
    all_quality_met: bool | None
    score_tasks: Decimal | None  # out of 70, from the register (None when declared)
    declared: bool             # True when from a TaskDeclaration, not a register


def task_credits() -> dict[str, Decimal]:
    credits = {**DEFAULT_TASK_CREDITS, **getattr(settings, "KIEMDIEM_TASK_CREDITS", {})}
    return {status: Decimal(str(credits[status])) for status in TaskStatus.values}


def _chunks(ids) -> Iterator[list[int]]:
    """None -> one unfiltered pass; an iterable of ids -> lists of CHUNK ids (none if empty)."""
    if ids is None:
        yield None
        return
    ids = sorted(set(int(i) for i in ids))
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _subject_filters(members, organisations) -> Iterator[tuple[str, str, Q]]:
    """(key prefix, field, filter) per query to run."""
    for prefix, field, ids in (("m", "member_id", members), ("o", "organisation_id", organisations)):
        for chunk in _chunks(ids):
            yield prefix, field, Q(**{f"{field}__isnull": False}) if chunk is None else Q(**{f"{field}__in": chunk})


def _pct(n: int, total: int) -> float:
    return round(n * 100 / total, 2)


def _half_points(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def facts_from_counts(counts: dict[str, int], quality_failed: int, credits: dict[str, Decimal] | None = None) -> TaskFacts:
    """TaskFacts from the register's counts per status (and the completed tasks not to quality)."""
    credits = credits or task_credits()
    total = sum(counts.values())
    c = lambda s: counts.get(s, 0)  # noqa: E731
    earned = sum((credits[s] * n for s, n in counts.items()), Decimal(0))
    return TaskFacts(
        total=total,
        on_time_pct=_pct(c(TaskStatus.ON_TIME) + c(TaskStatus.BEYOND), total),
        beyond_pct=_pct(c(TaskStatus.BEYOND), total),
        late_pct=_pct(c(TaskStatus.LATE), total),
        failed_pct=_pct(c(TaskStatus.NOT_DONE) + c(TaskStatus.PENDING), total),
        all_quality_met=quality_failed == 0,
        score_tasks=_half_points(TASK_POINTS * earned / total),
        declared=False,
    )


def _declared(d: TaskDeclaration) -> TaskFacts:
    return TaskFacts(total=0, on_time_pct=float(d.on_time_pct), beyond_pct=float(d.beyond_pct), late_pct=float(d.late_pct),
                     failed_pct=float(d.failed_pct), all_quality_met=d.all_quality_met, score_tasks=None, declared=True)


def task_facts(period_start: datetime.date, period_end: datetime.date, *, members: Iterable[int] | None = None,
               organisations: Iterable[int] | None = None) -> dict[tuple[str, int], TaskFacts]:
    """keys ("m", member_id) / ("o", organisation_id). A register wins over a declaration.
    Set-based: a constant number of queries whatever the number of subjects (GROUP BY subject × status),
    members/organisations may be None meaning every subject with records in the period, or an
    iterable of ids (chunk IN lists of 2000 on SQLite); an empty iterable means none of that kind."""
    credits = task_credits()
    statuses = list(TaskStatus.values)
    # one row per subject: its tasks counted per status, and the completed ones not to quality
    # (a province: 160,000 rows rather than one per subject and status)
    per_status = {f"n{i}": Count("id", filter=Q(status=status)) for i, status in enumerate(statuses)}
    per_status["poor"] = Count("id", filter=Q(quality_met=False, status__in=COMPLETED))
    # subjects share a few patterns of counts (3 tasks, all on time...): one TaskFacts per
    # distinct pattern, shared (a province's 470,000 tasks: 1.4 s of Python otherwise)
    memo: dict[tuple, TaskFacts] = {}
    out: dict[tuple[str, int], TaskFacts] = {}
    declarations: dict[tuple[str, int], TaskDeclaration] = {}
    for prefix, field, subject_q in _subject_filters(members, organisations):
        rows = (TaskAssignment.objects.filter(subject_q, deadline__gte=period_start, deadline__lte=period_end)
                .values(field).annotate(**per_status).order_by().values_list(field, *per_status))
        # read with a plain cursor: the counts are integers already, and Django's converters
        # (one call per value, a million for a province) cost more than the query
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for subject_id, *pattern in rows:
            pattern = tuple(pattern)
            found = memo.get(pattern)
            if found is None:
                counts = {status: n for status, n in zip(statuses, pattern) if n}
                found = memo[pattern] = facts_from_counts(counts, pattern[-1], credits)
            out[(prefix, subject_id)] = found
        # declarations for the same bounds, or containing the period: the narrowest wins
        for d in (TaskDeclaration.objects.filter(subject_q, period_start__lte=period_start, period_end__gte=period_end)
                  .order_by("-period_start", "period_end", "-updated_at")):
            key = (prefix, getattr(d, field))
            if key not in out:
                declarations.setdefault(key, d)
    for key, d in declarations.items():
        out.setdefault(key, _declared(d))
    return out


def low_confidence(period_start: datetime.date, period_end: datetime.date, *,
                   members: Iterable[int] | None = None) -> dict[int, float]:
    """member id -> low-confidence share (0..100) of the latest vote held in the period."""
    out: dict[int, float] = {}
    for chunk in _chunks(members):
        votes = ConfidenceVote.objects.filter(held_on__gte=period_start, held_on__lte=period_end)
        if chunk is not None:
            votes = votes.filter(member_id__in=chunk)
        for member_id, low, total in votes.order_by("member_id", "held_on", "id").values_list("member_id", "low", "total"):
            out[member_id] = round(low * 100 / total, 2)  # the latest overwrites
    return out


def area_tasks_done_pct(period_start: datetime.date, period_end: datetime.date,
                        organisation_ids: Iterable[int] | None) -> dict[int, float]:
    """organisation id -> share (0..100) of the organisation's own tasks in the period that were
    completed (on time, beyond requirement or late); organisations without tasks are absent
    (None: every organisation with tasks in the period)."""
    done: dict[int, int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    for chunk in _chunks(organisation_ids):
        subject_q = Q(organisation__isnull=False) if chunk is None else Q(organisation_id__in=chunk)
        rows = (TaskAssignment.objects.filter(subject_q, deadline__gte=period_start, deadline__lte=period_end)
                .values_list("organisation_id", "status").annotate(n=Count("id")).order_by())
        for org_id, status, n in rows:
            total[org_id] += n
            if status in COMPLETED:
                done[org_id] += n
    return {org_id: _pct(done[org_id], n) for org_id, n in total.items()}

