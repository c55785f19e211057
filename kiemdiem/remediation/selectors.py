"""Reads over remediation: progress rolled up by path, upcoming deadlines, overdue items
escalated to the superior, and the "slow to fix" list."""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .choices import OPEN_STATES, ActionState, ItemState
from .models import RemediationAction, RemediationItem


def reminder_days() -> int:
    return getattr(settings, "KIEMDIEM_REMEDIATION_REMINDER_DAYS", 10)


def overdue_actions(root_path: str, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return RemediationAction.objects.filter(item__org_path__startswith=root_path, deadline__lt=today).exclude(state=ActionState.DONE)


def due_soon(root_path: str, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return RemediationAction.objects.filter(
        item__org_path__startswith=root_path, deadline__gte=today, deadline__lte=today + datetime.timedelta(days=reminder_days())
    ).exclude(state=ActionState.DONE)


def progress(root_path: str, today: datetime.date | None = None) -> dict[int, dict]:
    """Per organisation under root: items by state and overdue items, rolled up the tree."""
    today = today or timezone.localdate()
    late = RemediationAction.objects.filter(item=OuterRef("pk"), deadline__lt=today).exclude(state=ActionState.DONE)
    rows = (
        RemediationItem.objects.filter(org_path__startswith=root_path)
        .annotate(late=Exists(late))
        .values_list("org_path", "state", "late")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    depth = root_path.count(".")
    for path, state, is_late, n in rows:
        for part in path[:-1].split(".")[depth - 1:]:
            t = out[int(part)]
            t[state] += n
            t["total"] += n
            if is_late and state in OPEN_STATES:
                t["overdue"] += n
    return out


def slow_to_fix(root_path: str, today: datetime.date | None = None, min_overdue_days: int = 30):
    """Owners with open items whose actions are overdue by more than `min_overdue_days`, or
    items still without a plan long after they were recorded (seed 000: replace slow fixers)."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=min_overdue_days)
    late = RemediationAction.objects.filter(item=OuterRef("pk"), deadline__lt=cutoff).exclude(state=ActionState.DONE)
    return (
        RemediationItem.objects.filter(org_path__startswith=root_path, state__in=OPEN_STATES)
        .filter(Q(Exists(late)) | Q(state=ItemState.NEW, created_at__date__lt=cutoff) | Q(state=ItemState.REOPENED))
        .select_related("member", "organisation")
        .order_by("org_path", "id")
    )
