"""Gathering the plain facts the rules need, in bulk (one query per kind of fact for a whole
set of reviews), and computing who decides whom from the tree.

Two shapes of the same facts: `facts_for` gives a `Facts` per review (pages, single ratings);
`FactSource.key` gives a small hashable tuple per review for bulk calibration, where most
subjects share their facts (same score, no discipline), so a profile's check runs once per
distinct tuple (`FactSource.facts` turns a tuple back into the `Facts` it stands for)."""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Q

from kiemdiem.discipline.models import Discipline
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews.choices import Form
from kiemdiem.reviews.models import Participant, PriorShortcoming, Review

from .rules import DisciplineFact, Facts

DECIDING_KINDS = {OrgKind.GRASSROOTS, OrgKind.GRASSROOTS_CELL, OrgKind.INTERMEDIATE, OrgKind.DISTRICT, OrgKind.PROVINCIAL}
_GRASSROOTS = (OrgKind.GRASSROOTS, OrgKind.GRASSROOTS_CELL)


def body_for(org_path: str, member_id, unit_id, kind_of) -> int | None:
    """Domain.md section 5: members are proposed by their cell and decided by the grassroots
    committee (unverified for HD 43: KIEMDIEM_MEMBER_DECIDED_BY = "grassroots" | "cell");
    a cell under a grassroots committee is decided by that committee; a grassroots (or higher)
    organisation by the standing committee one level up. `kind_of(org_id)` gives an
    ancestor's kind (None when unknown)."""
    ancestors = [int(x) for x in org_path[:-1].split(".")]
    if member_id:
        if getattr(settings, "KIEMDIEM_MEMBER_DECIDED_BY", "grassroots") == "cell":
            return unit_id
        for org_id in reversed(ancestors):
            if kind_of(org_id) in _GRASSROOTS:
                return org_id
        return ancestors[-2] if len(ancestors) > 1 else ancestors[-1]
    # a collective: the nearest committee above it
    return ancestors[-2] if len(ancestors) > 1 else None


def deciding_body_id(review: Review, orgs_by_id: dict[int, Organisation]) -> int | None:
    def kind_of(org_id):
        org = orgs_by_id.get(org_id)
        return org.kind if org is not None else None

    return body_for(review.org_path, review.member_id, review.unit_id, kind_of)


def orgs_for(reviews) -> dict[int, Organisation]:
    ids = set()
    for r in reviews:
        ids.update(int(x) for x in r.org_path[:-1].split("."))
    return Organisation.objects.in_bulk(ids)


def _period_disciplines(campaign) -> dict[tuple, list[DisciplineFact]]:
    """The subjects' disciplines decided in the period, wherever they were when disciplined,
    keyed ("m", member id) or ("o", organisation id)."""
    out = defaultdict(list)
    rows = Discipline.objects.filter(decided_on__gte=campaign.period_start, decided_on__lte=campaign.period_end).filter(
        Q(member__reviews__campaign=campaign) | Q(organisation__collective_reviews__campaign=campaign)
    ).distinct()
    for d in rows:
        fact = DisciplineFact(form=d.form, decided_on=d.decided_on, violation_on=d.violation_on,
                              duty_related=d.duty_related, self_detected_fixed=d.self_detected_fixed)
        out[("m", d.member_id) if d.member_id else ("o", d.organisation_id)].append(fact)
    return out


class FactSource:
    """The facts of a campaign's reviews from a handful of campaign-scoped queries (never an
    IN list of every review), whatever the number of reviews."""

    def __init__(self, campaign, wanted: set[int] | None = None):
        self.campaign = campaign
        self.discipline = {k: tuple(v) for k, v in _period_disciplines(campaign).items()}
        disciplined_members = {key[1] for key in self.discipline if key[0] == "m"}
        # collectives: a leadership member (participant) disciplined in the period
        self.leaders_disciplined = set()
        if disciplined_members:
            for review_id, member_id in Participant.objects.filter(
                    review__campaign=campaign, member_id__in=disciplined_members).values_list("review_id", "member_id"):
                if wanted is None or review_id in wanted:
                    self.leaders_disciplined.add(review_id)
        self.unfixed = {
            rid for rid in PriorShortcoming.objects.filter(review__campaign=campaign).exclude(state="fixed")
            .values_list("review_id", flat=True) if wanted is None or rid in wanted
        }

    def key(self, review_id: int, member_id, subject_org_id, form: str, score_common, score_tasks) -> tuple:
        """A hashable stand-in for the review's `Facts`: equal tuples, equal facts."""
        leaders = review_id in self.leaders_disciplined
        return (
            "member" if member_id else "collective",
            form == Form.LEADER,
            score_common,
            score_tasks,
            review_id not in self.unfixed,
            self.discipline.get(("m", member_id) if member_id else ("o", subject_org_id), ()),
            leaders,
        )

    def facts(self, key: tuple) -> Facts:
        subject, is_leader, score_common, score_tasks, all_fixed, disciplines, leaders = key
        return Facts(
            subject=subject,
            is_leader=is_leader,
            period_start=self.campaign.period_start,
            period_end=self.campaign.period_end,
            score_common=score_common,
            score_tasks=score_tasks,
            prior_shortcomings_all_fixed=all_fixed,
            disciplines=list(disciplines),
            member_disciplined_or_degraded=leaders,
            subordinate_or_leader_disciplined=leaders,
        )


def facts_for(reviews: list[Review]) -> dict[int, Facts]:
    """Facts per review id for a list of reviews of one campaign."""
    if not reviews:
        return {}
    source = FactSource(reviews[0].campaign, {r.pk for r in reviews})
    return {r.pk: source.facts(source.key(r.pk, r.member_id, r.subject_org_id, r.form, r.self_score_common,
                                          r.self_score_tasks)) for r in reviews}
