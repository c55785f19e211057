"""Meetings, votes and the path from proposal to decision, every step checked by the
campaign's rules profile."""
from __future__ import annotations

import datetime
import json
import secrets
from collections import Counter, defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc
from kiemdiem.organisations.choices import ACTIVE_STATUSES, PartyStatus, PositionRole, ROLE_ORDER
from kiemdiem.organisations.models import Member, Organisation, Position
from kiemdiem.reviews.choices import Form
from kiemdiem.reviews.models import Review

from . import facts as facts_mod
from .choices import RatingStage, VoteMethod, VoteStatus
from .models import MEMBER_SUBJECT, Attendance, Ballot, BallotCast, Contribution, Meeting, QuotaRaise, Rating, Vote, subject_kind
from .rules import get_profile


def _audit(actor, action, review: Review, **kw):
    audit.record(actor=actor, action=action, obj=review, org_path=review.org_path, **kw)


# --- what the rules allow -------------------------------------------------------------------

class RatingRefused(ValidationError):
    """Levels the rules refuse. `refusals` names, per subject, the level asked for, the highest
    level allowed and why, and whether the refusal is binding (the regulation: nothing gets
    past it) or advisory (a written reason would). The API answers 422 with them."""

    def __init__(self, messages: list[str], refusals: list[dict]):
        super().__init__(messages)
        self.refusals = refusals


def refusal(profile, subject_name: str, review_id: int, assessment) -> tuple[str, dict]:
    """The Vietnamese message and the structured refusal for one subject's assessment."""
    cap_name = profile.level(assessment.cap).name
    if assessment.binding:
        reasons = [str(v.reason) for v in assessment.binding]
        message = _("%(s)s: mức cao nhất được phép là “%(cap)s” (%(why)s). Đây là quy định bắt buộc: không thể vượt "
                    "bằng cách ghi lý do.") % {"s": subject_name, "cap": cap_name, "why": " ".join(reasons)}
    else:
        reasons = [str(v.reason) for v in assessment.advisory]
        message = _("%(s)s: cần ghi rõ lý do để xếp mức này (khuyến nghị, không bắt buộc): %(why)s") % {
            "s": subject_name, "why": " ".join(reasons)}
    return message, {
        "review_id": review_id, "subject": subject_name, "level": assessment.level, "max_level": assessment.cap,
        "max_level_name": cap_name, "binding": bool(assessment.binding), "reasons": reasons,
        "cap_reasons": list(assessment.cap_reasons)}


def assess(review: Review, level: str, facts=None):
    """The rules' assessment of `review` rated at `level` (binding and advisory findings, cap)."""
    profile = get_profile(review.campaign.rules_profile)
    facts = facts or facts_mod.facts_for([review])[review.pk]
    return profile.assess(facts, level)


def subject_name(review: Review) -> str:
    return review.member.full_name if review.member_id else review.subject_org.name


def allowed_levels(review: Review, facts=None) -> list:
    """The profile's levels a subject may be given (highest first), none above the cap."""
    profile = get_profile(review.campaign.rules_profile)
    subject = "member" if review.member_id else "collective"
    cap = assess(review, profile.codes_for(subject)[-1], facts).cap
    return [lv for lv in profile.levels_for(subject) if lv.rank <= profile.rank(cap)]


def proposal_gate(review: Review) -> list[str]:
    """Submission gate (reviews.gates.SUBMIT_GATES): the self-proposed level may not exceed
    what the binding rules allow (the self-score's band, a discipline, a conclusion...)."""
    profile = get_profile(review.campaign.rules_profile)
    if not review.proposed_level or review.proposed_level not in profile.codes():
        return []
    assessment = assess(review, review.proposed_level)
    if not assessment.binding:
        return []
    return [_("Mức tự đề xuất vượt mức cao nhất quy định cho phép là “%(cap)s”: %(why)s") % {
        "cap": profile.level(assessment.cap).name, "why": " ".join(str(v.reason) for v in assessment.binding)}]


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
    """Active members whose official cell is the meeting's unit; for a leadership collective's
    meeting (BCH, BTV, Thường trực), the collective's members."""
    if meeting.review.leadership:
        return Member.objects.filter(collective_participations__review=meeting.review, status__in=ACTIVE_STATUSES)
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
    if (subject.campaign_id != meeting.review.campaign_id or subject.unit_id != meeting.review.unit_id
            or subject.leadership != meeting.review.leadership):
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
        others = Review.objects.filter(campaign_id=subject.campaign_id, unit_id=subject.unit_id, member__isnull=False,
                                       leadership=subject.leadership).exclude(pk=subject.pk)
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
    if not subject.rated:
        raise ValidationError(_("Đồng chí %(name)s được xếp loại một lần, tại bản kiểm điểm của mình; tại tập thể lãnh đạo "
                                "chỉ kiểm điểm, góp ý.") % {"name": subject.member.full_name})
    if subject.campaign_id != meeting.review.campaign_id or subject.leadership != meeting.review.leadership or \
            subject.unit_id != meeting.review.unit_id:
        raise ValidationError(_("Đối tượng không thuộc hội nghị này."))
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
    cap = assess(vote.subject, level)
    if cap.binding:
        raise RatingRefused([_("Mức “%(level)s” vượt mức cao nhất quy định cho phép (“%(cap)s”): %(why)s") % {
            "level": profile.level(level).name, "cap": profile.level(cap.cap).name,
            "why": " ".join(str(v.reason) for v in cap.binding)}],
            [refusal(profile, subject_name(vote.subject), vote.subject.pk, cap)[1]])
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
    subject_facts = facts_mod.facts_for([vote.subject])[vote.subject.pk]
    cap = profile.assess(subject_facts, profile.lowest()).cap
    if vote.method != VoteMethod.SECRET:
        above = sorted((lv for lv in tally if profile.rank(lv) > profile.rank(cap)), key=profile.rank, reverse=True)
        if above:
            over = profile.assess(subject_facts, above[0])
            raise RatingRefused([_("Không thể biểu quyết mức “%(level)s”: mức cao nhất quy định cho phép là “%(cap)s” "
                                   "(%(why)s).") % {"level": profile.level(above[0]).name, "cap": profile.level(cap).name,
                                                    "why": " ".join(over.cap_reasons)}],
                                [refusal(profile, subject_name(vote.subject), vote.subject.pk, over)[1]])
    vote.tally, vote.status, vote.closed_at = tally, VoteStatus.CLOSED, timezone.now()
    vote.result_level = result_level(profile, tally, sum(tally.values()))
    vote.save()
    _audit(actor, "vote.close", vote.subject, changes={"tally": tally, "result": vote.result_level})
    reason = _("Kết quả biểu quyết: %(t)s") % {"t": ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))}
    level = vote.result_level
    if profile.rank(level) > profile.rank(cap):
        # ballots cast before a record lowered the cap: the proposal is the cap, and says why
        reason += " " + _("Quy định chỉ cho phép tối đa “%(cap)s”: %(why)s") % {
            "cap": profile.level(cap).name, "why": " ".join(profile.assess(subject_facts, level).cap_reasons)}
        level = cap
    rating_record(actor=actor, review=vote.subject, stage=RatingStage.UNIT, level=level, reason=reason, force=True,
                  facts=subject_facts)
    return vote


# --- ratings --------------------------------------------------------------------------------

def verdicts(review: Review, level: str, facts=None) -> list[dict]:
    return [v.as_dict() for v in get_profile(review.campaign.rules_profile).check(
        facts or facts_mod.facts_for([review])[review.pk], level)]


@transaction.atomic
def rating_record(*, actor, review: Review, stage: str, level: str, reason: str = "", body=None,
                  force: bool = False, facts=None) -> Rating:
    """Record a level at a stage. A level above what a binding finding allows is refused,
    whatever the reason and whoever asks; one an advisory finding objects to needs a written
    reason (`force` skips that for a vote result, whose tally is its reason)."""
    profile = get_profile(review.campaign.rules_profile)
    if level not in profile.codes():
        raise ValidationError(_("Mức xếp loại không thuộc quy định áp dụng."))
    if not review.rated:
        raise ValidationError(_("Bản kiểm điểm tại tập thể lãnh đạo không xếp loại riêng; đồng chí được xếp loại một lần, tại "
                                "bản kiểm điểm của mình."))
    assessment = assess(review, level, facts)
    if assessment.binding or (assessment.advisory and not force and not nfc(reason)):
        message, refused = refusal(profile, subject_name(review), review.pk, assessment)
        raise RatingRefused([message], [refused])
    found = [v.as_dict() for v in assessment.advisory]
    previous = Rating.objects.filter(review=review, stage=stage, cancelled_at__isnull=True).first()
    if previous:
        previous.cancelled_at, previous.cancel_reason = timezone.now(), nfc(reason) or _("Thay bằng mức mới")
        previous.save(update_fields=["cancelled_at", "cancel_reason"])
    rating = Rating.objects.create(
        review=review, stage=stage, profile_key=profile.key, level=level, score=_score(review), body=body,
        org_path=review.org_path, warnings=found, reason=nfc(reason), previous_level=previous.level if previous else "",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        campaign_id=review.campaign_id, subject_kind=subject_kind(review.member_id, review.subject_org.kind if review.subject_org_id
                                                                   else None, review.leadership),
    )
    _audit(actor, f"rating.{stage}", review, changes={"level": [previous.level if previous else None, level]}, reason=nfc(reason))
    return rating


def _score(review: Review):
    return review.self_score_total


# --- decisions in bulk ----------------------------------------------------------------------
#
# A province decides ~165,000 members at once (issue 5: < 5 s), so this path has no model
# instance per decision: reviews are read as tuples, a profile's check runs once per distinct
# (facts, level) pair (most subjects share their facts), decisions they replace are cancelled
# by set-based UPDATEs, and the new ones go in with COPY on PostgreSQL (bulk_create elsewhere).
# Model instances are made only for messages about the few subjects that fail.

CHUNK = 2000  # ids per IN list where there is no array parameter (SQLite limits a query's parameters)
_REVIEW_COLUMNS = ("id", "member_id", "subject_org_id", "unit_id", "org_path", "form", "self_score_common", "self_score_tasks",
                   "leadership")


def _where_ids(qs, field: str, ids: list[int]):
    """`qs` filtered to `field` in `ids`, as one or more querysets: a single `= ANY(array)` on
    PostgreSQL, the array sent as one literal (an IN list, or a list adapted element by
    element, of 150,000 ids costs seconds), chunks of IN lists elsewhere."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = f"{quote(qs.model._meta.db_table)}.{quote(qs.model._meta.get_field(field).column)}"
        literal = "{" + ",".join(str(int(i)) for i in ids) + "}"
        return [qs.extra(where=[f"{column} = ANY(%s::bigint[])"], params=[literal])]
    return [qs.filter(**{f"{field}__in": ids[i:i + CHUNK]}) for i in range(0, len(ids), CHUNK)]


def _reviews_named(ids: list[int]) -> list[Review]:
    """Review instances (for their names in messages), in the order of `ids`."""
    found = {}
    for qs in _where_ids(Review.objects.select_related("member", "subject_org"), "id", ids):
        found.update((r.pk, r) for r in qs)
    return [found[i] for i in ids]


def _live_decisions(campaign_id: int, ids: list[int]) -> tuple[dict[int, tuple[int, str]], bool]:
    """review id -> (rating id, level) of the live decision of each of `ids` (reviews of the
    campaign) that has one, and whether those are every live decision of the campaign. A few
    ids: by the unique (review, stage) index of live ratings. Many: every live decision of the
    campaign in one set-based read of its partial index, filtered here. No per-review probe: on
    a table never analysed the planner walked the campaign's whole partial index for each probe
    (issue 14: > 7 minutes for a province; this read takes tens of milliseconds whatever the
    statistics)."""
    live = Rating.objects.filter(stage=RatingStage.DECISION, cancelled_at__isnull=True).order_by()
    previous = {}
    if len(ids) <= CHUNK:
        for qs in _where_ids(live, "review", ids):
            previous.update((review_id, (pk, level)) for review_id, pk, level in qs.values_list("review_id", "id", "level"))
        return previous, False
    wanted, others = set(ids), 0
    for review_id, pk, level in live.filter(campaign_id=campaign_id).values_list("review_id", "id", "level").iterator(
            chunk_size=10000):
        if review_id in wanted:
            previous[review_id] = (pk, level)
        else:
            others += 1
    return previous, not others


def _check_order(campaign, collectives: list[tuple[int, str]]) -> None:
    """Subordinate units and members are rated before the organisation above them.
    `collectives`: (review id, org_path) of the collective subjects being decided."""
    for review_id, org_path in collectives:
        # a leader's review held in a leadership collective is not rated; the organisation's own
        # leadership collectives (same path) are decided beside it, not before it
        pending = (Review.objects.filter(campaign=campaign, org_path__startswith=org_path).exclude(pk=review_id)
                   .exclude(member__isnull=False, leadership__gt="").exclude(org_path=org_path, member__isnull=True)
                   .exclude(ratings__stage=RatingStage.DECISION, ratings__cancelled_at__isnull=True).count())
        if pending:
            raise ValidationError(_("Còn %(n)d tổ chức, đảng viên trực thuộc %(s)s chưa được quyết định xếp loại.") % {
                "n": pending, "s": _reviews_named([review_id])[0]})


def _live_decision_counts(campaign, body_ids: set[int]) -> Counter:
    """Live decisions of the campaign by (body id, subject kind, level), one grouped query."""
    from django.db.models import Count

    rows = (Rating.objects.filter(campaign=campaign, stage=RatingStage.DECISION, cancelled_at__isnull=True,
                                  body_id__in=body_ids)
            .values_list("body_id", "subject_kind", "level").annotate(n=Count("id")).order_by())
    return Counter({(body_id, kind, level): n for body_id, kind, level, n in rows})


def _quota_problems(campaign, counts: Counter) -> list[str]:
    """The quota over each deciding body's live decisions, within each group of comparable
    subjects the profile defines (members, cells, grassroots organisations, leadership
    collectives...), from their counts by (body id, subject kind, level)."""
    profile = get_profile(campaign.rules_profile)
    body_ids = {key[0] for key in counts}
    raised = set(QuotaRaise.objects.filter(campaign=campaign, body_id__in=body_ids).values_list("body_id", flat=True))
    groups: dict[tuple, list[str]] = defaultdict(list)
    for (body_id, kind, level), n in counts.items():
        groups[(body_id or 0, profile.quota_group(kind))].extend([level] * n)
    names = dict(Organisation.objects.filter(pk__in=body_ids).values_list("id", "name")) if groups else {}
    problems = []
    for (body_id, group), levels in sorted(groups.items()):
        problems += [str(v.reason) for v in profile.check_quota(levels, body_id in raised, group, names.get(body_id, ""))]
    return problems


def _decide(*, actor, campaign, decisions, body=None) -> tuple[list[int], int]:
    """Validate and save decisions (subject, level, reason), subject a Review or its id.
    With `body`, every subject must be decided by it; otherwise each goes to the body the tree
    says decides it. Returns (review ids in order, decisions saved)."""
    profile = get_profile(campaign.rules_profile)
    codes = set(profile.codes())
    items = [(subject.pk if isinstance(subject, Review) else int(subject), level, nfc(reason) if reason else "")
             for subject, level, reason in decisions]
    ids = [item[0] for item in items]
    if len(set(ids)) != len(ids):
        raise ValidationError(_("Mỗi đối tượng chỉ được quyết định xếp loại một lần."))

    if connection.vendor == "postgresql":
        # plans here come from row estimates in the hundred thousands: compiling them (JIT)
        # costs more than running them
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")

    # the subjects, as tuples: most of a campaign's reviews are read by the campaign's index
    # (probing the primary key 150,000 times costs more), a few by their ids
    rows = {}
    campaign_reviews = Review.objects.filter(campaign=campaign)
    if len(ids) > 10 * CHUNK and 2 * len(ids) >= campaign_reviews.count():
        wanted = set(ids)
        rows.update((row[0], row) for row in campaign_reviews.values_list(*_REVIEW_COLUMNS) if row[0] in wanted)
    else:
        for qs in _where_ids(campaign_reviews, "id", ids):
            rows.update((row[0], row) for row in qs.values_list(*_REVIEW_COLUMNS))
    if len(rows) != len(ids):
        raise ValidationError(_("Có đối tượng không thuộc đợt kiểm điểm này."))
    unrated = [rid for rid in ids if rows[rid][1] and rows[rid][8]]
    if unrated:
        raise ValidationError(_("%(s)s: bản kiểm điểm tại tập thể lãnh đạo không xếp loại riêng; đồng chí được xếp loại một lần, "
                                "tại bản kiểm điểm của mình.") % {"s": _reviews_named(unrated[:1])[0]})

    # who decides whom: from the kinds of the subjects' ancestors, once per distinct path
    ancestor_ids = sorted({int(x) for p in {row[4] for row in rows.values()} for x in p[:-1].split(".")})
    orgs = {}
    for qs in _where_ids(Organisation.objects.all(), "id", ancestor_ids):
        orgs.update((pk, (kind, path)) for pk, kind, path in qs.values_list("id", "kind", "path"))

    def kind_of(org_id):
        found = orgs.get(org_id)
        return found[0] if found else None

    body_memo, bodies = {}, {}
    for rid, member_id, _org, unit_id, org_path, *_rest in rows.values():
        key = (org_path, bool(member_id), unit_id)
        if key not in body_memo:
            body_memo[key] = facts_mod.body_for(org_path, member_id, unit_id, kind_of)
        bodies[rid] = body_memo[key]
    if body is not None:
        for rid in ids:
            if bodies[rid] != body.pk:
                raise ValidationError(_("%(s)s không thuộc thẩm quyền quyết định của %(b)s.") % {
                    "s": _reviews_named([rid])[0], "b": body.name})
    _check_order(campaign, [(rid, rows[rid][4]) for rid in ids if rows[rid][2]])

    # the live decisions these replace are cancelled (kept on record), by set-based UPDATEs
    previous, all_live = _live_decisions(campaign.pk, ids)
    now = timezone.now()
    if previous:
        replaced = _("Thay bằng mức mới")
        by_reason = defaultdict(list)
        for rid, _level, reason in items:
            if rid in previous:
                by_reason[reason or replaced].append(previous[rid][0])
        live = Rating.objects.filter(campaign_id=campaign.pk, stage=RatingStage.DECISION, cancelled_at__isnull=True)
        if all_live and len(by_reason) == 1:
            # every live decision of the campaign, for one reason (a province re-rated): by the
            # campaign's partial index, no list of ids
            cancelled = live.update(cancelled_at=now, cancel_reason=next(iter(by_reason)))
        else:
            cancelled = 0
            for cancel_reason, rating_ids in by_reason.items():
                for qs in _where_ids(live, "id", rating_ids):
                    cancelled += qs.update(cancelled_at=now, cancel_reason=cancel_reason)
        if cancelled != len(previous):  # another decision of these subjects committed meanwhile
            raise ValidationError(_("Các quyết định xếp loại của đợt vừa được thay đổi trong lúc xử lý; vui lòng thực hiện "
                                    "lại."))

    # the quota counts the body's other live decisions too (those not replaced here)
    others = _live_decision_counts(campaign, set(bodies.values()))

    # every level checked against the profile, once per distinct (facts, level), while the
    # new decisions stream to the database (nothing is kept if any check fails)
    source = facts_mod.FactSource(campaign, set(ids))
    memo: dict[tuple, tuple[list, str, object]] = {}  # advisory verdicts as data, as COPY text; the assessment
    found_for, errors = {}, []
    tally = Counter()  # (body, subject kind, level) -> decisions

    def checked():
        # in id order: the rows' index entries then go page by page
        key_of, previous_level = source.key, {rid: level for rid, (_pk, level) in previous.items()}
        for rid, level, reason in sorted(items):
            if level not in codes:
                raise ValidationError(_("Mức xếp loại không thuộc quy định áp dụng."))
            _id, member_id, org_id, _unit, org_path, form, common, tasks, lead = rows[rid]
            key = (key_of(rid, member_id, org_id, form, common, tasks, org_path), level)
            found = memo.get(key)
            if found is None:
                assessment = profile.assess(source.facts(key[0]), level)
                verdict_list = [v.as_dict() for v in assessment.advisory]
                found = memo[key] = (verdict_list, _copy_text(json.dumps(verdict_list, ensure_ascii=False)), assessment,
                                     bool(assessment.binding), bool(verdict_list))
            if found[3] or (found[4] and not reason):  # binding: no reason gets past it
                errors.append(rid)
                found_for[rid] = found
            body_id = bodies[rid]
            kind = MEMBER_SUBJECT if member_id is not None else subject_kind(member_id, kind_of(org_id), lead)
            tally_key = (body_id, kind, level)
            tally[tally_key] = tally.get(tally_key, 0) + 1
            yield (rid, level, None if common is None or tasks is None else common + tasks, body_id, org_path,
                   kind, found, reason, previous_level.get(rid, ""))

    user = actor if getattr(actor, "is_authenticated", False) else None
    _insert_decisions(checked(), campaign.pk, profile.key, user, now, stop=lambda: bool(errors))
    if errors:
        position = {rid: i for i, rid in enumerate(ids)}
        errors.sort(key=position.__getitem__)  # named in the order given
        refused = [refusal(profile, subject_name(review), review.pk, found_for[review.pk][2]) for review in _reviews_named(errors)]
        raise RatingRefused([message for message, _r in refused], [r for _m, r in refused])

    # one audit row per deciding body: how many decisions at each level, how many replaced
    # (each decision's level before and after is on its rating: previous_level, level)
    per_body: dict[int, dict] = {}
    for (body_id, _kind, level), n in sorted(tally.items()):
        entry = per_body.setdefault(body_id, {"body": body_id, "decisions": 0, "replaced": 0, "levels": {}})
        entry["decisions"] += n
        entry["levels"][level] = entry["levels"].get(level, 0) + n
    for rid in previous:
        per_body[bodies[rid]]["replaced"] += 1
    audit.record_many([
        dict(actor=actor, action="rating.decision", obj=campaign, changes=changes,
             org_path=orgs[body_id][1] if body_id in orgs else campaign.issuer_path)
        for body_id, changes in per_body.items()
    ])

    problems = _quota_problems(campaign, others + tally)
    if problems:
        raise ValidationError(problems)
    return ids, len(items)


_RATING_COLUMNS = ("review", "stage", "profile_key", "level", "score", "body", "org_path", "subject_kind", "warnings",
                   "reason", "previous_level", "campaign", "actor", "created_at", "cancel_reason")


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _insert_decisions(new, campaign_id: int, profile_key: str, user, now, stop) -> None:
    """Insert the new decision ratings `new` (an iterable of tuples): COPY on PostgreSQL, the
    text written here (adapting 150,000 rows value by value costs more than the rest of the
    path) and sent in chunks so the server stores them while the next are checked;
    bulk_create elsewhere. Once `stop()` is true nothing more is written (the caller raises)."""
    actor_id = user.pk if user is not None else None
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(Rating._meta.get_field(name).column) for name in _RATING_COLUMNS)
        null = "\\N"
        # what every row shares: stage, profile; actor, time, empty cancel reason
        head = f"\t{RatingStage.DECISION}\t{_copy_text(profile_key)}\t"
        tail = f"\t{campaign_id}\t{null if actor_id is None else actor_id}\t{now.isoformat()}\t\n"
        lines = []
        with connection.cursor() as cursor, cursor.cursor.copy(  # psycopg 3
                f"COPY {quote(Rating._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for rid, level, score, body_id, org_path, kind, found, reason, previous_level in new:
                # org_path is digits and dots, levels and kinds are codes: nothing there to escape
                lines.append(f"{rid}{head}{level}\t{null if score is None else score}\t{null if body_id is None else body_id}"
                             f"\t{org_path}\t{kind}\t{found[1]}\t{_copy_text(reason) if reason else ''}\t{previous_level}{tail}")
                if len(lines) >= 5000:
                    if not stop():
                        copy.write("".join(lines))
                    lines.clear()
            if lines and not stop():
                copy.write("".join(lines))
        return
    batch = [Rating(review_id=rid, stage=RatingStage.DECISION, profile_key=profile_key, level=level, score=score,
                    body_id=body_id, org_path=org_path, warnings=found[0], reason=reason, previous_level=previous_level,
                    actor_id=actor_id, campaign_id=campaign_id, subject_kind=kind)
             for rid, level, score, body_id, org_path, kind, found, reason, previous_level in new]
    if not stop():
        Rating.objects.bulk_create(batch, batch_size=CHUNK)


@transaction.atomic
def decide(*, actor, body, decisions: list[tuple], campaign=None) -> list[Rating]:
    """The competent level's decisions (subject, level, reason) — subject a Review or its id —
    for subjects under one deciding body: every decision checked by the profile, the quota
    checked over the body's live decisions after the change. Nothing is saved if anything
    fails. `campaign` defaults to the first subject's. Returns the new ratings in the order
    given."""
    if not decisions:
        return []
    if campaign is None:
        first = decisions[0][0]
        campaign = first.campaign if isinstance(first, Review) else \
            Review.objects.select_related("campaign").get(pk=first).campaign
    ids, _n = _decide(actor=actor, campaign=campaign, decisions=decisions, body=body)
    saved = {}
    for qs in _where_ids(Rating.objects.filter(stage=RatingStage.DECISION, cancelled_at__isnull=True), "review", ids):
        saved.update((r.review_id, r) for r in qs)
    return [saved[i] for i in ids]


@transaction.atomic
def decide_all(*, actor, campaign, decisions: list[tuple]) -> int:
    """Decisions (subject, level, reason) — subject a review id or a Review — across many
    deciding bodies at once (a province's calibration): each subject goes to the body the tree
    says decides it; checks, saving and quotas are all in bulk. Nothing is saved if anything
    fails. Returns the number of decisions saved."""
    if not decisions:
        return 0
    return _decide(actor=actor, campaign=campaign, decisions=decisions)[1]


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
