"""Disciplines and conclusions over the API, scoped exactly like the pages: lists of an
organisation's subtree (VIEW), one record (VIEW of the unit it was recorded under), create
(MANAGE of the subject) and cancel a conclusion (MANAGE). A refused write is 400 with the
services' Vietnamese messages; a subject outside the caller's tree is 404, like a missing one."""
from __future__ import annotations

import datetime
from typing import Optional

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action

from . import services
from .choices import ConclusionKind, DisciplineForm
from .models import Conclusion, Discipline

router = Router(tags=["discipline"])

LIST_LIMIT = 2000


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


class DisciplineOut(Schema):
    id: int
    member_id: Optional[int] = None
    member_name: str = ""
    organisation_id: Optional[int] = None
    organisation_name: str = ""
    unit_id: int
    form: str
    form_label: str
    deciding_body_id: int
    decision_number: str
    decided_on: datetime.date
    violation_on: Optional[datetime.date] = None
    duty_related: bool
    self_detected_fixed: bool
    self_fix_evidence: str
    self_fix_reference: str
    summary: str


class DisciplineIn(Schema):
    member_id: Optional[int] = None
    organisation_id: Optional[int] = None
    form: str
    deciding_body_id: int
    decision_number: str
    decided_on: datetime.date
    violation_on: Optional[datetime.date] = None
    duty_related: bool = True
    self_detected_fixed: bool = False
    self_fix_evidence: str = ""
    self_fix_reference: str = ""
    summary: str = ""


class ConclusionOut(Schema):
    id: int
    member_id: Optional[int] = None
    member_name: str = ""
    organisation_id: Optional[int] = None
    organisation_name: str = ""
    unit_id: int
    kind: str
    kind_label: str
    body_id: int
    number: str
    concluded_on: datetime.date
    summary: str
    self_detected_fixed: bool
    self_fix_evidence: str
    self_fix_reference: str
    cancelled: bool
    cancelled_at: Optional[datetime.datetime] = None
    cancel_reason: str = ""


class ConclusionIn(Schema):
    member_id: Optional[int] = None
    organisation_id: Optional[int] = None
    kind: str
    body_id: int
    number: str
    concluded_on: datetime.date
    summary: str = ""
    self_detected_fixed: bool = False
    self_fix_evidence: str = ""
    self_fix_reference: str = ""


class CancelIn(Schema):
    reason: str


def _bad(messages: list[str]):
    return Status(400, {"detail": " ".join(messages), "messages": messages})


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _subject_fields(row) -> dict:
    return {"member_id": row.member_id, "member_name": row.member.full_name if row.member_id else "",
            "organisation_id": row.organisation_id,
            "organisation_name": row.organisation.name if row.organisation_id else "", "unit_id": row.unit_id}


def _discipline(d: Discipline) -> dict:
    return {"id": d.pk, **_subject_fields(d), "form": d.form, "form_label": _label(DisciplineForm, d.form),
            "deciding_body_id": d.deciding_body_id, "decision_number": d.decision_number, "decided_on": d.decided_on,
            "violation_on": d.violation_on, "duty_related": d.duty_related, "self_detected_fixed": d.self_detected_fixed,
            "self_fix_evidence": d.self_fix_evidence, "self_fix_reference": d.self_fix_reference, "summary": d.summary}


def _conclusion(c: Conclusion) -> dict:
    return {"id": c.pk, **_subject_fields(c), "kind": c.kind, "kind_label": _label(ConclusionKind, c.kind),
            "body_id": c.body_id, "number": c.number, "concluded_on": c.concluded_on, "summary": c.summary,
            "self_detected_fixed": c.self_detected_fixed, "self_fix_evidence": c.self_fix_evidence,
            "self_fix_reference": c.self_fix_reference, "cancelled": c.cancelled_at is not None,
            "cancelled_at": c.cancelled_at, "cancel_reason": c.cancel_reason}


def _subject(user, member_id, organisation_id):
    """The subject the caller manages (404 outside the caller's tree, 403 beyond the role), or
    the Vietnamese error when not exactly one is named."""
    if (member_id is None) == (organisation_id is None):
        return None, None, [_("Ghi một trong hai: member_id (đảng viên) hoặc organisation_id (tổ chức đảng).")]
    if member_id is not None:
        return access.get_member(user, member_id, Action.MANAGE), None, []
    return None, access.get_organisation(user, organisation_id, Action.MANAGE), []


def _body(user, body_id: int, what: str):
    body = access.organisations(user, Action.VIEW).filter(pk=body_id).first()
    return body, ([] if body is not None else [_("Không tìm thấy %(what)s.") % {"what": what}])


def _period(qs, field: str, start, end):
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lte": end})
    return qs


# --- disciplines ---------------------------------------------------------------------------

@router.get("/organisations/{org_id}/disciplines", response=list[DisciplineOut])
def discipline_list(request, org_id: int, start: Optional[datetime.date] = None, end: Optional[datetime.date] = None):
    """Disciplines recorded under the organisation's subtree (by the unit at the time), newest
    first, optionally decided between `start` and `end`."""
    org = access.get_organisation(request.user, org_id)
    qs = _period(Discipline.objects.filter(org_path__startswith=org.path), "decided_on", start, end)
    return [_discipline(d) for d in qs.select_related("member", "organisation")[:LIST_LIMIT]]


@router.get("/disciplines/{discipline_id}", response=DisciplineOut)
def discipline_get(request, discipline_id: int):
    d = Discipline.objects.select_related("member", "organisation").filter(pk=discipline_id).first()
    if d is None:
        raise Http404
    access.check_path(request.user, d.org_path)
    return _discipline(d)


@router.post("/disciplines", response={200: DisciplineOut, 400: ErrorOut})
def discipline_create(request, payload: DisciplineIn):
    member, organisation, errors = _subject(request.user, payload.member_id, payload.organisation_id)
    if errors:
        return _bad(errors)
    body, errors = _body(request.user, payload.deciding_body_id, _("cấp quyết định"))
    if errors:
        return _bad(errors)
    data = payload.model_dump(exclude={"member_id", "organisation_id", "deciding_body_id"})
    try:
        d = services.discipline_record(actor=request.user, member=member, organisation=organisation,
                                       deciding_body=body, **data)
    except ValidationError as exc:
        return _bad(exc.messages)
    return Status(200, _discipline(d))


# --- conclusions ---------------------------------------------------------------------------

@router.get("/organisations/{org_id}/conclusions", response=list[ConclusionOut])
def conclusion_list(request, org_id: int, start: Optional[datetime.date] = None, end: Optional[datetime.date] = None):
    """Conclusions recorded under the organisation's subtree, newest first (cancelled ones
    included, marked), optionally dated between `start` and `end`."""
    org = access.get_organisation(request.user, org_id)
    qs = _period(Conclusion.objects.filter(org_path__startswith=org.path), "concluded_on", start, end)
    return [_conclusion(c) for c in qs.select_related("member", "organisation")[:LIST_LIMIT]]


def _get_conclusion(user, conclusion_id: int, action: Action = Action.VIEW) -> Conclusion:
    c = Conclusion.objects.select_related("member", "organisation").filter(pk=conclusion_id).first()
    if c is None:
        raise Http404
    access.check_path(user, c.org_path, action)
    return c


@router.get("/conclusions/{conclusion_id}", response=ConclusionOut)
def conclusion_get(request, conclusion_id: int):
    return _conclusion(_get_conclusion(request.user, conclusion_id))


@router.post("/conclusions", response={200: ConclusionOut, 400: ErrorOut})
def conclusion_create(request, payload: ConclusionIn):
    member, organisation, errors = _subject(request.user, payload.member_id, payload.organisation_id)
    if errors:
        return _bad(errors)
    body, errors = _body(request.user, payload.body_id, _("cơ quan kết luận"))
    if errors:
        return _bad(errors)
    data = payload.model_dump(exclude={"member_id", "organisation_id", "body_id"})
    try:
        c = services.conclusion_record(actor=request.user, member=member, organisation=organisation, body=body, **data)
    except ValidationError as exc:
        return _bad(exc.messages)
    return Status(200, _conclusion(c))


@router.post("/conclusions/{conclusion_id}/cancel", response={200: ConclusionOut, 400: ErrorOut})
def conclusion_cancel(request, conclusion_id: int, payload: CancelIn):
    c = _get_conclusion(request.user, conclusion_id, Action.MANAGE)
    try:
        c = services.conclusion_cancel(actor=request.user, conclusion=c, reason=payload.reason)
    except ValidationError as exc:
        return _bad(exc.messages)
    return Status(200, _conclusion(c))
