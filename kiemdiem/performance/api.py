"""The task register, declarations and confidence votes over the API, scoped exactly like the
pages (views.get_subject, views.get_task, access.get_organisation): 404 outside the caller's
part of the tree, 403 beyond their role, 400 with the Vietnamese messages when a service or the
import refuses."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Optional

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action

from . import imports, services
from .choices import TaskStatus
from .models import ConfidenceVote, TaskAssignment
from .views import MEMBER, ORG, get_subject, get_task

router = Router(tags=["performance"])


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


class TaskOut(Schema):
    id: int
    member_id: Optional[int] = None
    organisation_id: Optional[int] = None
    title: str
    assigned_by: str
    assigned_on: Optional[datetime.date] = None
    deadline: datetime.date
    status: str
    quality_met: bool
    completed_on: Optional[datetime.date] = None
    evidence: str


class TaskIn(Schema):
    member_id: Optional[int] = None
    organisation_id: Optional[int] = None
    title: str
    assigned_by: str = ""
    assigned_on: Optional[datetime.date] = None
    deadline: datetime.date
    status: TaskStatus = TaskStatus.PENDING
    quality_met: bool = True
    completed_on: Optional[datetime.date] = None
    evidence: str = ""


class TaskPatch(Schema):
    status: Optional[TaskStatus] = None
    completed_on: Optional[datetime.date] = None
    clear_completed_on: bool = False
    quality_met: Optional[bool] = None
    evidence: Optional[str] = None


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    summary: str


class DeclarationIn(Schema):
    member_id: Optional[int] = None
    organisation_id: Optional[int] = None
    period_start: datetime.date
    period_end: datetime.date
    on_time_pct: Decimal
    beyond_pct: Decimal = Decimal(0)
    late_pct: Decimal = Decimal(0)
    failed_pct: Decimal = Decimal(0)
    all_quality_met: bool = True
    basis: str


class DeclarationOut(Schema):
    id: int
    member_id: Optional[int] = None
    organisation_id: Optional[int] = None
    period_start: datetime.date
    period_end: datetime.date
    on_time_pct: float
    beyond_pct: float
    late_pct: float
    failed_pct: float
    all_quality_met: bool
    basis: str


class VoteIn(Schema):
    member_id: int
    body_id: int
    held_on: datetime.date
    total: int
    high: int
    medium: int
    low: int
    note: str = ""


class VoteOut(Schema):
    id: int
    member_id: int
    body_id: int
    held_on: datetime.date
    total: int
    high: int
    medium: int
    low: int
    low_pct: float
    note: str


def _bad(exc: ValidationError):
    return Status(400, {"detail": " ".join(exc.messages), "messages": exc.messages})


def _subject(user, member_id, organisation_id, action):
    if (member_id is None) == (organisation_id is None):
        raise ValidationError(_("Ghi member_id hoặc organisation_id (chỉ một trong hai)."))
    kind, pk = (MEMBER, member_id) if member_id is not None else (ORG, organisation_id)
    member, organisation, _unit = get_subject(user, kind, pk, action)
    return member, organisation


def _task(t: TaskAssignment) -> dict:
    return {k: getattr(t, k) for k in TaskOut.model_fields}


def _vote(v: ConfidenceVote) -> dict:
    return {k: getattr(v, k) for k in VoteOut.model_fields}


@router.get("/members/{member_id}/tasks", response=list[TaskOut])
def member_tasks(request, member_id: int, year: Optional[int] = None):
    member, _o, _u = get_subject(request.user, MEMBER, member_id)
    tasks = TaskAssignment.objects.filter(member=member)
    return [_task(t) for t in (tasks.filter(deadline__year=year) if year else tasks).order_by("-deadline", "-id")[:2000]]


@router.get("/organisations/{org_id}/tasks", response=list[TaskOut])
def organisation_tasks(request, org_id: int, year: Optional[int] = None):
    _m, org, _u = get_subject(request.user, ORG, org_id)
    tasks = TaskAssignment.objects.filter(organisation=org)
    return [_task(t) for t in (tasks.filter(deadline__year=year) if year else tasks).order_by("-deadline", "-id")[:2000]]


@router.post("/tasks", response={200: TaskOut, 400: ErrorOut})
def task_create(request, payload: TaskIn):
    try:
        member, organisation = _subject(request.user, payload.member_id, payload.organisation_id, Action.MANAGE)
        data = payload.model_dump(exclude={"member_id", "organisation_id"})
        data["status"] = str(payload.status.value)
        task = services.task_create(actor=request.user, member=member, organisation=organisation, **data)
    except ValidationError as exc:
        return _bad(exc)
    return Status(200, _task(task))


@router.patch("/tasks/{task_id}", response={200: TaskOut, 400: ErrorOut})
def task_update(request, task_id: int, payload: TaskPatch):
    task = get_task(request.user, task_id, Action.MANAGE)
    kwargs = {"status": payload.status.value if payload.status else None, "quality_met": payload.quality_met,
              "evidence": payload.evidence}
    if payload.clear_completed_on:
        kwargs["completed_on"] = None
    elif payload.completed_on is not None:
        kwargs["completed_on"] = payload.completed_on
    try:
        task = services.task_update(actor=request.user, task=task, **kwargs)
    except ValidationError as exc:
        return _bad(exc)
    return Status(200, _task(task))


class DeletedOut(Schema):
    id: int
    deleted: bool


@router.delete("/tasks/{task_id}", response=DeletedOut)
def task_delete(request, task_id: int):
    task = get_task(request.user, task_id, Action.MANAGE)
    services.task_delete(actor=request.user, task=task)
    return {"id": task_id, "deleted": True}


@router.post("/organisations/{org_id}/tasks/import", response={200: ImportOut, 400: ErrorOut})
def task_import(request, org_id: int, file: File[UploadedFile]):
    """Multipart upload (.xlsx or .csv) of a task register for the organisation's subtree: all
    or nothing; 400 lists every row error as “Dòng N: …”."""
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    result = imports.task_import(file, actor=request.user, organisation=org, filename=file.name or "")
    if not result.ok:
        return Status(400, {"detail": result.summary(), "messages": result.messages()})
    return Status(200, {"rows": result.rows, "created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged, "summary": result.summary()})


@router.post("/task-declarations", response={200: DeclarationOut, 400: ErrorOut})
def declaration_set(request, payload: DeclarationIn):
    try:
        member, organisation = _subject(request.user, payload.member_id, payload.organisation_id, Action.MANAGE)
        row = services.declaration_set(actor=request.user, member=member, organisation=organisation,
                                       **payload.model_dump(exclude={"member_id", "organisation_id"}))
    except ValidationError as exc:
        return _bad(exc)
    return Status(200, {k: getattr(row, k) for k in DeclarationOut.model_fields})


@router.get("/organisations/{org_id}/confidence-votes", response=list[VoteOut])
def votes_list(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    return [_vote(v) for v in ConfidenceVote.objects.filter(org_path__startswith=org.path)[:2000]]


@router.post("/confidence-votes", response={200: VoteOut, 400: ErrorOut})
def vote_create(request, payload: VoteIn):
    body = access.get_organisation(request.user, payload.body_id, Action.MANAGE)
    member = access.get_member(request.user, payload.member_id, Action.MANAGE)
    try:
        vote = services.confidence_vote_record(actor=request.user, member=member, body=body,
                                               **payload.model_dump(exclude={"member_id", "body_id"}))
    except ValidationError as exc:
        return _bad(exc)
    return Status(200, _vote(vote))
