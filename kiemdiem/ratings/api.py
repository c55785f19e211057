"""Meetings, votes, secret ballots and calibration over the API, scoped exactly like the
pages (ratings.selectors): 404 outside the caller's part of the tree, 403 beyond their role,
400 with the Vietnamese messages when a service refuses."""
from __future__ import annotations

import datetime
from typing import Optional

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Member
from kiemdiem.reviews import selectors as review_selectors
from kiemdiem.reviews.models import Review

from . import selectors, services
from .models import Meeting

router = Router(tags=["ratings"])


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


class RefusalOut(Schema):
    review_id: int
    subject: str
    level: str
    max_level: str
    max_level_name: str
    binding: bool  # the regulation: no reason gets past it; false: a written reason would
    reasons: list[str]
    cap_reasons: list[str]


class RefusedOut(Schema):
    detail: str
    messages: list[str] = []
    refusals: list[RefusalOut]


def _invalid(exc: ValidationError):
    """400 with the messages; 422 with the highest level allowed and why when the rules refuse a level."""
    if isinstance(exc, services.RatingRefused):
        return Status(422, {"detail": " ".join(exc.messages), "messages": exc.messages, "refusals": exc.refusals})
    return Status(400, {"detail": " ".join(exc.messages), "messages": exc.messages})


class MeetingIn(Schema):
    review_id: int
    held_on: datetime.date
    place: str = ""
    chair_id: Optional[int] = None
    secretary_id: Optional[int] = None
    agenda: str = ""


class MeetingOut(Schema):
    id: int
    review_id: int
    held_on: datetime.date
    place: str
    chair_id: Optional[int]
    secretary_id: Optional[int]
    agenda: str
    conclusions: str


class AttendanceRow(Schema):
    member_id: int
    present: bool = True
    reason: str = ""


class AttendanceIn(Schema):
    rows: list[AttendanceRow]


class QuorumOut(Schema):
    official: int
    present: int
    required: int
    ok: bool


class VoteIn(Schema):
    subject_id: int
    method: str


class VoteOut(Schema):
    id: int
    meeting_id: int
    subject_id: int
    method: str
    status: str
    eligible: int
    tally: dict[str, int]
    result_level: str


class BallotIn(Schema):
    level: str


class ReceiptOut(Schema):
    vote_id: int
    receipt: str


class CloseIn(Schema):
    counts: Optional[dict[str, int]] = None


class CountedOut(Schema):
    vote_id: int
    counted: bool


class RatingOut(Schema):
    id: int
    level: str
    previous_level: str
    reason: str
    cancelled: bool
    cancel_reason: str
    created_at: datetime.datetime


class RowOut(Schema):
    review_id: int
    subject: str
    kind: str
    unit: str
    self_level: str
    self_score: Optional[float]
    unit_level: str
    appraisal_level: str
    decision: str
    warnings: list[dict]  # {code, reason, binding, max_level}: binding ones nothing overrides
    max_level: str  # the highest level the binding rules allow
    max_level_reasons: list[str]
    quarters: dict[str, str] = {}  # an annual campaign: the same year's quarterly decisions, by quarter
    history: list[RatingOut]


class CalibrationOut(Schema):
    campaign_id: int
    body_id: int
    quota_raised: bool
    distribution: dict[str, dict[str, int]]
    quota_problems: list[str]
    rows: list[RowOut]


class DecisionIn(Schema):
    review_id: int
    level: str
    reason: str = ""


class DecideIn(Schema):
    campaign_id: int
    body_id: int
    decisions: list[DecisionIn]


class DecidedOut(Schema):
    decided: list[RatingOut]


def _meeting_out(m: Meeting) -> dict:
    return {"id": m.pk, "review_id": m.review_id, "held_on": m.held_on, "place": m.place, "chair_id": m.chair_id,
            "secretary_id": m.secretary_id, "agenda": m.agenda, "conclusions": m.conclusions}


def _vote_out(v) -> dict:
    return {"id": v.pk, "meeting_id": v.meeting_id, "subject_id": v.subject_id, "method": v.method, "status": v.status,
            "eligible": v.eligible, "tally": v.tally or {}, "result_level": v.result_level}


def _rating_out(r) -> dict:
    return {"id": r.pk, "level": r.level, "previous_level": r.previous_level, "reason": r.reason,
            "cancelled": r.cancelled_at is not None, "cancel_reason": r.cancel_reason, "created_at": r.created_at}


@router.post("/meetings", response={200: MeetingOut, 400: ErrorOut})
def meeting_create(request, payload: MeetingIn):
    review = review_selectors.get_review(request.user, payload.review_id, Action.MANAGE)
    if not review.is_collective:
        return _invalid(ValidationError(_("Hội nghị kiểm điểm gắn với báo cáo kiểm điểm của tập thể.")))
    unit_members = Member.objects.filter(organisation_id=review.unit_id)
    chair = unit_members.filter(pk=payload.chair_id).first() if payload.chair_id else None
    secretary = unit_members.filter(pk=payload.secretary_id).first() if payload.secretary_id else None
    if (payload.chair_id and chair is None) or (payload.secretary_id and secretary is None):
        return _invalid(ValidationError(_("Chủ trì, thư ký phải là đảng viên của chi bộ.")))
    try:
        meeting = services.meeting_create(actor=request.user, review=review, held_on=payload.held_on, place=payload.place,
                                          chair=chair, secretary=secretary, agenda=payload.agenda)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _meeting_out(meeting))


@router.put("/meetings/{meeting_id}/attendance", response={200: QuorumOut, 400: ErrorOut})
def meeting_attendance(request, meeting_id: int, payload: AttendanceIn):
    meeting = selectors.get_meeting(request.user, meeting_id)
    members = {m.pk: m for m in services.expected_attendees(meeting)}
    rows = []
    for row in payload.rows:
        if row.member_id not in members:
            return _invalid(ValidationError(_("Đảng viên không sinh hoạt tại chi bộ này.")))
        rows.append((members[row.member_id], row.present, row.reason))
    try:
        return Status(200, services.attendance_record(actor=request.user, meeting=meeting, rows=rows))
    except ValidationError as exc:
        return _invalid(exc)


@router.post("/meetings/{meeting_id}/votes", response={200: VoteOut, 400: ErrorOut})
def vote_open(request, meeting_id: int, payload: VoteIn):
    meeting = selectors.get_meeting(request.user, meeting_id)
    subject = Review.objects.filter(pk=payload.subject_id, campaign_id=meeting.review.campaign_id,
                                    unit_id=meeting.review.unit_id, leadership=meeting.review.leadership).first()
    if subject is None:
        raise Http404
    try:
        vote = services.vote_open(actor=request.user, meeting=meeting, subject=subject, method=payload.method)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _vote_out(vote))


@router.post("/votes/{vote_id}/ballots", response={200: ReceiptOut, 400: ErrorOut, 422: RefusedOut})
def ballot_cast(request, vote_id: int, payload: BallotIn):
    """A secret ballot by the caller (an official member present at the meeting). The receipt
    is returned once; nothing stored links it to the caller."""
    vote, voter = selectors.voter_vote(request.user, vote_id)
    if voter.refusal:
        return _invalid(ValidationError(voter.refusal))
    try:
        receipt = services.ballot_cast(voter=voter.member, vote=vote, level=payload.level)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, {"vote_id": vote.pk, "receipt": receipt})


@router.post("/votes/{vote_id}/close", response={200: VoteOut, 400: ErrorOut, 422: RefusedOut})
def vote_close(request, vote_id: int, payload: CloseIn):
    vote = selectors.get_vote(request.user, vote_id)
    try:
        vote = services.vote_close(actor=request.user, vote=vote, counts=payload.counts)
    except (ValidationError, ValueError) as exc:
        return _invalid(exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
    return Status(200, _vote_out(vote))


@router.get("/votes/{vote_id}/receipt/{code}", response=CountedOut)
def receipt_check(request, vote_id: int, code: str):
    vote, _voter = selectors.voter_vote(request.user, vote_id)
    return {"vote_id": vote.pk, "counted": services.ballot_counted(vote, code)}


@router.get("/campaigns/{campaign_id}/calibration", response=CalibrationOut)
def calibration(request, campaign_id: int, body_id: Optional[int] = None):
    """Every proposal the deciding body decides in the campaign (body_id defaults to the
    campaign's issuer)."""
    if body_id is None:
        campaign = review_selectors.get_campaign(request.user, campaign_id)
        body_id = campaign.issuer_id
    campaign, body = selectors.get_body_and_campaign(request.user, campaign_id, body_id)
    cal = selectors.calibration(campaign, body)
    return {
        "campaign_id": campaign.pk, "body_id": body.pk, "quota_raised": cal.raised,
        "distribution": {k: dict(v) for k, v in cal.distribution.items()}, "quota_problems": cal.quota_problems,
        "rows": [{"review_id": r.review.pk, "subject": r.subject, "kind": r.kind, "unit": r.unit, "self_level": r.self_level,
                  "self_score": float(r.self_score) if r.self_score is not None else None, "unit_level": r.unit_level,
                  "appraisal_level": r.appraisal_level, "decision": r.current, "warnings": r.warnings,
                  "max_level": r.cap, "max_level_reasons": r.cap_reasons, "quarters": {str(q): lv for q, lv in r.quarters},
                  "history": [_rating_out(h) for h in r.history]} for r in cal.rows],
    }


@router.post("/calibration/decide", response={200: DecidedOut, 400: ErrorOut, 422: RefusedOut})
def calibration_decide(request, payload: DecideIn):
    """Bulk decisions, all or nothing: every decision and the quota are checked together."""
    campaign, body = selectors.get_body_and_campaign(request.user, payload.campaign_id, payload.body_id)
    reviews = {pk: (campaign_id, org_path, member_id) for pk, campaign_id, org_path, member_id in Review.objects.filter(
        pk__in=[d.review_id for d in payload.decisions]).values_list("id", "campaign_id", "org_path", "member_id")}
    groups = {True: [], False: []}
    for d in payload.decisions:
        campaign_id, org_path, member_id = reviews.get(d.review_id, (None, "", None))
        if campaign_id != campaign.pk or not org_path.startswith(body.path):
            raise Http404
        groups[member_id is not None].append((d.review_id, d.level, d.reason))
    try:
        with transaction.atomic():
            out = []
            for decisions in groups.values():
                out += services.decide(actor=request.user, body=body, decisions=decisions, campaign=campaign)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, {"decided": [_rating_out(r) for r in out]})
