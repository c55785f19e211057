"""Feedback in the JSON API, scoped exactly like the pages (the same selectors): a review,
request or point outside the caller's part of the tree is 404, an action beyond the caller's
role 403, a refused write 400 with the Vietnamese messages."""
from __future__ import annotations

import datetime
from typing import Optional

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kiemdiem.campaigns.views import get_campaign, progress_node
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews.choices import EDITABLE

from . import selectors, services
from .choices import SourceType
from .models import FeedbackPoint, FeedbackRequest

router = Router(tags=["feedback"])


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


class CountsOut(Schema):
    requested: int
    answered: int
    overdue: int
    anonymous_shown: int
    held_back: int
    held_reviews: int


class TypeCountsOut(CountsOut):
    source_type: str
    label: str


class ChildOut(Schema):
    org_id: int
    name: str
    total: CountsOut


class ProgressOut(Schema):
    campaign_id: int
    org_id: int
    org_name: str
    threshold: int
    total: CountsOut
    by_type: list[TypeCountsOut]
    children: list[ChildOut]


class PointOut(Schema):
    id: int
    kind: str
    text: str
    source_type: str
    source: str
    anonymous: bool
    absorption: str
    section: str
    explanation: str


class PointsOut(Schema):
    review_id: int
    threshold: int
    points: list[PointOut]
    held_back: dict[str, int]


class RequestIn(Schema):
    source_type: str
    source_org_id: Optional[int] = None
    source_member_id: Optional[int] = None
    source_name: str = ""
    source_email: str = ""
    due: Optional[datetime.date] = None


class RequestOut(Schema):
    id: int
    review_id: int
    source_type: str
    source: str
    due: Optional[datetime.date]
    status: str


class PointIn(Schema):
    kind: str
    text: str


class RespondIn(Schema):
    points: list[PointIn]
    signed_as: str = ""
    document_ref: str = ""


class RespondOut(Schema):
    request_id: int
    status: str
    points: int


class AbsorbIn(Schema):
    absorption: str
    section: str = ""
    explanation: str = ""


def _invalid(exc: ValidationError):
    return Status(400, {"detail": " ".join(exc.messages), "messages": exc.messages})


def _counts(c: selectors.Counts) -> dict:
    return {name: getattr(c, name) for name in selectors.Counts.__dataclass_fields__}


def _point(p: FeedbackPoint) -> dict:
    if p.response_id:
        source_type, source = p.response.request.source_type, p.response.request.source_label
    else:
        source_type, source = p.anonymous.group, str(SourceType(p.anonymous.group).label)
    return {"id": p.pk, "kind": p.kind, "text": p.text, "source_type": source_type, "source": source,
            "anonymous": not p.response_id, "absorption": p.absorption, "section": p.section,
            "explanation": p.explanation}


@router.get("/campaigns/{campaign_id}/feedback/progress", response=ProgressOut)
def feedback_progress(request, campaign_id: int, org_id: Optional[int] = None):
    """Requests, answers and overdue requests per source type under an organisation (default:
    the caller's visible root of the campaign), with anonymous responses shown or held back."""
    campaign = get_campaign(request.user, campaign_id)
    org, path = progress_node(request.user, campaign, org_id)
    tallies = selectors.feedback_progress(campaign, path)
    here = tallies.get(org.pk) or selectors.FeedbackProgress()
    return {
        "campaign_id": campaign.pk, "org_id": org.pk, "org_name": org.name, "threshold": services.anonymous_threshold(),
        "total": _counts(here.total),
        "by_type": [{"source_type": t.value, "label": str(t.label), **_counts(c)} for t, c, _a in selectors.type_rows(here)],
        "children": [{"org_id": r.org.pk, "name": r.org.name, "total": _counts(r.progress.total)}
                     for r in selectors.progress_children(tallies)],
    }


@router.get("/reviews/{review_id}/feedback", response=PointsOut)
def review_feedback(request, review_id: int):
    """The points the subject and staff may see (anonymous ones only past the threshold)."""
    review = selectors.get_review_absorb(request.user, review_id)
    return {
        "review_id": review.pk, "threshold": services.anonymous_threshold(),
        "points": [_point(p) for p in selectors.points_for(review)],
        "held_back": services.held_back(review),
    }


@router.post("/reviews/{review_id}/feedback/requests", response={200: RequestOut, 400: ErrorOut})
def create_request(request, review_id: int, payload: RequestIn):
    review = selectors.get_review_staff(request.user, review_id)
    source_org = source_member = None
    if payload.source_org_id is not None:
        source_org = Organisation.objects.filter(pk=payload.source_org_id, dissolved__isnull=True).first()
        if source_org is None:
            return _invalid(ValidationError(_("Không có tổ chức này.")))
    if payload.source_member_id is not None:
        source_member = access.members(request.user, Action.VIEW).filter(pk=payload.source_member_id).first()
        if source_member is None:
            return _invalid(ValidationError(_("Không có đảng viên này.")))
    try:
        req = services.request_create(
            actor=request.user, review=review, source_type=payload.source_type, source_org=source_org,
            source_member=source_member, source_name=payload.source_name, source_email=payload.source_email,
            due=payload.due,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, {"id": req.pk, "review_id": review.pk, "source_type": req.source_type,
                        "source": req.source_label, "due": req.due, "status": req.status})


@router.post("/feedback/requests/{request_id}/respond", response={200: RespondOut, 400: ErrorOut})
def respond(request, request_id: int, payload: RespondIn):
    """Answer a request as its source (or record a received document as staff)."""
    req, _as_staff = selectors.get_request_to_answer(request.user, request_id)
    try:
        response = services.respond(actor=request.user, request=req, points=[(p.kind, p.text) for p in payload.points],
                                    signed_as=payload.signed_as, document_ref=payload.document_ref)
    except ValidationError as exc:
        return _invalid(exc)
    req = FeedbackRequest.objects.get(pk=req.pk)
    return Status(200, {"request_id": req.pk, "status": req.status, "points": response.points.count()})


@router.post("/feedback/points/{point_id}/absorb", response={200: PointOut, 400: ErrorOut})
def absorb(request, point_id: int, payload: AbsorbIn):
    """Accept a point into a section of the report, or answer it with an explanation."""
    point = selectors.get_point(request.user, point_id)
    if point.review.status not in EDITABLE:
        return _invalid(ValidationError(
            _("Báo cáo đang ở trạng thái “%(s)s”, không thể sửa.") % {"s": point.review.get_status_display()}))
    try:
        services.absorb(actor=request.user, point=point, absorption=payload.absorption, section=payload.section,
                        explanation=payload.explanation)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _point(selectors.points_for(point.review).get(pk=point.pk)))
