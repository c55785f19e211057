"""Remediation over the API, scoped exactly like the pages (views.get_item, views.get_action,
access.get_organisation). A refused step (a service gate) is 400 with the Vietnamese messages."""
from __future__ import annotations

import datetime
from typing import Optional

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from kiemdiem.organisations import access

from . import selectors, services
from .choices import ItemState
from .models import RemediationItem, RemovalCase
from .views import counts_text, get_action, get_item

router = Router(tags=["remediation"])


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


class ActionOut(Schema):
    id: int
    what: str
    who: str
    deadline: datetime.date
    expected_evidence: str
    state: str
    evidence_note: str
    evidence_link: str
    done_at: Optional[datetime.datetime] = None
    overdue: bool = False


class ItemOut(Schema):
    id: int
    text: str
    state: str
    state_label: str
    long_standing: bool
    member_id: Optional[int] = None
    organisation_id: Optional[int] = None
    review_id: int
    verification_note: str
    actions: list[ActionOut] = []


class ActionIn(Schema):
    what: str
    who: str
    deadline: datetime.date
    expected_evidence: str = ""


class CompleteIn(Schema):
    note: str = ""
    link: str = ""


class VerifyIn(Schema):
    effective: bool
    note: str


class ProgressRow(Schema):
    organisation_id: int
    counts: dict[str, int]


class RemovalCaseOut(Schema):
    id: int
    member_id: int
    member_name: str
    year: int
    ground: str
    state: str
    evidence: list
    decision_number: str
    decided_on: Optional[datetime.date] = None
    status_before: str


class RemovalOut(Schema):
    year: int
    counts: dict[str, int]
    counts_text: str
    cases: list[RemovalCaseOut]


def _action(a, today) -> dict:
    return {"id": a.pk, "what": a.what, "who": a.who, "deadline": a.deadline, "expected_evidence": a.expected_evidence,
            "state": a.state, "evidence_note": a.evidence_note, "evidence_link": a.evidence_link, "done_at": a.done_at,
            "overdue": a.state != "done" and a.deadline < today}


def _item(item, actions=None) -> dict:
    today = timezone.localdate()
    actions = item.actions.all() if actions is None else actions
    return {"id": item.pk, "text": item.text, "state": item.state, "state_label": str(ItemState(item.state).label),
            "long_standing": item.long_standing, "member_id": item.member_id, "organisation_id": item.organisation_id,
            "review_id": item.review_id, "verification_note": item.verification_note,
            "actions": [_action(a, today) for a in actions]}


def _bad(exc: ValidationError):
    return Status(400, {"detail": " ".join(exc.messages), "messages": exc.messages})


@router.get("/remediation/items", response=list[ItemOut])
def my_items(request):
    """The caller's own items (as a member)."""
    member_id = access.scope_for(request.user).member_id
    if not member_id:
        return []
    items = RemediationItem.objects.filter(member_id=member_id).prefetch_related("actions").order_by("-created_at", "-id")
    return [_item(i) for i in items]


@router.get("/remediation/items/{item_id}", response=ItemOut)
def item_detail(request, item_id: int):
    item, _p = get_item(request.user, item_id)
    return _item(item)


@router.post("/remediation/items/{item_id}/actions", response={200: ActionOut, 400: ErrorOut})
def action_add(request, item_id: int, payload: ActionIn):
    item, _p = get_item(request.user, item_id, "write")
    try:
        action = services.action_add(actor=request.user, item=item, **payload.model_dump())
    except ValidationError as exc:
        return _bad(exc)
    return Status(200, _action(action, timezone.localdate()))


@router.post("/remediation/actions/{action_id}/complete", response={200: ActionOut, 400: ErrorOut})
def action_complete(request, action_id: int, payload: CompleteIn):
    """Record an action as done with its evidence (a note or a link; files through the page)."""
    action = get_action(request.user, action_id)
    try:
        action = services.action_complete(actor=request.user, action=action, note=payload.note, link=payload.link)
    except ValidationError as exc:
        return _bad(exc)
    return Status(200, _action(action, timezone.localdate()))


@router.post("/remediation/items/{item_id}/verify", response={200: ItemOut, 400: ErrorOut})
def item_verify(request, item_id: int, payload: VerifyIn):
    item, _p = get_item(request.user, item_id, "decide")
    try:
        item = services.item_verify(actor=request.user, item=item, effective=payload.effective, note=payload.note)
    except ValidationError as exc:
        return _bad(exc)
    return Status(200, _item(item))


@router.get("/organisations/{org_id}/remediation/progress", response=list[ProgressRow])
def progress(request, org_id: int):
    """Items by state (and overdue) for the organisation and each unit below it."""
    org = access.get_organisation(request.user, org_id)
    return [{"organisation_id": pk, "counts": dict(counts)} for pk, counts in sorted(selectors.progress(org.path).items())]


@router.get("/organisations/{org_id}/removal", response=RemovalOut)
def removal(request, org_id: int, year: Optional[int] = Query(None, ge=1945, le=2200)):
    org = access.get_organisation(request.user, org_id)
    year = year or timezone.localdate().year
    cases = RemovalCase.objects.filter(org_path__startswith=org.path, year=year).select_related("member").order_by("org_path", "id")
    counts = services.removal_counts(org.path, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    return {
        "year": year, "counts": counts, "counts_text": counts_text(counts),
        "cases": [{"id": c.pk, "member_id": c.member_id, "member_name": c.member.full_name, "year": c.year,
                   "ground": c.ground, "state": c.state, "evidence": c.evidence, "decision_number": c.decision_number,
                   "decided_on": c.decided_on, "status_before": c.status_before} for c in cases],
    }
