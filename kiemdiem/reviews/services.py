"""The report workflow: draft → submitted → returned → resubmitted → accepted → final.

Saving uses an optimistic lock: the editor sends the version it started from; if someone
saved in between, the save is refused with a ConflictError, and the refused text is kept as
a conflict version so the author can merge it — nothing is lost.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc

from . import part_b, selectors
from .choices import AWAITING_DECISION, EDITABLE, FixState, Status, sections_for
from .models import Comment, PriorShortcoming, Prompt, Review, ReviewVersion, Shortcoming

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u"}
MIN_WORKING_DAYS_BEFORE_MEETING = 3


class ConflictError(Exception):
    """Someone else saved the report after this editor loaded it."""

    def __init__(self, current: Review, kept: ReviewVersion):
        super().__init__(_("Báo cáo vừa được người khác lưu (phiên bản %(n)d). Nội dung của bạn đã được giữ lại "
                           "để hợp nhất; không có gì bị mất.") % {"n": current.version})
        self.current = current
        self.kept = kept


def sanitise(html: str) -> str:
    """Paragraphs and lists only; everything else stripped (scripts, styles, attributes)."""
    return nh3.clean(nfc(html).replace("\r\n", "\n"), tags=ALLOWED_TAGS, attributes={}).strip()


def _audit(actor, action, review: Review, **kw):
    audit.record(actor=actor, action=action, obj=review, org_path=review.org_path, **kw)


def _scores(review: Review) -> dict:
    return {
        "common": str(review.self_score_common) if review.self_score_common is not None else None,
        "tasks": str(review.self_score_tasks) if review.self_score_tasks is not None else None,
        "level": review.proposed_level,
        "criteria": review.criteria or {},
    }


def _check_score(value, maximum: int, label: str):
    if value is None or value == "":
        return None
    try:
        value = Decimal(str(value))
    except Exception:
        raise ValidationError(_("%(label)s phải là một số.") % {"label": label})
    if not (0 <= value <= maximum):
        raise ValidationError(_("%(label)s phải từ 0 đến %(max)d.") % {"label": label, "max": maximum})
    return value


def review_save(
    *,
    actor,
    review: Review,
    base_version: int,
    content: dict[str, str],
    shortcomings: list[str] | None = None,
    priors: dict[int, tuple[str, str]] | None = None,
    prompt_answers: dict[int, str] | None = None,
    self_score_common=None,
    self_score_tasks=None,
    proposed_level: str = "",
    criteria: dict | None = None,
) -> Review:
    """Save the editor's content if nobody saved since `base_version`; otherwise keep the
    refused text as a conflict version (committed on its own) and raise ConflictError.
    Part B is checked against the campaign's rules profile (`part_b.clean`): `criteria` holds
    each criteria group's points (QĐ 366; the common points become their sum) or each
    criterion's grade (QĐ 124); None keeps the saved ones."""
    conflict = None
    with transaction.atomic():
        saved = _save(actor=actor, review=review, base_version=base_version, content=content,
                      shortcomings=shortcomings, priors=priors, prompt_answers=prompt_answers,
                      self_score_common=self_score_common, self_score_tasks=self_score_tasks,
                      proposed_level=proposed_level, criteria=criteria)
        if isinstance(saved, ReviewVersion):
            conflict = saved
    if conflict is not None:
        raise ConflictError(Review.objects.get(pk=review.pk), conflict)
    return saved


def _save(*, actor, review, base_version, content, shortcomings, priors, prompt_answers,
          self_score_common, self_score_tasks, proposed_level, criteria):
    if review.status not in EDITABLE:
        raise ValidationError(_("Báo cáo đang ở trạng thái “%(s)s”, không thể sửa.") % {"s": review.get_status_display()})
    codes = {code for code, _label in sections_for(review.form)}
    clean = {code: sanitise(text) for code, text in content.items() if code in codes}
    common = _check_score(self_score_common, 30, _("Điểm tiêu chí chung"))
    tasks = _check_score(self_score_tasks, 70, _("Điểm kết quả thực hiện nhiệm vụ"))
    criteria, common, tasks, proposed_level = part_b.clean(review, criteria=criteria, common=common, tasks=tasks,
                                                           proposed_level=proposed_level)
    scores = {"common": str(common) if common is not None else None,
              "tasks": str(tasks) if tasks is not None else None, "level": proposed_level, "criteria": criteria}

    # optimistic lock: one UPDATE that only succeeds on the version the editor started from
    # (and only while the report is still editable: submitting does not bump the version)
    updated = Review.objects.filter(pk=review.pk, version=base_version, status__in=EDITABLE).update(
        content=clean, self_score_common=common, self_score_tasks=tasks, proposed_level=proposed_level,
        criteria=criteria, version=F("version") + 1, updated_at=timezone.now(),
    )
    if not updated:
        current = Review.objects.get(pk=review.pk)
        if current.status not in EDITABLE:
            raise ValidationError(_("Báo cáo đang ở trạng thái “%(s)s”, không thể sửa.") % {"s": current.get_status_display()})
        kept = ReviewVersion.objects.create(
            review=review, number=base_version, content=clean, scores=scores, author=_user(actor), conflict=True,
            status=current.status,
        )
        _audit(actor, "review.save_conflict", review, changes={"base_version": base_version, "current": current.version})
        return kept
    # what the UPDATE wrote, and what it may have met (status); the loaded member, unit and
    # campaign stay (the audit entry and the caller use them)
    review.content, review.self_score_common, review.self_score_tasks = clean, common, tasks
    review.proposed_level, review.criteria = proposed_level, criteria
    review.refresh_from_db(fields=["status", "version", "updated_at"])
    if shortcomings is not None:
        _save_shortcomings(review, [nfc(t) for t in shortcomings if nfc(t)])
    for prior_id, (state, comment) in (priors or {}).items():
        if state and state not in FixState.values:
            raise ValidationError(_("Tình trạng khắc phục không hợp lệ."))
        PriorShortcoming.objects.filter(pk=prior_id, review=review).update(state=state, comment=nfc(comment))
    for prompt_id, answer in (prompt_answers or {}).items():
        answer = nfc(answer)
        Prompt.objects.filter(pk=prompt_id, review=review).update(answer=answer, answered_at=timezone.now() if answer else None)
    ReviewVersion.objects.create(review=review, number=review.version, content=clean, scores=scores,
                                 author=_user(actor), status=review.status)
    _audit(actor, "review.save", review, changes={"version": review.version})
    return review


def _save_shortcomings(review: Review, texts: list[str]) -> None:
    """Rewrite the list in place (row i keeps its id), so a later review's section III that
    points at a row keeps pointing at it; a row so referenced cannot be deleted."""
    existing = list(review.shortcomings.order_by("order", "id"))
    for i, text in enumerate(texts, 1):
        if i <= len(existing):
            row = existing[i - 1]
            if (row.text, row.order) != (text, i):
                row.text, row.order = text, i
                row.save(update_fields=["text", "order"])
        else:
            Shortcoming.objects.create(review=review, text=text, order=i)
    surplus = [row.pk for row in existing[len(texts):]]
    if surplus:
        if PriorShortcoming.objects.filter(source_id__in=surplus).exists():
            raise ValidationError(_("Không thể xóa hạn chế đã được theo dõi khắc phục ở kỳ kiểm điểm sau."))
        Shortcoming.objects.filter(pk__in=surplus).delete()


def submit_problems(review: Review) -> list[str]:
    """What still stops the report being submitted, in Vietnamese."""
    problems = []
    for code, label in sections_for(review.form):
        if code in ("III", "IV", "V"):
            continue  # III/IV have their own checks; V only "if any"
        if not (review.content or {}).get(code, "").strip():
            problems.append(_("Chưa viết mục “%(label)s”.") % {"label": label})
    unanswered = review.prompts.filter(answer="").count()
    if unanswered:
        problems.append(_("Còn %(n)d gợi ý kiểm điểm chưa giải trình (mục IV).") % {"n": unanswered})
    # each earlier shortcoming: fixed / being fixed / not fixed, with a comment
    unmarked = review.prior_shortcomings.filter(Q(state="") | Q(comment="")).count()
    if unmarked:
        problems.append(_("Còn %(n)d hạn chế kỳ trước chưa đánh giá kết quả khắc phục kèm nhận xét (mục III).") % {"n": unmarked})
    problems += part_b.problems(review)  # what the campaign's rules profile asks (scores, grades, level)
    from . import gates  # other apps (feedback) add their own conditions

    for gate in gates.SUBMIT_GATES:
        problems.extend(gate(review))
    return problems


@transaction.atomic
def review_submit(*, actor, review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status not in EDITABLE:
        raise ValidationError(_("Báo cáo đã được nộp."))
    problems = submit_problems(review)
    if problems:
        raise ValidationError(problems)
    new = Status.RESUBMITTED if review.status == Status.RETURNED else Status.SUBMITTED
    return _transition(actor, review, new, "review.submit", submitted_at=timezone.now())


@transaction.atomic
def review_return(*, actor, review: Review, comment: str) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status not in AWAITING_DECISION:
        raise ValidationError(_("Chỉ trả lại được báo cáo đã nộp."))
    if not nfc(comment):
        raise ValidationError(_("Cần ghi rõ nội dung yêu cầu bổ sung khi trả lại."))
    comment_add(actor=actor, review=review, text=comment)
    return _transition(actor, review, Status.RETURNED, "review.return", reason=nfc(comment))


@transaction.atomic
def review_accept(*, actor, review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status not in AWAITING_DECISION:
        raise ValidationError(_("Chỉ chấp nhận được báo cáo đã nộp."))
    return _transition(actor, review, Status.ACCEPTED, "review.accept")


@transaction.atomic
def review_finalise(*, actor, review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != Status.ACCEPTED:
        raise ValidationError(_("Chỉ hoàn thành được báo cáo đã được chấp nhận."))
    review = _transition(actor, review, Status.FINAL, "review.finalise")
    from . import gates

    for hook in gates.ON_FINAL:  # e.g. remediation items from the shortcomings
        hook(actor=actor, review=review)
    return review


@transaction.atomic
def review_reopen(*, actor, review: Review, reason: str) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status not in (Status.FINAL, Status.ACCEPTED):
        raise ValidationError(_("Chỉ mở lại được báo cáo đã hoàn thành hoặc đã được chấp nhận."))
    if not nfc(reason):
        raise ValidationError(_("Mở lại báo cáo đã hoàn thành cần ghi rõ lý do."))
    return _transition(actor, review, Status.RETURNED, "review.reopen", reason=nfc(reason))


def _transition(actor, review: Review, new: str, action: str, reason: str = "", **fields) -> Review:
    old = review.status
    review.status = new
    for k, v in fields.items():
        setattr(review, k, v)
    review.save(update_fields=["status", "updated_at", *fields])
    selectors.progress_changed(review.campaign_id)
    _audit(actor, action, review, changes={"status": [old, new]}, reason=reason)
    return review


@transaction.atomic
def comment_add(*, actor, review: Review, text: str) -> Comment:
    text = nfc(text)
    if not text:
        raise ValidationError(_("Nội dung ý kiến không được để trống."))
    comment = Comment.objects.create(review=review, author=_user(actor), text=text)
    _audit(actor, "review.comment", review, changes={"comment": comment.pk})
    return comment


@transaction.atomic
def prompt_add(*, actor, review: Review, issued_by, text: str) -> Prompt:
    """A superior's prompt: the issuing organisation must lie above the review's unit."""
    text = nfc(text)
    if not text:
        raise ValidationError(_("Nội dung gợi ý không được để trống."))
    # strictly above: neither the unit holding the review nor an organisation outside its branch
    if not review.org_path.startswith(issued_by.path) or review.org_path == issued_by.path or review.unit_id == issued_by.pk:
        raise ValidationError(_("Chỉ cấp trên mới gợi ý kiểm điểm cho đơn vị, cá nhân này."))
    if review.status not in EDITABLE:
        raise ValidationError(_("Báo cáo đã nộp; hãy trả lại báo cáo trước khi thêm gợi ý."))
    prompt = Prompt.objects.create(review=review, issued_by=issued_by, author=_user(actor), text=text)
    _audit(actor, "review.prompt", review, changes={"prompt": prompt.pk})
    return prompt


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (Saturday and Sunday excluded)."""
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def meeting_warning(review: Review) -> str:
    """The draft must reach participants at least 3 working days before the meeting."""
    if not review.meeting_date:
        return ""
    circulated = review.circulated_on or timezone.localdate()
    n = working_days_between(circulated, review.meeting_date)
    if n < MIN_WORKING_DAYS_BEFORE_MEETING:
        return _("Dự thảo báo cáo phải gửi đến người dự họp ít nhất %(min)d ngày làm việc trước hội nghị; "
                 "hiện chỉ còn %(n)d ngày làm việc.") % {"min": MIN_WORKING_DAYS_BEFORE_MEETING, "n": n}
    return ""


@transaction.atomic
def review_schedule(*, actor, review: Review, meeting_date: datetime.date, circulated_on: datetime.date | None) -> str:
    """Set the meeting and circulation dates; returns a warning (not an error) when too close."""
    if circulated_on and circulated_on > meeting_date:
        raise ValidationError(_("Ngày gửi dự thảo phải trước ngày họp."))
    review.meeting_date, review.circulated_on = meeting_date, circulated_on
    review.save(update_fields=["meeting_date", "circulated_on", "updated_at"])
    _audit(actor, "review.schedule", review, changes={"meeting_date": meeting_date.isoformat()})
    return meeting_warning(review)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
