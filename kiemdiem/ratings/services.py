"""Meetings, votes and the path from proposal to decision, every step checked by the
campaign's rules profile."""
from __future__ import annotations

import datetime
import secrets
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc
from kiemdiem.organisations.choices import ACTIVE_STATUSES, PartyStatus, PositionRole, ROLE_ORDER
from kiemdiem.organisations.models import Member, Position
from kiemdiem.reviews.choices import Form
from kiemdiem.reviews.models import Review

from . import facts as facts_mod
from .choices import RatingStage, VoteMethod, VoteStatus
from .models import Attendance, Ballot, BallotCast, Contribution, Meeting, QuotaRaise, Rating, Vote
from .rules import get_profile


def _audit(actor, action, review: Review, **kw):
    audit.record(actor=actor, action=action, obj=review, org_path=review.org_path, **kw)


# --- meetings -------------------------------------------------------------------------------

@transaction.atomic
def meeting_create(*, actor, review: Review, held_on: datetime.date, place: str = "", chair: Member | None = None,
                   secretary: Member | None = None, agenda: str = "", quorum_ratio: Decimal | None = None) -> Meeting:
    if not review.is_collective:
        raise ValidationError(_("Hội nghị kiểm điểm gắn với báo cáo kiểm điểm của tập thể."))
    if hasattr(review, "meeting"):
        raise ValidationError(_("Đơn vị đã có biên bản hội nghị trong đợt này."))
    meeting = Meeting.objects.create(review=review, held_on=held_on, place=nfc(place), chair=chair, secretary=secretary,
                                     agenda=nfc(agenda), **({"quorum_ratio": quorum_ratio} if quorum_ratio else {}))
    _audit(actor, "meeting.create", review, changes={"held_on": held_on.isoformat()})
    return meeting


def expected_attendees(meeting: Meeting):
    """Active members whose official cell is the meeting's unit."""
    return Member.objects.filter(organisation_id=meeting.review.unit_id, status__in=ACTIVE_STATUSES)


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, rows: list[tuple[Member, bool, str]]) -> dict:
    expected = {m.pk for m in expected_attendees(meeting)}
    for member, present, reason in rows:
        if member.pk not in expected:
            raise ValidationError(_("%(name)s không sinh hoạt tại chi bộ này.") % {"name": member.full_name})
        if not present and not nfc(reason):
            raise ValidationError(_("Cần ghi lý do vắng mặt của %(name)s.") % {"name": member.full_name})
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, member=m, present=p, absence_reason=nfc(r)) for m, p, r in rows
    ])
    _audit(actor, "meeting.attendance", meeting.review, changes={"present": sum(1 for _m, p, _r in rows if p)})
    return quorum(meeting)


def quorum(meeting: Meeting) -> dict:
    """Quorum: present official members (not exempt) against all official members not exempt
    (default two thirds; configurable per meeting)."""
    day = meeting.held_on
    base = expected_attendees(meeting).filter(status=PartyStatus.OFFICIAL).exclude(exempt_since__lte=day)
    needed_of = base.count()
    present = Attendance.objects.filter(meeting=meeting, present=True, member__in=base).count()
    required = -(-needed_of * meeting.quorum_ratio // 1) if needed_of else 0
    return {"official": needed_of, "present": present, "required": int(required), "ok": present >= required and needed_of > 0}


@transaction.atomic
def contribution_add(*, actor, meeting: Meeting, subject: Review, text: str, speaker: Member | None = None) -> Contribution:
    text = nfc(text)
    if not text:
        raise ValidationError(_("Nội dung ý kiến không được để trống."))
    if subject.campaign_id != meeting.review.campaign_id or subject.unit_id != meeting.review.unit_id:
        raise ValidationError(_("Đối tượng không thuộc hội nghị này."))
    c = Contribution.objects.create(meeting=meeting, subject=subject, speaker=speaker, text=text,
                                    order=meeting.contributions.count() + 1)
    _audit(actor, "meeting.contribution", subject, changes={"contribution": c.pk})
    return c


def _head_rank(review: Review, day: datetime.date) -> int:
    """0 for the head, 1 for deputies, 2 for standing members, 3 committee, 9 others."""
    if not review.member_id:
        return -1
    roles = Position.objects.filter(member_id=review.member_id, organisation_id=review.unit_id, start__lte=day).exclude(
        end__lte=day
    ).values_list("role", flat=True)
    return min([ROLE_ORDER.get(r, 9) for r in roles] or [9])


def order_problem(meeting: Meeting, subject: Review) -> str:
    """Order at a meeting: the collective before individuals, the head before deputies, and so
    on down (QĐ 366 Art. 7, 12)."""
    collective = meeting.review
    if subject.pk != collective.pk and not Vote.objects.filter(meeting=meeting, subject=collective, status=VoteStatus.CLOSED).exists():
        return _("Phải kiểm điểm, biểu quyết tập thể trước khi kiểm điểm cá nhân.")
    rank = _head_rank(subject, meeting.held_on)
    if rank > 0:
        others = Review.objects.filter(campaign_id=subject.campaign_id, unit_id=subject.unit_id, member__isnull=False).exclude(pk=subject.pk)
        voted = set(Vote.objects.filter(meeting=meeting, status=VoteStatus.CLOSED).values_list("subject_id", flat=True))
        for other in others:
            other_rank = _head_rank(other, meeting.held_on)
            if other_rank < rank and other_rank < 9 and other.pk not in voted:
                return _("Phải kiểm điểm %(name)s (giữ chức vụ cao hơn) trước.") % {"name": other.member.full_name}
    return ""


# --- votes ----------------------------------------------------------------------------------

@transaction.atomic
def vote_open(*, actor, meeting: Meeting, subject: Review, method: str) -> Vote:
    if method not in VoteMethod.values:
        raise ValidationError(_("Hình thức biểu quyết không hợp lệ."))
    q = quorum(meeting)
    if not q["ok"]:
        raise ValidationError(_("Hội nghị chưa đủ số lượng: có mặt %(p)d/%(n)d đảng viên chính thức, cần %(r)d.") % {
            "p": q["present"], "n": q["official"], "r": q["required"]})
    problem = order_problem(meeting, subject)
    if problem:
        raise ValidationError(problem)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(meeting=meeting, subject=subject, method=method, eligible=len(eligible_voters(meeting)))
    except IntegrityError:
        raise ValidationError(_("Đã biểu quyết đối tượng này."))
    _audit(actor, "vote.open", subject, changes={"method": method})
    return vote


def eligible_voters(meeting: Meeting) -> set[int]:
    """Official members present: probationary members do not vote."""
    return set(
        Attendance.objects.filter(meeting=meeting, present=True, member__status=PartyStatus.OFFICIAL).values_list("member_id", flat=True)
    )


def ballot_cast(*, voter: Member, vote: Vote, level: str) -> str:
    """Cast a secret ballot; returns the receipt code. Nothing written links the two rows."""
    profile = get_profile(vote.subject.campaign.rules_profile)
    if vote.method != VoteMethod.SECRET or vote.status != VoteStatus.OPEN:
        raise ValidationError(_("Cuộc bỏ phiếu kín này không mở."))
    if voter.pk not in eligible_voters(vote.meeting):
        raise ValidationError(_("Chỉ đảng viên chính thức có mặt tại hội nghị mới được bỏ phiếu."))
    if level not in profile.codes():
        raise ValidationError(_("Mức xếp loại không hợp lệ."))
    receipt = secrets.token_hex(6).upper()
    try:
        with transaction.atomic():
            BallotCast.objects.create(vote=vote, member=voter)
            Ballot.objects.create(vote=vote, level=level, receipt=receipt)
    except IntegrityError:
        raise ValidationError(_("Đồng chí đã bỏ phiếu."))
    return receipt  # no audit row: it would name the voter beside the ballot's time


def ballot_counted(vote: Vote, receipt: str) -> bool:
    return Ballot.objects.filter(vote=vote, receipt=(receipt or "").strip().upper()).exists()


def result_level(profile, tally: dict[str, int], voters: int) -> str:
    """The highest level that more than half of the voters support, counting a vote for a
    higher level as support for every level below it."""
    running = 0
    for level in sorted(profile.codes(), key=profile.rank, reverse=True):
        running += tally.get(level, 0)
        if voters and running * 2 > voters:
            return level
    return profile.lowest()


@transaction.atomic
def vote_close(*, actor, vote: Vote, counts: dict[str, int] | None = None) -> Vote:
    """Close a vote. Secret online: tallied from the ballots. Hands or paper: the counts entered."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.status != VoteStatus.OPEN:
        raise ValidationError(_("Cuộc biểu quyết đã kết thúc."))
    profile = get_profile(vote.subject.campaign.rules_profile)
    if vote.method == VoteMethod.SECRET:
        tally = dict(Counter(vote.ballots.values_list("level", flat=True)))
    else:
        tally = {k: int(v) for k, v in (counts or {}).items() if int(v or 0)}
        if set(tally) - set(profile.codes()):
            raise ValidationError(_("Mức xếp loại không hợp lệ."))
        if sum(tally.values()) > vote.eligible:
            raise ValidationError(_("Tổng số phiếu (%(n)d) vượt số người được biểu quyết (%(e)d).") % {
                "n": sum(tally.values()), "e": vote.eligible})
    if not sum(tally.values()):
        raise ValidationError(_("Chưa có phiếu nào."))
    vote.tally, vote.status, vote.closed_at = tally, VoteStatus.CLOSED, timezone.now()
    vote.result_level = result_level(profile, tally, sum(tally.values()))
    vote.save()
    _audit(actor, "vote.close", vote.subject, changes={"tally": tally, "result": vote.result_level})
    rating_record(actor=actor, review=vote.subject, stage=RatingStage.UNIT, level=vote.result_level,
                  reason=_("Kết quả biểu quyết: %(t)s") % {"t": ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))},
                  force=True)
    return vote


# --- ratings --------------------------------------------------------------------------------

def verdicts(review: Review, level: str, facts=None) -> list[dict]:
    profile = get_profile(review.campaign.rules_profile)
    facts = facts or facts_mod.facts_for([review])[review.pk]
    return [{"code": v.code, "reason": str(v.reason)} for v in profile.check(facts, level)]


@transaction.atomic
def rating_record(*, actor, review: Review, stage: str, level: str, reason: str = "", body=None,
                  force: bool = False, facts=None) -> Rating:
    """Record a level at a stage. A level the profile's checks object to needs a written
    reason (`force` skips that for a vote result, whose tally is its reason)."""
    profile = get_profile(review.campaign.rules_profile)
    if level not in profile.codes():
        raise ValidationError(_("Mức xếp loại không thuộc quy định áp dụng."))
    found = verdicts(review, level, facts)
    if found and not force and not nfc(reason):
        raise ValidationError([_("Mức xếp loại vượt quá mức quy định cho phép; cần ghi rõ lý do:")] + [f["reason"] for f in found])
    previous = Rating.objects.filter(review=review, stage=stage, cancelled_at__isnull=True).first()
    if previous:
        previous.cancelled_at, previous.cancel_reason = timezone.now(), nfc(reason) or _("Thay bằng mức mới")
        previous.save(update_fields=["cancelled_at", "cancel_reason"])
    rating = Rating.objects.create(
        review=review, stage=stage, profile_key=profile.key, level=level, score=_score(review), body=body,
        org_path=review.org_path, warnings=found, reason=nfc(reason), previous_level=previous.level if previous else "",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _audit(actor, f"rating.{stage}", review, changes={"level": [previous.level if previous else None, level]}, reason=nfc(reason))
    return rating


def _score(review: Review):
    return review.self_score_total


def _save_decisions(*, actor, campaign, items: list[tuple[Review, str, str, int]], all_facts) -> list[Rating]:
    """Check every decision against the profile and save them all in bulk: the live decisions
    they replace are cancelled (kept on record), one audit row lists every change."""
    profile = get_profile(campaign.rules_profile)
    errors, new = [], []
    user = actor if getattr(actor, "is_authenticated", False) else None
    for review, level, reason, body_id in items:
        if level not in profile.codes():
            raise ValidationError(_("Mức xếp loại không thuộc quy định áp dụng."))
        found = [{"code": v.code, "reason": str(v.reason)} for v in profile.check(all_facts[review.pk], level)]
        if found and not nfc(reason):
            errors.append(f"{review}: " + " ".join(f["reason"] for f in found))
        new.append(Rating(review=review, stage=RatingStage.DECISION, profile_key=profile.key, level=level,
                          score=review.self_score_total, body_id=body_id, org_path=review.org_path, warnings=found,
                          reason=nfc(reason), actor=user))
    if errors:
        raise ValidationError([_("Mức xếp loại vượt quá mức quy định cho phép; cần ghi rõ lý do:")] + errors)
    ids = [r.review_id for r in new]
    previous = {}
    for i in range(0, len(ids), 2000):  # chunks: SQLite limits the parameters of one query
        previous.update({p.review_id: p for p in Rating.objects.filter(
            review_id__in=ids[i:i + 2000], stage=RatingStage.DECISION, cancelled_at__isnull=True)})
    now = timezone.now()
    reasons = {r.review_id: r.reason for r in new}
    for old in previous.values():
        old.cancelled_at, old.cancel_reason = now, reasons[old.review_id] or _("Thay bằng mức mới")
    Rating.objects.bulk_update(list(previous.values()), ["cancelled_at", "cancel_reason"], batch_size=2000)
    for r in new:
        r.previous_level = previous[r.review_id].level if r.review_id in previous else ""
    Rating.objects.bulk_create(new, batch_size=2000)
    audit.record(actor=actor, action="rating.decision", obj=campaign, org_path=campaign.issuer_path,
                 changes={"decisions": len(new),
                          "levels": {str(r.review_id): [r.previous_level or None, r.level] for r in new}})
    return new


def _check_order(campaign, reviews: list[Review]) -> None:
    """Subordinate units and members are rated before the organisation above them."""
    for r in reviews:
        if r.subject_org_id:
            pending = (Review.objects.filter(campaign=campaign, org_path__startswith=r.org_path).exclude(pk=r.pk)
                       .exclude(ratings__stage=RatingStage.DECISION, ratings__cancelled_at__isnull=True).count())
            if pending:
                raise ValidationError(_("Còn %(n)d tổ chức, đảng viên trực thuộc %(s)s chưa được quyết định xếp loại.") % {
                    "n": pending, "s": r})


def _quota_problems(campaign, body_ids: set[int]) -> list[str]:
    """The quota over each deciding body's live decisions, members and collectives apart, from
    one grouped query."""
    from collections import defaultdict

    from django.db.models import Case, Count, Value, When

    profile = get_profile(campaign.rules_profile)
    raised = set(QuotaRaise.objects.filter(campaign=campaign, body_id__in=body_ids).values_list("body_id", flat=True))
    groups: dict[tuple, list[str]] = defaultdict(list)
    rows = (Rating.objects.filter(review__campaign=campaign, stage=RatingStage.DECISION, cancelled_at__isnull=True,
                                  body_id__in=body_ids)
            .annotate(collective=Case(When(review__member__isnull=True, then=Value(1)), default=Value(0)))
            .values_list("body_id", "collective", "level").annotate(n=Count("id")).order_by())
    for body_id, collective, level, n in rows:
        groups[(body_id, collective)].extend([level] * n)
    problems = []
    for (body_id, _collective), levels in sorted(groups.items()):
        problems += [str(v.reason) for v in profile.check_quota(levels, body_id in raised)]
    return problems


@transaction.atomic
def decide(*, actor, body, decisions: list[tuple[Review, str, str]]) -> list[Rating]:
    """The competent level's decisions for subjects under one deciding body: every decision
    checked by the profile, the quota checked over the body's live decisions after the change.
    Nothing is saved if anything fails."""
    if not decisions:
        return []
    campaign = decisions[0][0].campaign
    reviews = [r for r, _l, _reason in decisions]
    orgs = facts_mod.orgs_for(reviews)
    for r in reviews:
        if facts_mod.deciding_body_id(r, orgs) != body.pk:
            raise ValidationError(_("%(s)s không thuộc thẩm quyền quyết định của %(b)s.") % {"s": r, "b": body.name})
    _check_order(campaign, reviews)
    out = _save_decisions(actor=actor, campaign=campaign, all_facts=facts_mod.facts_for(reviews),
                          items=[(r, lvl, reason, body.pk) for r, lvl, reason in decisions])
    problems = _quota_problems(campaign, {body.pk})
    if problems:
        raise ValidationError(problems)
    return out


@transaction.atomic
def decide_all(*, actor, campaign, decisions: list[tuple[Review, str, str]]) -> list[Rating]:
    """Decisions across many deciding bodies at once (a province's calibration): each subject
    goes to the body the tree says decides it; checks, saving and quotas are all in bulk."""
    if not decisions:
        return []
    reviews = [r for r, _l, _reason in decisions]
    orgs = facts_mod.orgs_for(reviews)
    bodies = {r.pk: facts_mod.deciding_body_id(r, orgs) for r in reviews}
    _check_order(campaign, reviews)
    out = _save_decisions(actor=actor, campaign=campaign, all_facts=facts_mod.facts_for(reviews),
                          items=[(r, lvl, reason, bodies[r.pk]) for r, lvl, reason in decisions])
    problems = _quota_problems(campaign, set(bodies.values()))
    if problems:
        raise ValidationError(problems)
    return out


@transaction.atomic
def quota_raise(*, actor, campaign, body, reason: str) -> QuotaRaise:
    if not nfc(reason):
        # xgettext:no-python-format
        raise ValidationError(_("Nâng tỷ lệ lên 25% cần ghi rõ lý do."))
    row, _c = QuotaRaise.objects.update_or_create(campaign=campaign, body=body, defaults={"reason": nfc(reason), "actor": actor})
    audit.record(actor=actor, action="rating.quota_raise", obj=campaign, org_path=body.path, reason=nfc(reason))
    return row


@transaction.atomic
def rating_cancel(*, actor, rating: Rating, reason: str) -> Rating:
    """Mẫu 03: cancel a decision so it can be redone; the cancelled rating stays on record."""
    if rating.cancelled_at:
        raise ValidationError(_("Quyết định này đã bị hủy."))
    if not nfc(reason):
        raise ValidationError(_("Hủy kết quả xếp loại cần ghi rõ lý do."))
    rating.cancelled_at, rating.cancel_reason = timezone.now(), nfc(reason)
    rating.save(update_fields=["cancelled_at", "cancel_reason"])
    _audit(actor, "rating.cancel", rating.review, reason=nfc(reason), changes={"level": rating.level})
    return rating
