"""Reads behind the statistics pages: the campaigns an organisation's statistics can be about,
the data fingerprint of a subtree, the per-child figures, stage completion, the burn-down, the
trend over years, and the querysets a figure drills down to.

Every aggregate is a SQL GROUP BY over the materialised paths (`org_path LIKE 'x.y.%'`); rows
grouped by path are rolled up to the children in Python (as reviews.selectors.progress does),
never one query per organisation. The page-level totals come from reports.statistics.
"""
from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.campaigns.choices import CampaignStatus, Stage
from kiemdiem.campaigns.models import Campaign
from kiemdiem.discipline.models import Discipline
from kiemdiem.feedback.models import FeedbackRequest
from kiemdiem.organisations.choices import MEMBER_HOLDING_KINDS, OrgKind
from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.ratings.models import LEADERSHIP_SUBJECTS, MEMBER_SUBJECT, Rating
from kiemdiem.ratings.rules import get_profile
from kiemdiem.remediation.choices import OPEN_STATES, ActionState
from kiemdiem.remediation.models import Commitment, RemediationAction, RemediationItem, RemovalCase, StudyAttendance
from kiemdiem.reviews import selectors as review_selectors
from kiemdiem.reviews.choices import DONE
from kiemdiem.reviews.models import Review

from . import statistics

# Bump when the shape of the built data changes: every cached build is then stale.
DATA_VERSION = 1
TREND_YEARS = 6
BURNDOWN_MONTHS = 12


# --- which campaigns ---------------------------------------------------------------------------

def _ancestor_prefixes(path: str) -> list[str]:
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "."]


def covering_q(org: Organisation) -> Q:
    """Campaigns that reach the organisation's subtree: issued by it or an ancestor, or by a
    unit inside it."""
    return Q(issuer_path__in=_ancestor_prefixes(org.path)) | Q(issuer_path__startswith=org.path)


def campaigns_for_org(user, org: Organisation) -> QuerySet[Campaign]:
    """Campaigns the user sees that reach `org`, launched ones first, newest first."""
    return (review_selectors.campaigns_for(user).filter(covering_q(org)).select_related("issuer")
            .order_by("-period_end", "-id"))


def default_campaign(user, org: Organisation) -> Campaign | None:
    qs = campaigns_for_org(user, org)
    return qs.exclude(status=CampaignStatus.DRAFT).first() or qs.first()


def get_campaign_for_org(user, org: Organisation, campaign_id) -> Campaign:
    """The campaign if the user sees it and it reaches `org`; 404 otherwise."""
    campaign = review_selectors.get_campaign(user, campaign_id)
    if not (org.path.startswith(campaign.issuer_path) or campaign.issuer_path.startswith(org.path)):
        raise Http404
    return campaign


def same_kind_campaigns(campaign: Campaign, org: Organisation, years: int = TREND_YEARS) -> list[Campaign]:
    """The latest campaign of the same kind for each of the last `years` years (this one
    included) that reaches `org`; not scoped further than `org` itself (the caller checked
    the user sees `org`, and only `org`'s subtree is counted)."""
    rows = (Campaign.objects.filter(covering_q(org), kind=campaign.kind, year__lte=campaign.year,
                                    year__gt=campaign.year - years)
            .exclude(status=CampaignStatus.DRAFT).order_by("year", "period_end", "id"))
    by_year: dict[int, Campaign] = {}
    for c in rows:
        by_year[c.year] = c
    if campaign.kind == "quarterly" and campaign.quarter:
        # the same quarter of earlier years
        by_year = {}
        for c in rows:
            if c.quarter == campaign.quarter:
                by_year[c.year] = c
    by_year[campaign.year] = campaign
    return [by_year[y] for y in sorted(by_year)]


def previous_campaign(campaign: Campaign, org: Organisation) -> Campaign | None:
    found = [c for c in same_kind_campaigns(campaign, org, years=2) if c.year == campaign.year - 1]
    return found[0] if found else None


# --- fingerprint -------------------------------------------------------------------------------

def fingerprint(campaign: Campaign, root_path: str, today: datetime.date | None = None,
                campaign_ids: list[int] | None = None) -> tuple[str, int]:
    """A digest of everything a statistics build reads under `root_path`: row counts by state
    and the latest timestamps of each table, a dozen aggregates. Any write the build would see
    changes it. `campaign_ids`: the campaigns whose reviews the build reads (this one, last
    year's, the trend's); all when None. Returns (digest, number of reviews of `campaign`
    in the subtree)."""
    today = today or timezone.localdate()
    parts: list = [DATA_VERSION, today.isoformat(), root_path, campaign_ids]
    reviews = Review.objects.filter(org_path__startswith=root_path)
    if campaign_ids is not None:
        reviews = reviews.filter(campaign_id__in=campaign_ids)
    reviews = list(reviews.values_list("campaign_id", "status")
                   .annotate(n=Count("id"), s=Count("submitted_at"), u=Max("updated_at")).order_by("campaign_id", "status"))
    parts.append(reviews)
    parts.append(Rating.objects.filter(org_path__startswith=root_path).aggregate(
        n=Count("id"), c=Count("cancelled_at"), m=Max("created_at"), x=Max("cancelled_at"), i=Max("id")))
    parts.append(Discipline.objects.filter(org_path__startswith=root_path).aggregate(n=Count("id"), i=Max("id"), m=Max("decided_on")))
    parts.append(list(RemediationItem.objects.filter(org_path__startswith=root_path).values_list("state")
                      .annotate(n=Count("id"), m=Max("created_at"), c=Max("closed_at")).order_by("state")))
    parts.append(list(RemediationAction.objects.filter(item__org_path__startswith=root_path).values_list("state")
                      .annotate(n=Count("id"), d=Max("deadline"), i=Max("id")).order_by("state")))
    parts.append(list(RemovalCase.objects.filter(org_path__startswith=root_path).values_list("state", "status_before")
                      .annotate(n=Count("id"), d=Max("decided_on")).order_by("state", "status_before")))
    parts.append(list(FeedbackRequest.objects.filter(review__org_path__startswith=root_path).values_list("status")
                      .annotate(n=Count("id"), a=Max("answered_at")).order_by("status")))
    parts.append(StudyAttendance.objects.filter(session__organisation__path__startswith=root_path).aggregate(
        n=Count("id"), p=Count("id", filter=Q(present=True)), i=Max("id")))
    parts.append(Commitment.objects.filter(org_path__startswith=root_path).aggregate(n=Count("id"), i=Max("id")))
    parts.append(list(Member.objects.filter(organisation__path__startswith=root_path).values_list("status")
                      .annotate(n=Count("id"), i=Max("id")).order_by("status")))
    parts.append(Organisation.objects.filter(path__startswith=root_path).aggregate(
        n=Count("id"), d=Count("dissolved"), i=Max("id")))
    parts.append(list(Campaign.objects.filter(pk=campaign.pk).values_list("status", "kind", "year", "period_start", "period_end",
                                                                          "rules_profile", "deadlines__stage", "deadlines__due")))
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    review_count = sum(row[2] for row in reviews if row[0] == campaign.pk)
    return digest, review_count


# --- figures -----------------------------------------------------------------------------------

def _child_of(path: str, depth: int) -> str | None:
    """The path of the child of the root (whose path has `depth` dots) that `path` lies in."""
    parts = path.split(".")
    if len(parts) <= depth + 1:
        return None  # the root itself
    return ".".join(parts[: depth + 1]) + "."


def live_decisions(campaign: Campaign, root_path: str) -> QuerySet[Rating]:
    return Rating.objects.filter(campaign=campaign, stage="decision", cancelled_at__isnull=True,
                                 org_path__startswith=root_path).exclude(subject_kind__in=LEADERSHIP_SUBJECTS)


def decision_rows(campaign: Campaign, root_path: str) -> list[tuple]:
    """Live decisions under the root grouped by (path, level, is member, kind of the unit
    held at, kind of the collective subject): one GROUP BY that the distributions, the stage
    count and the children's figures all read (a review has at most one live decision).

    The ratings are read alone, from their covering index (each carries its campaign, path
    and subject kind); the kind of the unit a member's review is held at comes from the
    campaign's collective review at the same launch path (one per organisation, ~7% of the
    rows), and from the member reviews themselves for any path without one."""
    grouped = list(live_decisions(campaign, root_path).values_list("org_path", "level", "subject_kind")
                   .annotate(n=Count("id")).order_by())
    member_paths = {path for path, _level, kind, _n in grouped if kind == MEMBER_SUBJECT}
    unit_kind: dict[str, str] = {}
    if member_paths:
        unit_kind = dict(Review.objects.filter(campaign=campaign, subject_org__isnull=False, leadership="",
                                               org_path__startswith=root_path)
                         .values_list("org_path", "subject_org__kind"))
        missing = sorted(member_paths - unit_kind.keys())
        for i in range(0, len(missing), 500):
            unit_kind.update(Review.objects.filter(campaign=campaign, member__isnull=False, org_path__in=missing[i:i + 500])
                             .values_list("org_path", "unit__kind").distinct())
    return [(path, level, True, unit_kind.get(path), None, n) if kind == MEMBER_SUBJECT
            else (path, level, False, None, kind, n)
            for path, level, kind, n in grouped]


def rating_breakdown(campaign: Campaign, root_path: str, members: bool, rows: list[tuple] | None = None) -> dict:
    """Decided levels of members (by the kind of their cell) or of organisations (by their
    kind): {"total", "by_level", "by_kind": {kind: {level: n}}}."""
    rows = decision_rows(campaign, root_path) if rows is None else rows
    by_level: dict[str, int] = defaultdict(int)
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _path, level, is_member, unit_kind, subject_kind, n in rows:
        if bool(is_member) != members:
            continue
        kind = unit_kind if members else subject_kind
        by_level[level] += n
        by_kind[kind][level] += n
    return {"total": sum(by_level.values()), "by_level": dict(by_level),
            "by_kind": {k: dict(v) for k, v in by_kind.items()}}


def _stage_reviews(campaign: Campaign, root_path: str) -> dict[str, QuerySet]:
    """For the stages a review records elsewhere, the ids of the reviews through them: an
    answered feedback request, a live proposal (cell, appraisal) or decision rating. Each is a
    scan of one table by path, used as `pk__in` (a semi-join) or counted distinct."""
    ratings = Rating.objects.filter(campaign=campaign, org_path__startswith=root_path, cancelled_at__isnull=True).exclude(
        subject_kind__in=LEADERSHIP_SUBJECTS)
    return {
        Stage.FEEDBACK: FeedbackRequest.objects.filter(review__campaign=campaign, review__org_path__startswith=root_path,
                                                       review__leadership="", answered_at__isnull=False).values("review_id"),
        Stage.PROPOSED: ratings.filter(stage__in=("unit", "appraisal", "decision")).values("review_id"),
        Stage.DECIDED: ratings.filter(stage="decision").values("review_id"),
    }


def stage_completion(campaign: Campaign, root_path: str, rows: list[tuple] | None = None) -> list[dict]:
    """Each stage of the campaign with its deadline and how many reviews are through it: one
    aggregate over the subtree's reviews, one distinct count for feedback and for proposals;
    decisions from `decision_rows` (one live decision per review)."""
    # the subjects: organisations and members (a leadership collective's and a leader's report
    # held there are work of their own, not subjects counted twice)
    agg = (Review.objects.filter(campaign=campaign, org_path__startswith=root_path, leadership="")
           .aggregate(total=Count("id"), drafts=Count("id", filter=Q(submitted_at__isnull=False)),
                      meetings=Count("id", filter=Q(status__in=DONE))))
    rows = decision_rows(campaign, root_path) if rows is None else rows
    recorded = {stage: qs.aggregate(n=Count("review_id", distinct=True))["n"]
                for stage, qs in _stage_reviews(campaign, root_path).items() if stage != Stage.DECIDED}
    recorded[Stage.DECIDED] = sum(row[-1] for row in rows)
    deadlines = dict(campaign.deadlines.values_list("stage", "due"))
    announced = recorded[Stage.DECIDED] if campaign.status == CampaignStatus.CLOSED else 0
    through = {Stage.FEEDBACK: recorded[Stage.FEEDBACK], Stage.DRAFTS: agg["drafts"], Stage.MEETINGS: agg["meetings"],
               Stage.PROPOSED: recorded[Stage.PROPOSED], Stage.DECIDED: recorded[Stage.DECIDED],
               Stage.ANNOUNCED: announced}
    return [{"stage": s.value, "due": deadlines[s].isoformat() if deadlines.get(s) else None,
             "through": through[s], "total": agg["total"]} for s in Stage]


def remediation_overdue(root_path: str, today: datetime.date | None = None) -> int:
    """Open items with at least one action past its deadline and not done."""
    today = today or timezone.localdate()
    return overdue_items(root_path, today).count()


def overdue_items(root_path: str, today: datetime.date | None = None) -> QuerySet[RemediationItem]:
    today = today or timezone.localdate()
    late = RemediationAction.objects.filter(item=OuterRef("pk"), deadline__lt=today).exclude(state=ActionState.DONE)
    return RemediationItem.objects.filter(org_path__startswith=root_path, state__in=OPEN_STATES).filter(Exists(late))


def _month_add(day: datetime.date, months: int) -> datetime.date:
    m = day.month - 1 + months
    return datetime.date(day.year + m // 12, m % 12 + 1, 1)


def burndown(root_path: str, today: datetime.date | None = None, months: int = BURNDOWN_MONTHS) -> list[dict]:
    """Open remediation items at the end of each of the last `months` months: items opened by
    then minus items closed by then. Two GROUP BY month queries, summed over the months."""
    today = today or timezone.localdate()
    first = _month_add(today.replace(day=1), -(months - 1))
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    items = RemediationItem.objects.filter(org_path__startswith=root_path)
    opened_before = items.filter(created_at__lt=start).count()
    closed_before = items.filter(closed_at__lt=start).count()
    opened = dict((d.date() if isinstance(d, datetime.datetime) else d, n) for d, n in
                  items.filter(created_at__gte=start).annotate(m=TruncMonth("created_at")).values_list("m")
                  .annotate(n=Count("id")).values_list("m", "n").order_by())
    closed = dict((d.date() if isinstance(d, datetime.datetime) else d, n) for d, n in
                  items.filter(closed_at__gte=start).annotate(m=TruncMonth("closed_at")).values_list("m")
                  .annotate(n=Count("id")).values_list("m", "n").order_by())
    out, level = [], opened_before - closed_before
    for i in range(months):
        month = _month_add(first, i)
        level += opened.get(month, 0) - closed.get(month, 0)
        out.append({"month": month.strftime("%m/%Y"), "open": level, "opened": opened.get(month, 0),
                    "closed": closed.get(month, 0)})
    return out


def trend(campaigns: list[Campaign], root_path: str) -> list[dict]:
    """Members' decided levels per campaign (one GROUP BY over all of them)."""
    if not campaigns:
        return []
    rows = (Rating.objects.filter(campaign__in=campaigns, stage="decision", cancelled_at__isnull=True,
                                  org_path__startswith=root_path, subject_kind=MEMBER_SUBJECT)
            .values_list("campaign_id", "level").annotate(n=Count("id")).order_by())
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for cid, level, n in rows:
        counts[cid][level] = n
    out = []
    for c in campaigns:
        profile = get_profile(c.rules_profile)
        by_level = counts.get(c.pk, {})
        out.append({"campaign_id": c.pk, "year": c.year, "title": c.title, "profile": c.rules_profile,
                    "total": sum(by_level.values()), "by_level": by_level,
                    "ranks": {lv.code: lv.rank for lv in profile.levels}})
    return out


def children_figures(campaign: Campaign, root: Organisation, rows: list[tuple] | None = None) -> list[dict]:
    """One row per organisation directly under `root` with its subtree's figures: four GROUP
    BY queries over the subtree (decisions, reviews, discipline, remediation), rolled up to
    the children in Python."""
    depth = root.path.count(".")
    children = list(Organisation.objects.filter(parent=root).exclude(kind=OrgKind.ADVISORY)
                    .values("pk", "name", "kind", "path", "search_key").order_by("search_key", "pk"))
    by_path = {c["path"]: c for c in children}
    for c in children:
        c.update(members_total=0, members_good=0, members_excellent=0, members_fail=0, orgs_total=0,
                 orgs_good=0, reviews=0, done=0, discipline=0, remediation_open=0, member_levels={})
        c["id"] = c.pop("pk")
        c.pop("search_key")
    profile = get_profile(campaign.rules_profile)
    ranks = {lv.code: lv.rank for lv in profile.levels}
    top = max(ranks.values()) if ranks else 0
    low = min(ranks.values()) if ranks else 0
    good_rank = ranks.get(profile.good or "HTTNV", 3)

    def rows_for(qs, *fields):
        for row in qs.values_list("org_path", *fields).annotate(n=Count("id")).order_by():
            child = _child_of(row[0], depth)
            if child in by_path:
                yield by_path[child], row[1:-1], row[-1]

    rows = decision_rows(campaign, root.path) if rows is None else rows
    for path, level, is_member, _unit_kind, _subject_kind, n in rows:
        c = by_path.get(_child_of(path, depth))
        if c is None:
            continue
        rank = ranks.get(level, 0)
        if is_member:
            c["members_total"] += n
            c["member_levels"][level] = c["member_levels"].get(level, 0) + n
            c["members_good"] += n if rank >= good_rank else 0
            c["members_excellent"] += n if rank == top else 0
            c["members_fail"] += n if rank == low else 0
        else:
            c["orgs_total"] += n
            c["orgs_good"] += n if rank >= good_rank else 0
    for c, (status,), n in rows_for(Review.objects.filter(campaign=campaign, org_path__startswith=root.path), "status"):
        c["reviews"] += n
        c["done"] += n if status in DONE else 0
    for c, _k, n in rows_for(Discipline.objects.filter(org_path__startswith=root.path, member__isnull=False,
                                                       decided_on__gte=campaign.period_start,
                                                       decided_on__lte=campaign.period_end)):
        c["discipline"] += n
    for c, _k, n in rows_for(RemediationItem.objects.filter(org_path__startswith=root.path, state__in=OPEN_STATES)):
        c["remediation_open"] += n
    for c in children:
        c["complete"] = bool(c["reviews"]) and c["done"] == c["reviews"]
        c["members_good_pct"] = statistics.pct(c["members_good"], c["members_total"])
        c["members_excellent_pct"] = statistics.pct(c["members_excellent"], c["members_total"])
    return children


def statistics_data(campaign: Campaign, root: Organisation, report=None) -> dict:
    """Everything the statistics page shows, as JSON-ready data (stored in a ReportBuild).
    `report(done, total, message)` is told of progress after each step."""
    steps = 10
    report = report or (lambda done, total, message: None)
    path = root.path
    start, end = campaign.period_start, campaign.period_end
    today = timezone.localdate()
    profile = get_profile(campaign.rules_profile)
    data: dict = {
        "version": DATA_VERSION,
        "org": {"id": root.pk, "name": root.name, "kind": str(root.kind), "path": path},
        "campaign": {"id": campaign.pk, "title": campaign.title, "year": campaign.year, "kind": str(campaign.kind),
                     "profile": campaign.rules_profile, "start": start.isoformat(), "end": end.isoformat()},
        "levels": [{"code": lv.code, "name": lv.name, "rank": lv.rank}
                   for lv in sorted(profile.levels, key=lambda lv: -lv.rank)],
    }
    report(0, steps, _("Tiến độ kiểm điểm"))
    rows = decision_rows(campaign, path)
    data["completion"] = statistics.completion(campaign, root)
    data["stages"] = stage_completion(campaign, path, rows)
    report(1, steps, _("Xếp loại đảng viên"))
    data["members"] = rating_breakdown(campaign, path, members=True, rows=rows)
    report(2, steps, _("Xếp loại tổ chức đảng"))
    data["organisations"] = rating_breakdown(campaign, path, members=False, rows=rows)
    cells = {lv: n for kind, levels in data["organisations"]["by_kind"].items() if kind in MEMBER_HOLDING_KINDS
             for lv, n in levels.items()}
    data["cells"] = {"total": sum(cells.values()), "by_level": cells}
    report(3, steps, _("Kỷ luật, xóa tên"))
    data["discipline"] = statistics.discipline_by_form(path, start, end)
    data["removals"] = _removals(path, start, end)
    report(4, steps, _("Khắc phục hạn chế"))
    by_state = statistics.remediation_by_state(path)
    data["remediation"] = {"by_state": by_state, "open": sum(n for s, n in by_state.items() if s in OPEN_STATES),
                           "total": sum(by_state.values()), "overdue": remediation_overdue(path, today)}
    data["burndown"] = burndown(path, today)
    report(5, steps, _("Góp ý"))
    data["feedback"] = statistics.feedback_by_source(campaign, path)
    report(6, steps, _("Học tập, cam kết"))
    data["study"] = statistics.study_rates(path, start, end, campaign.year)
    report(7, steps, _("Tổ chức trực thuộc"))
    data["children"] = children_figures(campaign, root, rows)
    report(8, steps, _("So sánh cùng kỳ"))
    previous = previous_campaign(campaign, root)
    data["previous"] = None
    if previous:
        old_rows = decision_rows(previous, path)
        data["previous"] = {
            "campaign": {"id": previous.pk, "title": previous.title, "year": previous.year},
            "completion": statistics.completion(previous, root),
            "members": rating_breakdown(previous, path, members=True, rows=old_rows),
            "organisations": rating_breakdown(previous, path, members=False, rows=old_rows),
            "discipline": statistics.discipline_by_form(path, previous.period_start, previous.period_end),
            "removals": _removals(path, previous.period_start, previous.period_end),
        }
    report(9, steps, _("Xu hướng qua các năm"))
    data["trend"] = trend(same_kind_campaigns(campaign, root), path)
    data["built_at"] = timezone.now().isoformat()
    report(steps, steps, _("Hoàn thành"))
    return data


def _removals(path: str, start: datetime.date, end: datetime.date) -> dict[str, int]:
    from kiemdiem.remediation.services import removal_counts

    return removal_counts(path, start, end)


# --- drill-down ---------------------------------------------------------------------------------

DRILL_METRICS = ("members", "organisations", "reviews", "stage", "discipline", "removals", "remediation", "feedback",
                 "commitments")


def drill(metric: str, key: str, campaign: Campaign, root: Organisation, kind: str = "",
          today: datetime.date | None = None) -> QuerySet:
    """The rows behind a figure of the statistics page: its count is the figure. Raises
    Http404 for an unknown metric."""
    path = root.path
    start, end = campaign.period_start, campaign.period_end
    if metric in ("members", "organisations"):
        members = metric == "members"
        qs = live_decisions(campaign, path).filter(review__member__isnull=not members)
        if key:
            qs = qs.filter(level=key)
        if kind:
            qs = qs.filter(**{"review__unit__kind" if members else "review__subject_org__kind": kind})
        return qs.select_related("review__member", "review__subject_org", "review__unit").order_by("org_path", "id")
    if metric in ("reviews", "stage"):
        qs = Review.objects.filter(campaign=campaign, org_path__startswith=path)
        if metric == "reviews":
            if key == "done":
                qs = qs.filter(status__in=DONE)
            elif key:
                qs = qs.filter(status=key)
        else:
            recorded = _stage_reviews(campaign, path)
            filters = {
                Stage.DRAFTS: Q(submitted_at__isnull=False), Stage.MEETINGS: Q(status__in=DONE),
                **{stage: Q(pk__in=ids) for stage, ids in recorded.items()},
                Stage.ANNOUNCED: Q(pk__in=recorded[Stage.DECIDED]) if campaign.status == CampaignStatus.CLOSED else Q(pk__in=[]),
            }
            if key not in filters:
                raise Http404
            qs = qs.filter(filters[key])
        return qs.select_related("member", "subject_org", "unit").defer("content").order_by("org_path", "pk")
    if metric == "discipline":
        qs = Discipline.objects.filter(org_path__startswith=path, member__isnull=False, decided_on__gte=start, decided_on__lte=end)
        if key:
            qs = qs.filter(form=key)
        return qs.select_related("member", "unit").order_by("org_path", "pk")
    if metric == "removals":
        from kiemdiem.remediation.choices import RemovalState

        qs = RemovalCase.objects.filter(org_path__startswith=path, state=RemovalState.DECIDED, decided_on__gte=start,
                                        decided_on__lte=end)
        if key:
            qs = qs.filter(status_before=key)
        return qs.select_related("member").order_by("org_path", "pk")
    if metric == "remediation":
        if key == "overdue":
            qs = overdue_items(path, today)
        elif key == "open":
            qs = RemediationItem.objects.filter(org_path__startswith=path, state__in=OPEN_STATES)
        else:
            qs = RemediationItem.objects.filter(org_path__startswith=path)
            if key:
                qs = qs.filter(state=key)
        return qs.select_related("member", "organisation").order_by("org_path", "pk")
    if metric == "feedback":
        qs = FeedbackRequest.objects.filter(review__campaign=campaign, review__org_path__startswith=path)
        if key:
            qs = qs.filter(source_type=key)
        if kind:  # here: the request's status
            qs = qs.filter(status=kind)
        return qs.select_related("review__member", "review__subject_org", "source_org").order_by("review__org_path", "pk")
    if metric == "commitments":
        return (Commitment.objects.filter(org_path__startswith=path, year=campaign.year)
                .select_related("member").order_by("org_path", "pk"))
    raise Http404
