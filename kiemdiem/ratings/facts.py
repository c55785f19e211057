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
from kiemdiem.organisations.choices import PositionRole
from kiemdiem.organisations.models import Organisation, Position
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


# the triggers a conclusion's kind proves, and the codes the rules give them
CONCLUSION_TRIGGERS = {"degraded": "degraded", "prohibitions": "prohibitions", "corruption_in_remit": "corruption",
                       "disunity": "disunity"}
_HEAD_ROLES = (PositionRole.SECRETARY, PositionRole.HEAD_OF_BODY)
_NO_KINDS = (frozenset(), frozenset())


class FactSource:
    """The facts of a campaign's reviews from a handful of campaign-scoped queries (never an
    IN list of every review), whatever the number of reviews. Every QĐ 366 check reads a record:
    disciplines, the inspection commission's conclusions (discipline.Conclusion), the task
    register or a unit's declaration (performance), confidence votes, section III, and the
    campaign's stored ratings of the units under a leader."""

    def __init__(self, campaign, wanted: set[int] | None = None):
        from kiemdiem.discipline.selectors import conclusions_in_period, disciplined_under
        from kiemdiem.performance.selectors import area_tasks_done_pct, low_confidence, task_facts

        self.campaign = campaign
        start, end = campaign.period_start, campaign.period_end
        self.discipline = {k: tuple(v) for k, v in _period_disciplines(campaign).items()}
        self.conclusions = conclusions_in_period(start, end)
        self.tasks = task_facts(start, end)
        self._task_keys: dict[int, tuple] = {}  # id(TaskFacts) -> (it, its score, its shares)
        self.low_confidence = low_confidence(start, end)
        disciplined_members = {key[1] for key in self.discipline if key[0] == "m"}
        degraded_members = {key[1] for key, facts in self.conclusions.items()
                            if key[0] == "m" and any(f.kind == "degraded" for f in facts)}
        # collectives: a member of its leadership (participant) disciplined in the period bars
        # HTXSNV (any collective); a member of a leadership collective (BCH, BTV, Thường trực)
        # disciplined or found degraded makes that collective KHTNV: the trigger reads the
        # collective's own members, never a whole organisation's
        self.leaders_disciplined, self.leaders_faulted = set(), set()
        if disciplined_members or degraded_members:
            for review_id, member_id, leadership in Participant.objects.filter(
                    review__campaign=campaign, member_id__in=disciplined_members | degraded_members).values_list(
                    "review_id", "member_id", "review__leadership"):
                if wanted is None or review_id in wanted:
                    if leadership:
                        self.leaders_faulted.add(review_id)
                    if member_id in disciplined_members:
                        self.leaders_disciplined.add(review_id)
        from kiemdiem.reviews.part_b import criterion_grades

        self.grades = criterion_grades(campaign, wanted)  # QĐ 124: the self-grade of each criterion
        self.unfixed = {
            rid for rid in PriorShortcoming.objects.filter(review__campaign=campaign).exclude(state="fixed")
            .values_list("review_id", flat=True) if wanted is None or rid in wanted
        }
        # collectives with a subordinate organisation or a member of one disciplined in the period
        collective_paths = set(Review.objects.filter(campaign=campaign, member__isnull=True).values_list("org_path", flat=True))
        self.subordinate_disciplined = disciplined_under(start, end, collective_paths)
        # leaders: the organisations where they hold a post during the period, the share of the
        # units directly under those rated KHTNV in this campaign's live decisions, and the
        # share of the tasks of the organisation they head that were done
        self.leader_orgs, self.head_orgs = defaultdict(set), defaultdict(set)
        leader_ids = Review.objects.filter(campaign=campaign, form=Form.LEADER).values_list("member_id", flat=True)
        for member_id, org_id, role in Position.objects.filter(member_id__in=leader_ids, start__lte=end).filter(
                Q(end__isnull=True) | Q(end__gte=start)).values_list("member_id", "organisation_id", "role"):
            self.leader_orgs[member_id].add(org_id)
            if role in _HEAD_ROLES:
                self.head_orgs[member_id].add(org_id)
        self.units_failing = self._units_failing({o for orgs in self.leader_orgs.values() for o in orgs})
        self.area_done = area_tasks_done_pct(start, end, {o for orgs in self.head_orgs.values() for o in orgs})

    def _units_failing(self, org_ids: set[int]) -> dict[int, float]:
        """organisation id -> share (0..100) of its direct subordinate units with a live decision
        in this campaign that were rated KHTNV (units not yet decided are not counted)."""
        if not org_ids:
            return {}
        from .choices import RatingStage
        from .models import LEADERSHIP_SUBJECTS, MEMBER_SUBJECT, Rating

        paths = dict(Organisation.objects.filter(pk__in=org_ids).values_list("path", "id"))
        decided, failing = defaultdict(int), defaultdict(int)
        rows = (Rating.objects.filter(campaign=self.campaign, stage=RatingStage.DECISION, cancelled_at__isnull=True)
                .exclude(subject_kind=MEMBER_SUBJECT).exclude(subject_kind__in=LEADERSHIP_SUBJECTS)
                .values_list("org_path", "level"))
        for path, level in rows:
            parent = path[:path.rfind(".", 0, len(path) - 1) + 1]
            org_id = paths.get(parent)
            if org_id is not None:
                decided[org_id] += 1
                failing[org_id] += level == "KHTNV"
        return {org_id: failing[org_id] * 100 / n for org_id, n in decided.items()}

    def _conclusion_kinds(self, subject) -> tuple[frozenset, frozenset]:
        """(kinds found, triggers softened) of the subject's conclusions in the period."""
        conclusions = self.conclusions.get(subject, ())
        if not conclusions:
            return _NO_KINDS
        found = frozenset(f.kind for f in conclusions)
        softened = frozenset(CONCLUSION_TRIGGERS[f.kind] for f in conclusions if f.self_detected_fixed
                             and not any(g.kind == f.kind and not g.self_detected_fixed for g in conclusions))
        return found, softened

    def _task_key(self, tasks) -> tuple:
        """(score from the register or None, the task shares as a tuple) of a `TaskFacts`;
        task_facts shares one per pattern of counts, so this is computed once per pattern."""
        found = self._task_keys.get(id(tasks))
        if found is None:
            found = self._task_keys[id(tasks)] = (tasks, tasks.score_tasks, (
                tasks.on_time_pct, tasks.beyond_pct, tasks.late_pct, tasks.failed_pct, tasks.all_quality_met,
                tasks.declared))
        return found

    def key(self, review_id: int, member_id, subject_org_id, form: str, score_common, score_tasks, org_path: str = "") -> tuple:
        """A hashable stand-in for the review's `Facts`: equal tuples, equal facts. Called once
        per subject of a province's calibration (150,000 times), hence the shortcuts: what
        most subjects lack (conclusions, grades, a leader's figures) costs a dict probe."""
        subject = ("m", member_id) if member_id else ("o", subject_org_id)
        found, softened = self._conclusion_kinds(subject) if subject in self.conclusions else _NO_KINDS
        tasks = self.tasks.get(subject)
        if tasks is None:
            shares = None
        else:
            _tasks, register_score, shares = self._task_key(tasks)
            if register_score is not None:
                score_tasks = register_score
        units_failing = low = area = None
        is_leader = form == Form.LEADER
        if is_leader and member_id:
            shares_failing = [self.units_failing[o] for o in self.leader_orgs.get(member_id, ()) if o in self.units_failing]
            units_failing = max(shares_failing) if shares_failing else None
            low = self.low_confidence.get(member_id)
            areas = [self.area_done[o] for o in self.head_orgs.get(member_id, ()) if o in self.area_done]
            area = min(areas) if areas else None
        grades = self.grades.get(review_id)
        return (
            "member" if member_id else "collective",
            is_leader,
            score_common,
            score_tasks,
            review_id not in self.unfixed,
            self.discipline.get(subject, ()),
            review_id in self.leaders_faulted,
            review_id in self.leaders_disciplined or (not member_id and org_path in self.subordinate_disciplined),
            shares,
            found,
            softened,
            units_failing,
            low,
            area,
            tuple(sorted(grades.items())) if grades else (),
        )

    def facts(self, key: tuple) -> Facts:
        (subject, is_leader, score_common, score_tasks, all_fixed, disciplines, leaders_faulted, subordinate_disciplined,
         tasks, found, softened, units_failing, low, area, grades) = key
        on_time = beyond = late = failed = quality = None
        declared = False
        if tasks is not None:
            on_time, beyond, late, failed, quality, declared = tasks
        return Facts(
            subject=subject,
            is_leader=is_leader,
            period_start=self.campaign.period_start,
            period_end=self.campaign.period_end,
            score_common=score_common,
            score_tasks=score_tasks,
            tasks_all_on_time=None if on_time is None else on_time >= 100,
            tasks_quality_met=quality,
            tasks_beyond_pct=beyond,
            tasks_late_pct=late,
            tasks_failed_pct=failed,
            tasks_declared=declared,
            prior_shortcomings_all_fixed=all_fixed,
            degraded="degraded" in found,
            breached_prohibitions="prohibitions" in found,
            disciplines=list(disciplines),
            units_failing_pct=units_failing,
            low_confidence_pct=low,
            area_tasks_done_pct=area,
            corruption_disciplined_in_remit="corruption_in_remit" in found,
            member_disciplined_or_degraded=leaders_faulted,
            disunity="disunity" in found,
            subordinate_or_leader_disciplined=subordinate_disciplined,
            softened=softened,
            grades=dict(grades),
        )


def facts_for(reviews: list[Review]) -> dict[int, Facts]:
    """Facts per review id for a list of reviews of one campaign."""
    if not reviews:
        return {}
    source = FactSource(reviews[0].campaign, {r.pk for r in reviews})
    return {r.pk: source.facts(source.key(r.pk, r.member_id, r.subject_org_id, r.form, r.self_score_common,
                                          r.self_score_tasks, r.org_path)) for r in reviews}
