"""Requests for feedback, responses (attributed or anonymous), absorption into the report, and
the public opinion channel. Every function validates before it writes and runs atomically."""
from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.campaigns.choices import CampaignKind, CampaignStatus
from kiemdiem.core import audit
from kiemdiem.core.text import nfc
from kiemdiem.organisations.models import Member
from kiemdiem.reviews.choices import Form, sections_for
from kiemdiem.reviews.models import Review

from .choices import ANONYMOUS_SOURCES, Absorption, CommentState, PointKind, RequestStatus, SourceType
from .models import (
    AnonymousResponse,
    FeedbackPoint,
    FeedbackRequest,
    FeedbackResponse,
    GateOverride,
    PublicComment,
    PublicPage,
    ResponderReceipt,
)

ORG_SOURCES = {SourceType.SUPERIOR, SourceType.ADVISORY, SourceType.ORGANISATION, SourceType.WORKPLACE_CELL,
               SourceType.RESIDENCE_CELL}


def anonymous_threshold() -> int:
    return getattr(settings, "KIEMDIEM_ANONYMOUS_MIN_RESPONSES", 3)


def residence_exempt_occupations() -> set[str]:
    return set(getattr(settings, "KIEMDIEM_RESIDENCE_EXEMPT_OCCUPATIONS", ["armed_forces", "student"]))


def _audit(actor, action, review: Review, **kw):
    audit.record(actor=actor, action=action, obj=review, org_path=review.org_path, **kw)


def _clean_points(points) -> list[tuple[str, str]]:
    out = []
    for kind, text in points:
        text = nfc(text)
        if not text:
            continue
        if kind not in PointKind.values:
            raise ValidationError(_("Loại ý kiến không hợp lệ."))
        out.append((kind, text))
    if not out:
        raise ValidationError(_("Cần ít nhất một ý kiến góp ý."))
    return out


# --- requests ------------------------------------------------------------------------------

@transaction.atomic
def request_create(
    *, actor, review: Review, source_type: str, source_org=None, source_member: Member | None = None,
    source_name: str = "", source_email: str = "", due: datetime.date | None = None,
) -> FeedbackRequest:
    if source_type in ANONYMOUS_SOURCES:
        raise ValidationError(_("Góp ý của đảng viên và nhân dân là ẩn danh, không gửi đề nghị đích danh."))
    if source_type in ORG_SOURCES and source_org is None and not nfc(source_name):
        # bodies outside the party tree (HĐND, UBND, Mặt trận…) are named instead
        raise ValidationError(_("Cần chọn tổ chức góp ý hoặc ghi tên cơ quan góp ý."))
    if source_type == SourceType.PERSON and not (source_member or nfc(source_name)):
        raise ValidationError(_("Cần ghi rõ người góp ý."))
    if source_member is not None and review.member_id == source_member.pk:
        raise ValidationError(_("Không thể tự góp ý cho chính mình."))
    request = FeedbackRequest(
        review=review, source_type=source_type, source_org=source_org, source_member=source_member,
        source_name=nfc(source_name), source_email=source_email, due=due or review.campaign.deadline("feedback"),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(_("Đã có đề nghị góp ý từ nguồn này."))
    _audit(actor, "feedback.request", review, changes={"source_type": source_type, "request": request.pk})
    return request


def _source_org_for(review: Review, source_type: str, residence: dict[int, int]):
    if source_type == SourceType.WORKPLACE_CELL:
        return review.unit_id if review.member_id else None
    if source_type == SourceType.SUPERIOR:
        return review.unit.parent_id
    if source_type == SourceType.RESIDENCE_CELL:
        return residence.get(review.member_id)
    return None


@transaction.atomic
def requests_bulk(*, actor, reviews, source_type: str, due: datetime.date | None = None) -> int:
    """One request per review from the source implied by the type ("every leader, from their
    residence cell"; "every member, from their workplace cell"; "every unit, from the
    superior committee"). Existing requests are left alone; returns how many were created."""
    if source_type not in (SourceType.WORKPLACE_CELL, SourceType.SUPERIOR, SourceType.RESIDENCE_CELL):
        raise ValidationError(_("Chỉ đề nghị hàng loạt được từ chi bộ nơi công tác, nơi cư trú hoặc cấp ủy cấp trên."))
    reviews = list(reviews.select_related("unit", "campaign"))
    residence = {}
    if source_type == SourceType.RESIDENCE_CELL:
        from kiemdiem.organisations.models import ResidenceRegistration

        residence = dict(
            ResidenceRegistration.objects.filter(member_id__in=[r.member_id for r in reviews if r.member_id], end__isnull=True)
            .values_list("member_id", "organisation_id")
        )
    rows = []
    for r in reviews:
        org_id = _source_org_for(r, source_type, residence)
        if org_id:
            rows.append(FeedbackRequest(review=r, source_type=source_type, source_org_id=org_id,
                                        due=due or r.campaign.deadline("feedback"),
                                        created_by=actor if getattr(actor, "is_authenticated", False) else None))
    before = FeedbackRequest.objects.filter(review__in=reviews, source_type=source_type).count()
    FeedbackRequest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    created = FeedbackRequest.objects.filter(review__in=reviews, source_type=source_type).count() - before
    if reviews:
        audit.record(actor=actor, action="feedback.request_bulk", obj=reviews[0].campaign,
                     org_path=reviews[0].campaign.issuer_path, changes={"source_type": source_type, "created": created})
    return created


def residence_requests_on_launch(*, actor, campaign) -> dict:
    """In an annual campaign every member registered at a residence cell gets a request from
    it, except the configured exempt groups (e.g. troops in barracks, students away)."""
    if campaign.kind != CampaignKind.ANNUAL:
        return {}
    exempt = sorted(residence_exempt_occupations()) or ["-"]
    q = connection.ops.quote_name
    due = campaign.deadline("feedback")
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO feedback_feedbackrequest
                (review_id, source_type, source_org_id, source_name, source_email, due, status, created_at)
            SELECT r.id, %s, rr.organisation_id, '', '', %s, %s, %s
            FROM reviews_review r
            JOIN organisations_member m ON m.id = r.member_id
            JOIN organisations_residenceregistration rr ON rr.member_id = r.member_id
                 AND rr.start <= %s AND (rr.{q('end')} IS NULL OR rr.{q('end')} > %s)
            WHERE r.campaign_id = %s AND m.occupation NOT IN ({", ".join(["%s"] * len(exempt))})
            ON CONFLICT DO NOTHING""",
            [SourceType.RESIDENCE_CELL, due, RequestStatus.REQUESTED, timezone.now(),
             campaign.period_end, campaign.period_end, campaign.pk, *exempt],
        )
        return {"residence_requests": cur.rowcount}


def issue_link(*, actor, request: FeedbackRequest, days: int = 14) -> str:
    """A single-use link token for a source without an account; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    request.token_hash = hashlib.sha256(token.encode()).hexdigest()
    request.token_expires = timezone.now() + datetime.timedelta(days=days)
    request.save(update_fields=["token_hash", "token_expires"])
    _audit(actor, "feedback.link", request.review, changes={"request": request.pk, "days": days})
    return token


def request_for_token(token: str) -> FeedbackRequest:
    """The request a link opens, or a Vietnamese ValidationError (unknown, used, expired)."""
    try:
        request = FeedbackRequest.objects.select_related("review", "review__campaign").get(
            token_hash=hashlib.sha256((token or "").encode()).hexdigest()
        )
    except FeedbackRequest.DoesNotExist:
        raise ValidationError(_("Đường dẫn góp ý không hợp lệ hoặc đã được sử dụng."))
    if request.status != RequestStatus.REQUESTED:
        raise ValidationError(_("Đường dẫn góp ý đã được sử dụng."))
    if request.token_expires and request.token_expires < timezone.now():
        raise ValidationError(_("Đường dẫn góp ý đã hết hạn. Vui lòng liên hệ cơ quan đề nghị để được cấp lại."))
    return request


@transaction.atomic
def respond(*, actor, request: FeedbackRequest, points, signed_as: str = "", document_ref: str = "") -> FeedbackResponse:
    """An attributed response; a link's token is cleared so the link works once."""
    request = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.REQUESTED:
        raise ValidationError(_("Đề nghị góp ý này đã được trả lời."))
    points = _clean_points(points)
    response = FeedbackResponse.objects.create(
        request=request, author=actor if getattr(actor, "is_authenticated", False) else None,
        signed_as=nfc(signed_as), document_ref=nfc(document_ref),
    )
    FeedbackPoint.objects.bulk_create(
        [FeedbackPoint(response=response, review_id=request.review_id, kind=k, text=t) for k, t in points]
    )
    request.status, request.answered_at, request.token_hash = RequestStatus.ANSWERED, timezone.now(), None
    request.save(update_fields=["status", "answered_at", "token_hash"])
    _audit(actor, "feedback.respond", request.review, changes={"request": request.pk, "points": len(points)})
    return response


def respond_with_token(*, token: str, points, signed_as: str = "", document_ref: str = "") -> FeedbackResponse:
    with transaction.atomic():
        request = request_for_token(token)
        return respond(actor=None, request=request, points=points, signed_as=signed_as, document_ref=document_ref)


# --- anonymous feedback ----------------------------------------------------------------------

def _receipt_key(giver: str, review: Review, group: str) -> str:
    message = f"{giver}|{review.pk}|{group}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def peer_can_respond(member: Member, review: Review) -> bool:
    """Peers: members of the same cell (a member's review) or leaders of the same body."""
    if review.member_id == member.pk:
        return False
    if review.member_id:
        return member.organisation_id == review.unit_id
    return review.participants.filter(member=member).exists() or member.organisation_id == review.unit_id


@transaction.atomic
def respond_anonymously(*, giver: str, review: Review, group: str, points) -> AnonymousResponse:
    """Store a response that cannot be traced to `giver` (a user id, or a public visitor key).
    The receipt written beside it only stops a second response and links to nothing."""
    if group not in ANONYMOUS_SOURCES:
        raise ValidationError(_("Nhóm góp ý ẩn danh không hợp lệ."))
    points = _clean_points(points)
    try:
        with transaction.atomic():
            ResponderReceipt.objects.create(key=_receipt_key(giver, review, group))
    except IntegrityError:
        raise ValidationError(_("Bạn đã góp ý cho đối tượng này rồi; mỗi người chỉ góp ý một lần."))
    response = AnonymousResponse.objects.create(review=review, group=group, received_on=timezone.localdate())
    FeedbackPoint.objects.bulk_create(
        [FeedbackPoint(anonymous=response, review=review, kind=k, text=t) for k, t in points]
    )
    # no audit row naming the actor: that would be the link anonymity forbids
    return response


def visible_points(review: Review):
    """Points the subject and staff may see: attributed ones, and anonymous ones only in groups
    that reached the threshold."""
    counts = dict(
        AnonymousResponse.objects.filter(review=review).values_list("group").annotate(n=Count("id")).order_by()
    )
    shown = [g for g, n in counts.items() if n >= anonymous_threshold()]
    from django.db.models import Q

    return (
        FeedbackPoint.objects.filter(review=review)
        .filter(Q(response__isnull=False) | Q(anonymous__group__in=shown))
        .select_related("response__request", "anonymous")
    )


def held_back(review: Review) -> dict[str, int]:
    """Anonymous groups below the threshold: how many responses are held back."""
    counts = dict(
        AnonymousResponse.objects.filter(review=review).values_list("group").annotate(n=Count("id")).order_by()
    )
    return {g: n for g, n in counts.items() if n < anonymous_threshold()}


# --- absorbing feedback into the report --------------------------------------------------------

@transaction.atomic
def absorb(*, actor, point: FeedbackPoint, absorption: str, section: str = "", explanation: str = "") -> FeedbackPoint:
    if absorption == Absorption.ACCEPTED:
        codes = {c for c, _l in sections_for(point.review.form)}
        if section not in codes:
            raise ValidationError(_("Cần chọn mục của báo cáo tiếp thu ý kiến này."))
    elif absorption == Absorption.ANSWERED:
        if not nfc(explanation):
            raise ValidationError(_("Cần ghi nội dung giải trình."))
    elif absorption != Absorption.PENDING:
        raise ValidationError(_("Trạng thái tiếp thu không hợp lệ."))
    point.absorption, point.section, point.explanation = absorption, section, nfc(explanation)
    point.save(update_fields=["absorption", "section", "explanation"])
    _audit(actor, "feedback.absorb", point.review, changes={"point": point.pk, "absorption": absorption})
    return point


def unanswered_points_gate(review: Review) -> list[str]:
    """Submit gate: every visible feedback point must be accepted or answered (or overridden)."""
    if GateOverride.objects.filter(review=review).exists():
        return []
    n = visible_points(review).filter(absorption=Absorption.PENDING).count()
    if n:
        return [_("Còn %(n)d ý kiến góp ý chưa tiếp thu hoặc giải trình.") % {"n": n}]
    return []


@transaction.atomic
def override_gate(*, actor, review: Review, reason: str) -> GateOverride:
    reason = nfc(reason)
    if not reason:
        raise ValidationError(_("Cần ghi rõ lý do cho phép nộp khi còn ý kiến chưa tiếp thu."))
    override, _created = GateOverride.objects.update_or_create(
        review=review, defaults={"by": actor if getattr(actor, "is_authenticated", False) else None, "reason": reason}
    )
    _audit(actor, "feedback.override", review, reason=reason)
    return override


# --- the public opinion channel ------------------------------------------------------------------

URL_RE = re.compile(r"(https?://|www\.)", re.I)
MIN_SECONDS_ON_FORM = 3
RATE_LIMIT_PER_HOUR = 5


def spam_reason(text: str, honeypot: str, seconds_on_form: float | None) -> str:
    """Why a public comment looks automated or abusive ('' if it does not)."""
    if honeypot:
        return _("Không gửi được góp ý (nghi vấn gửi tự động).")
    if seconds_on_form is None or seconds_on_form < MIN_SECONDS_ON_FORM:
        return _("Bạn gửi quá nhanh; vui lòng đọc lại và gửi lại sau vài giây.")
    if len(URL_RE.findall(text)) >= 2:
        return _("Góp ý chứa nhiều đường dẫn nên không được nhận.")
    if re.search(r"(.)\1{9,}", text):
        return _("Nội dung góp ý không hợp lệ.")
    if len(text) < 10:
        return _("Nội dung góp ý quá ngắn (tối thiểu 10 ký tự).")
    if len(text) > 4000:
        return _("Nội dung góp ý quá dài (tối đa 4.000 ký tự).")
    return ""


def rate_limited(visitor_key: str) -> bool:
    """At most RATE_LIMIT_PER_HOUR comments per visitor per hour, counted in the cache only (the
    visitor key never reaches the database)."""
    from kiemdiem.core import softcache

    bucket = timezone.now().strftime("%Y%m%d%H")
    key = "pubc:" + hashlib.sha256(f"{settings.SECRET_KEY}|{visitor_key}|{bucket}".encode()).hexdigest()
    return softcache.count_up(key, 3600) > RATE_LIMIT_PER_HOUR


@transaction.atomic
def public_comment_submit(*, page: PublicPage, text: str, visitor_key: str, honeypot: str = "",
                          seconds_on_form: float | None = None) -> PublicComment:
    if not page.is_open:
        raise ValidationError(_("Trang góp ý này đang đóng."))
    text = nfc(text)
    reason = spam_reason(text, honeypot, seconds_on_form)
    if reason:
        raise ValidationError(reason)
    if rate_limited(visitor_key):
        raise ValidationError(_("Bạn đã gửi quá nhiều góp ý trong một giờ; vui lòng thử lại sau."))
    recent = timezone.localdate() - datetime.timedelta(days=7)
    if PublicComment.objects.filter(page=page, text=text, received_on__gte=recent).exists():
        raise ValidationError(_("Góp ý này đã được gửi trước đó."))
    return PublicComment.objects.create(page=page, text=text, received_on=timezone.localdate())


def current_collective_review(organisation) -> Review | None:
    """The organisation's collective review in the latest launched campaign covering it."""
    return (
        Review.objects.filter(subject_org=organisation, form=Form.COLLECTIVE, leadership="", campaign__status=CampaignStatus.LAUNCHED)
        .order_by("-campaign__period_end", "-campaign_id")
        .first()
    )


@transaction.atomic
def moderate(*, actor, comment: PublicComment, accept: bool, kind: str = PointKind.SHORTCOMING) -> PublicComment:
    comment = PublicComment.objects.select_for_update().select_related("page__organisation").get(pk=comment.pk)
    if comment.state != CommentState.PENDING:
        raise ValidationError(_("Góp ý này đã được xử lý."))
    if accept:
        review = current_collective_review(comment.page.organisation)
        if review is None:
            raise ValidationError(_("Đơn vị chưa có đợt kiểm điểm đang triển khai để ghi nhận góp ý."))
        response = AnonymousResponse.objects.create(review=review, group=SourceType.PUBLIC, received_on=comment.received_on)
        FeedbackPoint.objects.create(anonymous=response, review=review, kind=kind, text=comment.text)
        comment.became = response
    comment.state = CommentState.ACCEPTED if accept else CommentState.REJECTED
    comment.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
    comment.moderated_at = timezone.now()
    comment.save()
    audit.record(actor=actor, action="feedback.moderate", obj=comment.page.organisation,
                 org_path=comment.page.organisation.path, changes={"comment": comment.pk, "accept": accept})
    return comment
