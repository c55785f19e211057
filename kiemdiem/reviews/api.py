"""Review reports over the API, scoped exactly like the pages (views.get_review_for).

Content is exchanged as HTML (sanitised on save to p/ul/ol/li/strong/em). Saving needs the
version the client started from (`base_version`): if someone saved in between, the answer is
409 with the Vietnamese message and the current report, and the refused text is kept as a
conflict version. A refused workflow step is 400 with the list of messages."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Optional

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kiemdiem.campaigns.choices import Stage

from . import part_b, selectors, services
from .choices import EDITABLE, sections_for
from .models import Review
from .views import get_review_for, positions_of, powers, role_label

router = Router(tags=["reviews"])


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


class CampaignRef(Schema):
    id: int
    title: str
    kind: str
    year: int
    drafts_due: Optional[datetime.date] = None


class SummaryOut(Schema):
    id: int
    campaign: CampaignRef
    form: str
    status: str
    status_display: str
    subject: str
    unit_id: int
    unit_name: str
    version: int
    submitted_at: Optional[datetime.datetime]
    meeting_date: Optional[datetime.date]
    url: str


class MineOut(Schema):
    reviews: list[SummaryOut]
    collectives: list[SummaryOut]


class SectionOut(Schema):
    code: str
    label: str
    html: str


class PriorOut(Schema):
    id: int
    text: str
    state: str
    comment: str


class PromptOut(Schema):
    id: int
    issued_by_id: int
    issued_by_name: str
    text: str
    answer: str
    created_at: datetime.datetime


class CommentOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime.datetime


class ParticipantOut(Schema):
    member_id: int
    full_name: str
    role: str


class CriterionOut(Schema):
    code: str
    name: str
    max_points: Optional[float] = None  # a scored criteria group (QĐ 366); null: graded by level (QĐ 124)


class LevelOut(Schema):
    code: str
    name: str


class PartBOut(Schema):
    """What part B asks under the campaign's rules profile for this review's subject type."""

    profile: str
    scored: bool  # points: the groups' (common) and the tasks'
    groups: list[CriterionOut]
    common_max: Optional[float]
    tasks_max: Optional[float]
    graded: list[CriterionOut]  # criteria graded by a level code
    levels: list[LevelOut]  # the levels the subject may propose, highest first


class ReviewOut(SummaryOut):
    sections: list[SectionOut]
    shortcomings: list[str]
    priors: list[PriorOut]
    prompts: list[PromptOut]
    self_score_common: Optional[float]
    self_score_tasks: Optional[float]
    self_score_total: Optional[float]
    proposed_level: str
    proposed_level_display: str
    criteria: dict[str, str]  # group code -> points ("5.5") or criterion code -> level code
    part_b: PartBOut
    circulated_on: Optional[datetime.date]
    meeting_warning: str
    participants: list[ParticipantOut]
    comments: list[CommentOut]
    positions: list[str]
    problems: list[str]
    actions: list[str]


class ConflictOut(Schema):
    detail: str
    current: ReviewOut
    kept_version_id: int


class PriorIn(Schema):
    id: int
    state: str = ""
    comment: str = ""


class PromptAnswerIn(Schema):
    id: int
    answer: str = ""


class ReviewIn(Schema):
    base_version: int
    content: Optional[dict[str, str]] = None  # section code -> HTML; null keeps the saved text
    shortcomings: Optional[list[str]] = None
    priors: Optional[list[PriorIn]] = None
    prompt_answers: Optional[list[PromptAnswerIn]] = None
    self_score_common: Optional[Decimal] = None
    self_score_tasks: Optional[Decimal] = None
    proposed_level: str = ""
    # part B per the profile: criteria group code -> points (QĐ 366; the common points become
    # their sum), or criterion code -> level code (QĐ 124); left out keeps the saved ones
    criteria: Optional[dict[str, Optional[str | float]]] = None


class ReturnIn(Schema):
    comment: str


class ReopenIn(Schema):
    reason: str


class CommentIn(Schema):
    text: str


class PromptIn(Schema):
    text: str
    issued_by_id: Optional[int] = None  # default: the highest organisation above the unit the caller manages


# --- output --------------------------------------------------------------------------------

def _num(value):
    return float(value) if value is not None else None


def _summary(review: Review) -> dict:
    campaign = review.campaign
    return {
        "id": review.pk,
        "campaign": {"id": campaign.pk, "title": campaign.title, "kind": campaign.kind, "year": campaign.year,
                     "drafts_due": campaign.deadline(Stage.DRAFTS)},
        "form": review.form,
        "status": review.status,
        "status_display": review.get_status_display(),
        "subject": review.subject_org.name if review.is_collective else review.member.full_name,
        "unit_id": review.unit_id,
        "unit_name": review.unit.name,
        "version": review.version,
        "submitted_at": review.submitted_at,
        "meeting_date": review.meeting_date,
        "url": f"/reviews/{review.pk}/",
    }


def _detail(user, review: Review) -> dict:
    review = Review.objects.select_related("campaign", "member", "subject_org", "unit").get(pk=review.pk)
    participants = list(review.participants.select_related("member")) if review.is_collective else []
    p = powers(user, review, participant_ids={x.member_id for x in participants})
    editable = review.status in EDITABLE
    actions = []
    if p.write and editable:
        actions += ["save", "submit"]
    if p.decide:
        actions += {"submitted": ["return", "accept"], "resubmitted": ["return", "accept"],
                    "accepted": ["finalise", "reopen"], "final": ["reopen"]}.get(review.status, [])
    if p.comment:
        actions.append("comment")
    if p.prompt and editable:
        actions.append("prompt")
    return {
        **_summary(review),
        "sections": [{"code": code, "label": str(label), "html": services.sanitise((review.content or {}).get(code, ""))}
                     for code, label in sections_for(review.form)],
        "shortcomings": [s.text for s in review.shortcomings.all()],
        "priors": [{"id": x.pk, "text": x.source.text, "state": x.state, "comment": x.comment}
                   for x in review.prior_shortcomings.select_related("source")],
        "prompts": [{"id": x.pk, "issued_by_id": x.issued_by_id, "issued_by_name": x.issued_by.name, "text": x.text,
                     "answer": x.answer, "created_at": x.created_at} for x in review.prompts.select_related("issued_by")],
        "self_score_common": _num(review.self_score_common),
        "self_score_tasks": _num(review.self_score_tasks),
        "self_score_total": _num(review.self_score_total),
        "proposed_level": review.proposed_level,
        "proposed_level_display": part_b.level_name(review),
        "criteria": review.criteria or {},
        "part_b": _part_b(review),
        "circulated_on": review.circulated_on,
        "meeting_warning": services.meeting_warning(review) if review.is_collective else "",
        "participants": [{"member_id": x.member_id, "full_name": x.member.full_name, "role": role_label(x.role)}
                         for x in participants],
        "comments": [{"id": c.pk, "author": _author(c.author), "text": c.text, "created_at": c.created_at}
                     for c in review.comments.select_related("author", "author__member")],
        "positions": [f"{x.get_role_display()} {x.organisation.name}" for x in positions_of(review)],
        "problems": services.submit_problems(review) if editable and p.write else [],
        "actions": actions,
    }


def _part_b(review: Review) -> dict:
    spec = part_b.spec_for(review)
    return {
        "profile": spec.profile_key, "scored": spec.scored,
        "groups": [{"code": g.code, "name": g.name, "max_points": _num(g.max_points)} for g in spec.groups],
        "common_max": _num(spec.common_max), "tasks_max": _num(spec.tasks_max),
        "graded": [{"code": c.code, "name": c.name} for c in spec.graded],
        "levels": [{"code": lv.code, "name": lv.name} for lv in spec.levels],
    }


def _author(user) -> str:
    if user is None:
        return ""
    member = getattr(user, "member", None)
    return member.full_name if member else (user.get_full_name() or user.username)


def _invalid(exc: ValidationError):
    return Status(400, {"detail": " ".join(exc.messages), "messages": exc.messages})


# --- endpoints -----------------------------------------------------------------------------

@router.get("/reviews/mine", response=MineOut)
def my_reviews(request):
    """The caller's own reviews (as a member) and the collective reviews they take part in."""
    own = selectors.my_reviews(request.user).select_related("member", "subject_org")
    collectives = (selectors.leader_collectives(request.user).select_related("unit", "member")
                   .prefetch_related("campaign__deadlines").order_by("-campaign__period_end", "subject_org__path"))
    return {"reviews": [_summary(r) for r in own], "collectives": [_summary(r) for r in collectives]}


@router.get("/reviews/{review_id}", response=ReviewOut)
def get_review(request, review_id: int):
    review = selectors.get_review(request.user, review_id)
    return _detail(request.user, review)


@router.put("/reviews/{review_id}", response={200: ReviewOut, 400: ErrorOut, 409: ConflictOut})
def save_review(request, review_id: int, payload: ReviewIn):
    """Save the report. `content` maps section codes to HTML and replaces the whole report
    text (sections it leaves out become empty). Fields left out of the body keep their saved
    values; a null score clears it."""
    review, _p = get_review_for(request.user, review_id, "write")
    given = payload.model_fields_set

    def pick(name, saved):
        return getattr(payload, name) if name in given else saved

    try:
        services.review_save(
            actor=request.user, review=review, base_version=payload.base_version,
            content=payload.content if payload.content is not None else (review.content or {}),
            shortcomings=payload.shortcomings,
            priors={x.id: (x.state, x.comment) for x in payload.priors} if payload.priors is not None else None,
            prompt_answers={x.id: x.answer for x in payload.prompt_answers} if payload.prompt_answers is not None else None,
            # new criteria without a total: the total is their sum
            self_score_common=pick("self_score_common", None if "criteria" in given else review.self_score_common),
            self_score_tasks=pick("self_score_tasks", review.self_score_tasks),
            proposed_level=pick("proposed_level", review.proposed_level),
            criteria=payload.criteria if "criteria" in given else None,
        )
    except services.ConflictError as exc:
        return Status(409, {"detail": str(exc), "current": _detail(request.user, exc.current), "kept_version_id": exc.kept.pk})
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _detail(request.user, review))


def _step(request, review_id: int, power: str, fn, **kwargs):
    review, _p = get_review_for(request.user, review_id, power)
    try:
        fn(actor=request.user, review=review, **kwargs)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _detail(request.user, review))


STEP = {200: ReviewOut, 400: ErrorOut}


@router.post("/reviews/{review_id}/submit", response=STEP)
def submit_review(request, review_id: int):
    """Submit (or resubmit) the report; 400 lists what is still missing."""
    return _step(request, review_id, "write", services.review_submit)


@router.post("/reviews/{review_id}/return", response=STEP)
def return_review(request, review_id: int, payload: ReturnIn):
    return _step(request, review_id, "decide", services.review_return, comment=payload.comment)


@router.post("/reviews/{review_id}/accept", response=STEP)
def accept_review(request, review_id: int):
    return _step(request, review_id, "decide", services.review_accept)


@router.post("/reviews/{review_id}/finalise", response=STEP)
def finalise_review(request, review_id: int):
    return _step(request, review_id, "decide", services.review_finalise)


@router.post("/reviews/{review_id}/reopen", response=STEP)
def reopen_review(request, review_id: int, payload: ReopenIn):
    return _step(request, review_id, "decide", services.review_reopen, reason=payload.reason)


@router.post("/reviews/{review_id}/comments", response={200: CommentOut, 400: ErrorOut})
def add_comment(request, review_id: int, payload: CommentIn):
    review, _p = get_review_for(request.user, review_id, "comment")
    try:
        comment = services.comment_add(actor=request.user, review=review, text=payload.text)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, {"id": comment.pk, "author": _author(request.user), "text": comment.text, "created_at": comment.created_at})


@router.post("/reviews/{review_id}/prompts", response={200: PromptOut, 400: ErrorOut})
def add_prompt(request, review_id: int, payload: PromptIn):
    """A review prompt from an organisation above the review's unit that the caller manages."""
    review, p = get_review_for(request.user, review_id, "prompt")
    orgs = {o.pk: o for o in p.prompt_orgs}
    issuer = orgs.get(payload.issued_by_id) if payload.issued_by_id is not None else p.prompt_orgs[0]
    if issuer is None:
        return _invalid(ValidationError(_("Chỉ chọn được cấp trên mà bạn phụ trách.")))
    try:
        prompt = services.prompt_add(actor=request.user, review=review, issued_by=issuer, text=payload.text)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, {"id": prompt.pk, "issued_by_id": issuer.pk, "issued_by_name": issuer.name, "text": prompt.text,
                 "answer": prompt.answer, "created_at": prompt.created_at})
