"""Analytics over a deciding subtree and campaign (issue 7, "Dashboards and analytics").

- Rating inflation ("đánh giá, xếp loại … chưa sát với thực chất", seed 001): units whose
  members' decided ratings sit far above those of their sibling units of the same kind, and
  members rated good or excellent although their final report records shortcomings, they own
  open remediation items or they were disciplined in the period — with the units that have
  many of them.
- Self-assessment gap ("đánh giá được độ trung thực của các cán bộ trong kiểm điểm", seed
  002): each member's self-proposed level and self score against the decided level, and the
  shortcomings others raised in feedback against those the member's own report records.

Everything is computed by SQL aggregates over the launch-time paths (`org_path LIKE root%`):
one GROUP BY per figure, correlated subqueries for per-person facts, never a query per node.
Python only combines the grouped rows (the peer statistics of sibling units).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from kiemdiem.campaigns.models import Campaign
from kiemdiem.discipline.models import Discipline
from kiemdiem.organisations.models import Organisation
from kiemdiem.ratings.models import MEMBER_SUBJECT, Rating
from kiemdiem.ratings.rules import get_profile
from kiemdiem.remediation.choices import OPEN_STATES
from kiemdiem.remediation.models import RemediationItem
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.models import Review, Shortcoming


@dataclass(frozen=True)
class Thresholds:
    """When a unit or a person is flagged; every value can be set per request."""

    z: float = 1.5  # a unit's good-or-better share this many standard deviations above its peers'
    min_rated: int = 3  # units with fewer decided members are not compared
    min_peers: int = 2  # at least this many sibling units of the same kind to compare with
    sd_floor: float = 0.05  # peers that all agree still have this much spread (avoids /0)
    doubtful_min: int = 2  # a unit with at least this many doubtful good ratings …
    doubtful_share: float = 0.3  # … making up at least this share of its good ratings


def _good_codes(profile) -> list[str]:
    good_rank = profile.rank(profile.good) if profile.good else max(lv.rank for lv in profile.levels)
    return [lv.code for lv in profile.levels if lv.rank >= good_rank]


def _rank_case(field_name: str, profile) -> Case:
    return Case(*[When(**{field_name: lv.code}, then=Value(lv.rank)) for lv in profile.levels],
                default=Value(None), output_field=IntegerField())


def _decisions(campaign: Campaign, root_path: str):
    """Live decisions on member reviews held under root."""
    return Rating.objects.filter(campaign=campaign, stage="decision", cancelled_at__isnull=True,
                                 org_path__startswith=root_path, subject_kind=MEMBER_SUBJECT)


# --- rating inflation ------------------------------------------------------------------------

@dataclass
class UnitInflation:
    unit: Organisation
    rated: int = 0
    good: int = 0  # good or better
    excellent: int = 0
    peers: int = 0  # sibling units of the same kind compared with
    peer_mean: float | None = None  # peers' mean good-or-better share (0..1)
    peer_sd: float | None = None
    z: float | None = None
    doubtful: int = 0  # good-or-better members with shortcomings, open items or discipline
    above_peers: bool = False
    above_shortcomings: bool = False

    @property
    def share(self) -> float:
        return self.good / self.rated if self.rated else 0.0

    @property
    def share_percent(self) -> float:
        return round(100 * self.share, 1)

    @property
    def peer_percent(self) -> float | None:
        return None if self.peer_mean is None else round(100 * self.peer_mean, 1)

    @property
    def excellent_percent(self) -> float:
        return round(100 * self.excellent / self.rated, 1) if self.rated else 0.0

    @property
    def doubtful_percent(self) -> float:
        return round(100 * self.doubtful / self.good, 1) if self.good else 0.0

    @property
    def flagged(self) -> bool:
        return self.above_peers or self.above_shortcomings


@dataclass
class DoubtfulRating:
    """A member rated good or excellent whose own record suggests otherwise."""

    review_id: int
    member_id: int
    member_name: str
    unit_id: int
    level: str
    shortcomings: int  # recorded in the member's final report (section II)
    open_items: int  # remediation items still open
    disciplines: int  # discipline decided in the campaign's period


@dataclass
class Inflation:
    thresholds: Thresholds
    units: list[UnitInflation] = field(default_factory=list)  # every unit with decided members
    people: list[DoubtfulRating] = field(default_factory=list)

    @property
    def flagged(self) -> list[UnitInflation]:
        return [u for u in self.units if u.flagged]


def doubtful_ratings(campaign: Campaign, root_path: str):
    """Good-or-better decisions annotated with the member's shortcomings (final report), open
    remediation items and discipline in the period; only those with at least one."""
    profile = get_profile(campaign.rules_profile)
    shortcomings = (Shortcoming.objects.filter(review=OuterRef("review_id"), review__status=Status.FINAL)
                    .order_by().values("review").annotate(n=Count("id")).values("n"))
    items = (RemediationItem.objects.filter(member=OuterRef("review__member_id"), state__in=OPEN_STATES)
             .order_by().values("member").annotate(n=Count("id")).values("n"))
    disc = (Discipline.objects.filter(member=OuterRef("review__member_id"), decided_on__gte=campaign.period_start,
                                      decided_on__lte=campaign.period_end)
            .order_by().values("member").annotate(n=Count("id")).values("n"))
    zero = Value(0)
    return (_decisions(campaign, root_path).filter(level__in=_good_codes(profile))
            .annotate(n_short=Coalesce(Subquery(shortcomings, output_field=IntegerField()), zero),
                      n_items=Coalesce(Subquery(items, output_field=IntegerField()), zero),
                      n_disc=Coalesce(Subquery(disc, output_field=IntegerField()), zero))
            .filter(Q(n_short__gt=0) | Q(n_items__gt=0) | Q(n_disc__gt=0)))


def rating_inflation(campaign: Campaign, root: Organisation, thresholds: Thresholds | None = None,
                     people_limit: int = 200) -> Inflation:
    th = thresholds or Thresholds()
    profile = get_profile(campaign.rules_profile)
    good = _good_codes(profile)
    # 1. per unit (the cell holding the member reviews): rated, good-or-better, excellent
    rows = (_decisions(campaign, root.path).values("review__unit_id")
            .annotate(rated=Count("id"), good=Count("id", filter=Q(level__in=good)),
                      excellent=Count("id", filter=Q(level=profile.excellent)))
            .order_by())
    stats = {r["review__unit_id"]: r for r in rows}
    # 2. doubtful good ratings per unit
    doubtful = dict(doubtful_ratings(campaign, root.path).values("review__unit_id")
                    .annotate(n=Count("id")).values_list("review__unit_id", "n").order_by())
    units = Organisation.objects.in_bulk(list(stats))
    out = [UnitInflation(unit=units[pk], rated=s["rated"], good=s["good"], excellent=s["excellent"],
                         doubtful=doubtful.get(pk, 0)) for pk, s in stats.items()]
    # 3. peers: sibling units (same parent) of the same kind, each compared with the others
    groups: dict[tuple, list[UnitInflation]] = defaultdict(list)
    for u in out:
        if u.rated >= th.min_rated:
            groups[(u.unit.parent_id, u.unit.kind)].append(u)
    for members in groups.values():
        n = len(members)
        if n - 1 < th.min_peers:
            continue
        total = sum(u.share for u in members)
        total_sq = sum(u.share ** 2 for u in members)
        for u in members:
            k = n - 1
            mean = (total - u.share) / k
            var = max(0.0, (total_sq - u.share ** 2) / k - mean ** 2)
            sd = max(math.sqrt(var), th.sd_floor)
            u.peers, u.peer_mean, u.peer_sd = k, mean, math.sqrt(var)
            u.z = round((u.share - mean) / sd, 2)
            u.above_peers = u.z >= th.z
    for u in out:
        u.above_shortcomings = u.doubtful >= th.doubtful_min and u.good and u.doubtful / u.good >= th.doubtful_share
        u.above_shortcomings = bool(u.above_shortcomings)
    out.sort(key=lambda u: (not u.flagged, -(u.z if u.z is not None else -99), -u.doubtful, u.unit.path))
    people = [
        DoubtfulRating(review_id=r["review_id"], member_id=r["review__member_id"], member_name=r["review__member__full_name"],
                       unit_id=r["review__unit_id"], level=r["level"], shortcomings=r["n_short"], open_items=r["n_items"],
                       disciplines=r["n_disc"])
        for r in doubtful_ratings(campaign, root.path)
        .values("review_id", "review__member_id", "review__member__full_name", "review__unit_id", "level",
                "n_short", "n_items", "n_disc")
        .order_by(-(F("n_disc") * 100 + F("n_items") * 10 + F("n_short")), "review__member__full_name")[:people_limit]
    ]
    return Inflation(thresholds=th, units=out, people=people)


# --- self-assessment gap ---------------------------------------------------------------------

def _gap_queryset(campaign: Campaign, root_path: str):
    """Member reviews under root with: decided level (live decision), level gap (self-proposed
    rank minus decided rank; > 0 means the member rated themselves higher), self score, the
    shortcoming points others raised in feedback, the shortcomings the report records, and
    the points not acknowledged (feedback beyond what the report records)."""
    from kiemdiem.feedback.choices import PointKind
    from kiemdiem.feedback.models import FeedbackPoint

    profile = get_profile(campaign.rules_profile)
    decided = Rating.objects.filter(review=OuterRef("pk"), stage="decision", cancelled_at__isnull=True).values("level")[:1]
    fb = (FeedbackPoint.objects.filter(review=OuterRef("pk"), kind=PointKind.SHORTCOMING)
          .order_by().values("review").annotate(n=Count("id")).values("n"))
    own = Shortcoming.objects.filter(review=OuterRef("pk")).order_by().values("review").annotate(n=Count("id")).values("n")
    zero = Value(0)
    qs = (Review.objects.filter(campaign=campaign, org_path__startswith=root_path, member__isnull=False)
          .annotate(decided=Subquery(decided))
          .filter(decided__isnull=False)
          .annotate(self_rank=_rank_case("proposed_level", profile), decided_rank=_rank_case("decided", profile),
                    fb_short=Coalesce(Subquery(fb, output_field=IntegerField()), zero),
                    own_short=Coalesce(Subquery(own, output_field=IntegerField()), zero))
          .annotate(level_gap=F("self_rank") - F("decided_rank"),
                    unacknowledged=Case(When(fb_short__gt=F("own_short"), then=F("fb_short") - F("own_short")),
                                        default=zero, output_field=IntegerField())))
    return qs


@dataclass
class PersonGap:
    review_id: int
    member_id: int
    name: str
    unit_id: int
    proposed: str
    decided: str
    level_gap: int | None
    self_score: object
    feedback_shortcomings: int
    own_shortcomings: int
    unacknowledged: int


@dataclass
class UnitGap:
    unit: Organisation
    rated: int
    proposed: int  # with a self-proposed level
    overrated: int  # proposed above the decided level
    underrated: int
    gap_sum: int  # sum of level gaps (each step one)
    feedback_shortcomings: int
    own_shortcomings: int
    unacknowledged: int

    @property
    def mean_gap(self) -> float:
        return round(self.gap_sum / self.proposed, 2) if self.proposed else 0.0

    @property
    def overrated_percent(self) -> float:
        return round(100 * self.overrated / self.proposed, 1) if self.proposed else 0.0


@dataclass
class SelfGap:
    people: list[PersonGap]
    units: list[UnitGap]


def self_assessment_gap(campaign: Campaign, root: Organisation, limit: int = 50) -> SelfGap:
    """The largest gaps per person (self-proposed above decided first, then unacknowledged
    feedback, then self score), and every unit's totals, largest mean gap first."""
    qs = _gap_queryset(campaign, root.path)
    people = [
        PersonGap(review_id=r["pk"], member_id=r["member_id"], name=r["member__full_name"], unit_id=r["unit_id"],
                  proposed=r["proposed_level"], decided=r["decided"], level_gap=r["level_gap"],
                  self_score=(r["self_score_common"] + r["self_score_tasks"]
                              if r["self_score_common"] is not None and r["self_score_tasks"] is not None else None),
                  feedback_shortcomings=r["fb_short"], own_shortcomings=r["own_short"], unacknowledged=r["unacknowledged"])
        for r in qs.filter(Q(level_gap__gt=0) | Q(unacknowledged__gt=0))
        .values("pk", "member_id", "member__full_name", "unit_id", "proposed_level", "decided", "level_gap",
                "self_score_common", "self_score_tasks", "fb_short", "own_short", "unacknowledged")
        .order_by(F("level_gap").desc(nulls_last=True), "-unacknowledged",
                  F("self_score_common").desc(nulls_last=True), "member__full_name")[:limit]
    ]
    rows = (qs.values("unit_id")
            .annotate(rated=Count("id"), proposed=Count("id", filter=Q(self_rank__isnull=False)),
                      overrated=Count("id", filter=Q(level_gap__gt=0)), underrated=Count("id", filter=Q(level_gap__lt=0)),
                      gap_sum=Coalesce(Sum("level_gap"), zero_int()), fb=Coalesce(Sum("fb_short"), zero_int()),
                      own=Coalesce(Sum("own_short"), zero_int()), unack=Coalesce(Sum("unacknowledged"), zero_int()))
            .order_by())
    rows = list(rows)
    orgs = Organisation.objects.in_bulk([r["unit_id"] for r in rows])
    units = [UnitGap(unit=orgs[r["unit_id"]], rated=r["rated"], proposed=r["proposed"], overrated=r["overrated"],
                     underrated=r["underrated"], gap_sum=r["gap_sum"], feedback_shortcomings=r["fb"],
                     own_shortcomings=r["own"], unacknowledged=r["unack"]) for r in rows]
    units.sort(key=lambda u: (-u.mean_gap, -u.unacknowledged, u.unit.path))
    return SelfGap(people=people, units=units)


def zero_int() -> Value:
    return Value(0, output_field=IntegerField())
