"""Gathering the plain facts the rules need, in bulk (one query per kind of fact for a whole
set of reviews), and computing who decides whom from the tree."""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from kiemdiem.discipline.models import Discipline
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews.choices import Form
from kiemdiem.reviews.models import PriorShortcoming, Review

from .rules import DisciplineFact, Facts

DECIDING_KINDS = {OrgKind.GRASSROOTS, OrgKind.GRASSROOTS_CELL, OrgKind.INTERMEDIATE, OrgKind.DISTRICT, OrgKind.PROVINCIAL}


def deciding_body_id(review: Review, orgs_by_id: dict[int, Organisation]) -> int | None:
    """Domain.md section 5: members are proposed by their cell and decided by the grassroots
    committee (unverified for HD 43: KIEMDIEM_MEMBER_DECIDED_BY = "grassroots" | "cell");
    a cell under a grassroots committee is decided by that committee; a grassroots (or higher)
    organisation by the standing committee one level up."""
    ancestors = [int(x) for x in review.org_path[:-1].split(".")]
    if review.member_id:
        if getattr(settings, "KIEMDIEM_MEMBER_DECIDED_BY", "grassroots") == "cell":
            return review.unit_id
        for org_id in reversed(ancestors):
            org = orgs_by_id.get(org_id)
            if org is not None and org.kind in (OrgKind.GRASSROOTS, OrgKind.GRASSROOTS_CELL):
                return org_id
        return ancestors[-2] if len(ancestors) > 1 else ancestors[-1]
    # a collective: the nearest committee above it
    return ancestors[-2] if len(ancestors) > 1 else None


def orgs_for(reviews) -> dict[int, Organisation]:
    ids = set()
    for r in reviews:
        ids.update(int(x) for x in r.org_path[:-1].split("."))
    return Organisation.objects.in_bulk(ids)


def facts_for(reviews: list[Review]) -> dict[int, Facts]:
    """Facts per review id for a list of reviews of one campaign: a handful of queries scoped
    by the campaign (never an IN list of every review), whatever the number of reviews."""
    if not reviews:
        return {}
    campaign = reviews[0].campaign
    wanted = {r.pk for r in reviews}
    discipline = defaultdict(list)
    # the subjects' disciplines decided in the period, wherever they were when disciplined
    from django.db.models import Q

    rows = Discipline.objects.filter(decided_on__gte=campaign.period_start, decided_on__lte=campaign.period_end).filter(
        Q(member__reviews__campaign=campaign) | Q(organisation__collective_reviews__campaign=campaign)
    ).distinct()
    for d in rows:
        if d.member_id:
            discipline[("m", d.member_id)].append(d)
        else:
            discipline[("o", d.organisation_id)].append(d)
    disciplined_members = {key[1] for key in discipline if key[0] == "m"}
    # collectives: a leadership member (participant) disciplined in the period
    from kiemdiem.reviews.models import Participant

    participants = defaultdict(set)
    for review_id, member_id in Participant.objects.filter(review__campaign=campaign).values_list("review_id", "member_id"):
        if review_id in wanted:
            participants[review_id].add(member_id)
    unfixed = {
        rid for rid in PriorShortcoming.objects.filter(review__campaign=campaign).exclude(state="fixed")
        .values_list("review_id", flat=True) if rid in wanted
    }
    out = {}
    for r in reviews:
        key = ("m", r.member_id) if r.member_id else ("o", r.subject_org_id)
        leaders_disciplined = bool(participants[r.pk] & disciplined_members)
        out[r.pk] = Facts(
            subject="member" if r.member_id else "collective",
            is_leader=r.form == Form.LEADER,
            period_start=campaign.period_start,
            period_end=campaign.period_end,
            score_common=r.self_score_common,
            score_tasks=r.self_score_tasks,
            prior_shortcomings_all_fixed=r.pk not in unfixed,
            disciplines=[
                DisciplineFact(form=d.form, decided_on=d.decided_on, violation_on=d.violation_on,
                               duty_related=d.duty_related, self_detected_fixed=d.self_detected_fixed)
                for d in discipline[key]
            ],
            member_disciplined_or_degraded=leaders_disciplined,
            subordinate_or_leader_disciplined=leaders_disciplined,
        )
    return out
