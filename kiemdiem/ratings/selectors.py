"""Reads for meetings, votes and calibration, scoped through organisations.access.

Meetings belong to the unit's collective review: staff with MANAGE on the unit run them
(outsiders get 404, a viewer 403, via reviews.selectors.get_review). Voters reach a meeting
only if their member record is one of the unit's members (404 otherwise). Calibration needs
DECIDE on the deciding body. The calibration table is built with one query per kind of data."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.choices import PartyStatus
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews import selectors as review_selectors
from kiemdiem.reviews.models import Review

from . import facts as facts_mod
from . import services
from .choices import RatingStage
from .models import Attendance, Meeting, Rating, Vote
from .rules import get_profile


def get_meeting(user, pk, action: Action = Action.MANAGE) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("review", "review__campaign", "review__subject_org", "review__unit",
                                                 "chair", "secretary").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404
    review_selectors.get_review(user, meeting.review_id, action)
    return meeting


def get_vote(user, pk, action: Action = Action.MANAGE) -> Vote:
    try:
        vote = Vote.objects.select_related("meeting", "subject", "subject__campaign").get(pk=pk)
    except (Vote.DoesNotExist, ValueError, TypeError):
        raise Http404
    get_meeting(user, vote.meeting_id, action)
    return vote


@dataclass
class VoterState:
    member: object
    refusal: str = ""  # why this member may not vote (Vietnamese), empty if they may


def voter_for(user, meeting: Meeting) -> VoterState:
    """The user's member record if they belong to the meeting's unit (404 otherwise), with the
    reason they may not vote, if any."""
    member_id = access.scope_for(user).member_id
    member = services.expected_attendees(meeting).filter(pk=member_id).first() if member_id else None
    if member is None:
        raise Http404
    row = Attendance.objects.filter(meeting=meeting, member=member).first()
    if member.status != PartyStatus.OFFICIAL:
        return VoterState(member, _("Đảng viên dự bị không biểu quyết xếp loại."))
    if row is None or not row.present:
        return VoterState(member, _("Đồng chí không có mặt tại hội nghị nên không được bỏ phiếu."))
    return VoterState(member)


def voter_meeting(user, pk) -> tuple[Meeting, VoterState]:
    try:
        meeting = Meeting.objects.select_related("review", "review__campaign", "review__unit").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404
    return meeting, voter_for(user, meeting)


def voter_vote(user, pk) -> tuple[Vote, VoterState]:
    try:
        vote = Vote.objects.select_related("meeting", "meeting__review", "subject", "subject__campaign").get(pk=pk)
    except (Vote.DoesNotExist, ValueError, TypeError):
        raise Http404
    return vote, voter_for(user, vote.meeting)


def subjects(meeting: Meeting) -> list[Review]:
    """The meeting's subjects in the required order: the collective, the head, deputies, the
    other leaders, then members (by name). A leadership collective's meeting: the collective,
    then each of its members' individual reviews held there."""
    collective = meeting.review
    people = list(Review.objects.filter(campaign_id=collective.campaign_id, unit_id=collective.unit_id, member__isnull=False,
                                        leadership=collective.leadership)
                  .select_related("member").order_by("member__sort_key"))
    from kiemdiem.organisations.choices import ROLE_ORDER
    from kiemdiem.organisations.models import Position

    day = meeting.held_on
    roles = defaultdict(list)
    for member_id, role in (Position.objects.filter(member_id__in=[r.member_id for r in people], organisation_id=collective.unit_id,
                                                    start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))
                            .values_list("member_id", "role")):
        roles[member_id].append(ROLE_ORDER.get(role, 9))
    people.sort(key=lambda r: (min(roles[r.member_id] or [9]), r.member.sort_key))
    return [collective, *people]


def get_body_and_campaign(user, campaign_id, org_id):
    body = access.get_organisation(user, org_id, Action.VIEW)
    if not access.can(user, Action.DECIDE, body):
        raise PermissionDenied
    campaign = review_selectors.get_campaign(user, campaign_id)
    return campaign, body


def get_appraisal_scope(user, campaign_id, org_id):
    """The appraisal (thẩm định) of the proposals a deciding body decides: staff of the body
    (MANAGE on it, which covers its advisory body below it) appraise; a viewer gets 403,
    anyone outside the body's part of the tree 404. Returns (campaign, body, advisory body or
    None): the appraisal is recorded as the advisory body's when the body has one."""
    body = access.get_organisation(user, org_id, Action.VIEW)
    if not access.can(user, Action.MANAGE, body):
        raise PermissionDenied
    campaign = review_selectors.get_campaign(user, campaign_id)
    from kiemdiem.organisations.choices import OrgKind

    advisory = Organisation.objects.filter(parent=body, kind=OrgKind.ADVISORY, dissolved__isnull=True).order_by("path").first()
    return campaign, body, advisory


# --- calibration --------------------------------------------------------------------------

@dataclass
class Row:
    review: Review
    subject: str
    unit: str
    kind: str  # member | collective
    self_level: str = ""
    self_score: object = None
    unit_level: str = ""
    appraisal_level: str = ""
    decision: Rating | None = None
    history: list = field(default_factory=list)  # every decision rating, cancelled ones too
    warnings: list = field(default_factory=list)  # [{code, reason, binding, max_level}] for the proposal
    cap: str = ""  # the highest level the binding rules allow
    cap_name: str = ""
    cap_reasons: list = field(default_factory=list)
    allowed_codes: frozenset = frozenset()
    quarters: list = field(default_factory=list)  # an annual campaign: [(quarter, level code)] decided that year

    @property
    def proposal(self) -> str:
        return self.appraisal_level or self.unit_level or self.self_level

    @property
    def current(self) -> str:
        return self.decision.level if self.decision else ""


@dataclass
class Calibration:
    campaign: object
    body: Organisation
    profile: object
    rows: list[Row]
    distribution: dict  # kind -> Counter of levels (decision, else proposal)
    quota_problems: list[str]
    raised: bool
    quota_raise: object = None  # the body's QuotaRaise for the campaign (its reason is shown)


def _quarters(campaign, member_ids: list[int]) -> dict[int, dict[int, str]]:
    """For an annual campaign: member id -> {quarter: level} of the live decisions of the same
    year's quarterly campaigns (Kết luận 198-KL/TW), one query."""
    from kiemdiem.campaigns.choices import CampaignKind
    from kiemdiem.campaigns.models import Campaign

    if campaign.kind != CampaignKind.ANNUAL or not member_ids:
        return {}
    quarterly = dict(Campaign.objects.filter(kind=CampaignKind.QUARTERLY, year=campaign.year, quarter__isnull=False)
                     .values_list("id", "quarter"))
    if not quarterly:
        return {}
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for member_id, campaign_id, level in Rating.objects.filter(
            campaign_id__in=quarterly, stage=RatingStage.DECISION, cancelled_at__isnull=True,
            review__member_id__in=member_ids).values_list("review__member_id", "campaign_id", "level"):
        out[member_id][quarterly[campaign_id]] = level
    return out


def calibration(campaign, body: Organisation, unit_id=None, level: str = "", warnings_only: bool = False) -> Calibration:
    profile = get_profile(campaign.rules_profile)
    candidates = list(Review.objects.filter(campaign=campaign, org_path__startswith=body.path)
                      .exclude(member__isnull=False, leadership__gt="")  # rated once, at the leader's own review
                      .select_related("campaign", "member", "subject_org", "unit").order_by("org_path", "member__sort_key", "id"))
    orgs = facts_mod.orgs_for(candidates)
    reviews = [r for r in candidates if facts_mod.deciding_body_id(r, orgs) == body.pk]
    ratings = defaultdict(list)
    for rating in Rating.objects.filter(review__in=[r.pk for r in reviews]).order_by("created_at", "id"):
        ratings[rating.review_id].append(rating)
    all_facts = facts_mod.facts_for(reviews)
    quarters = _quarters(campaign, [r.member_id for r in reviews if r.member_id])
    rows = []
    for r in reviews:
        live = {x.stage: x for x in ratings[r.pk] if x.cancelled_at is None}
        row = Row(review=r, subject=r.member.full_name if r.member_id else r.subject_org.name, unit=r.unit.name,
                  kind="member" if r.member_id else "collective",
                  self_level=live[RatingStage.SELF].level if RatingStage.SELF in live else (r.proposed_level or ""),
                  self_score=r.self_score_total,
                  unit_level=live[RatingStage.UNIT].level if RatingStage.UNIT in live else "",
                  appraisal_level=live[RatingStage.APPRAISAL].level if RatingStage.APPRAISAL in live else "",
                  decision=live.get(RatingStage.DECISION),
                  history=[x for x in ratings[r.pk] if x.stage == RatingStage.DECISION])
        # no level yet: what caps the subject below the best level
        level_to_check = row.current or row.proposal or profile.best()
        if level_to_check in profile.codes():
            row.warnings = [v.as_dict() for v in profile.check(all_facts[r.pk], level_to_check)]
        assessment = profile.assess(all_facts[r.pk], profile.codes_for(row.kind)[0])
        row.cap, row.cap_name, row.cap_reasons = assessment.cap, profile.level(assessment.cap).name, list(assessment.cap_reasons)
        row.allowed_codes = frozenset(lv.code for lv in profile.levels_for(row.kind) if lv.rank <= profile.rank(assessment.cap))
        row.quarters = sorted(quarters.get(r.member_id, {}).items()) if r.member_id else []
        rows.append(row)
    from .models import QuotaRaise, subject_kind

    distribution = {"member": Counter(), "collective": Counter()}
    groups: dict[str, list[str]] = defaultdict(list)  # the quota's comparable groups
    for row in rows:
        lvl = row.current or row.proposal
        if lvl:
            distribution[row.kind][lvl] += 1
            r = row.review
            kind = subject_kind(r.member_id, r.subject_org.kind if r.subject_org_id else None, r.leadership)
            groups[profile.quota_group(kind)].append(lvl)
    quota_raise = QuotaRaise.objects.filter(campaign=campaign, body=body).first()
    raised = quota_raise is not None
    problems = []
    for group, levels in sorted(groups.items()):
        problems += [str(v.reason) for v in profile.check_quota(levels, raised, group, body.name)]
    shown = rows
    if unit_id:
        shown = [x for x in shown if str(x.review.unit_id) == str(unit_id)]
    if level:
        shown = [x for x in shown if (x.current or x.proposal) == level]
    if warnings_only:
        shown = [x for x in shown if x.warnings]
    return Calibration(campaign=campaign, body=body, profile=profile, rows=shown, distribution=distribution,
                       quota_problems=problems, raised=raised, quota_raise=quota_raise)
