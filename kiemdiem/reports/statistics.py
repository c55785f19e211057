"""Statistics for any organisation's subtree and campaign, computed with SQL aggregates over
the launch-time paths (never by looping over nodes). Each function returns plain data that the
pages, the documents and the API all render."""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from kiemdiem.campaigns.models import Campaign
from kiemdiem.discipline.models import Discipline
from kiemdiem.organisations.choices import MEMBER_HOLDING_KINDS, OrgKind
from kiemdiem.organisations.models import Organisation
from kiemdiem.organisations.paths import child_key, child_or_root_key
from kiemdiem.ratings.models import LEADERSHIP_SUBJECTS, MEMBER_SUBJECT, Rating
from kiemdiem.ratings.rules import get_profile
from kiemdiem.remediation.choices import OPEN_STATES
from kiemdiem.remediation.models import Commitment, RemediationItem, StudyAttendance
from kiemdiem.reviews.choices import DONE
from kiemdiem.reviews.models import Review


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass
class Distribution:
    total: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    def percent(self, level: str) -> float:
        return pct(self.by_level.get(level, 0), self.total)


def live_decisions(campaigns):
    """The live decisions of one or several campaigns. Each rating carries its campaign, path
    and subject kind, so the statistics below read one partial covering index
    (`rating_live_decision_idx`) and never join the ratings to their reviews."""
    ids = [campaigns.pk] if isinstance(campaigns, Campaign) else [c.pk if isinstance(c, Campaign) else c for c in campaigns]
    return Rating.objects.filter(campaign_id__in=ids, stage="decision", cancelled_at__isnull=True).exclude(
        subject_kind__in=LEADERSHIP_SUBJECTS)  # leadership collectives are not organisations of their own


def rating_distribution(campaign: Campaign, root_path: str, members: bool, kinds: set[str] | None = None) -> Distribution:
    """Decided levels (live decisions) of members or of organisations under root."""
    qs = live_decisions(campaign).filter(org_path__startswith=root_path)
    qs = qs.filter(subject_kind=MEMBER_SUBJECT) if members else qs.exclude(subject_kind=MEMBER_SUBJECT)
    if kinds:
        qs = qs.filter(subject_kind__in=kinds)
    rows = dict(qs.values_list("level").annotate(n=Count("id")).order_by())
    return Distribution(total=sum(rows.values()), by_level=rows)


def completion(campaign: Campaign, root: Organisation) -> dict:
    """Units directly under root whose subtree has finished ("61/61 chi, đảng bộ trực thuộc
    hoàn thành"), and reviews by status: one GROUP BY over the subtree's reviews keyed by the
    child of root each lies under (its path component), a few rows per child."""
    path = root.path
    key = child_or_root_key("org_path", path)
    children = {str(pk) for pk in Organisation.objects.filter(parent=root).exclude(kind=OrgKind.ADVISORY).values_list("pk", flat=True)}
    by_status: dict[str, int] = defaultdict(int)
    child_total, child_done = defaultdict(int), defaultdict(int)
    for child, status, n in (Review.objects.filter(campaign=campaign, org_path__startswith=path).annotate(child=key)
                             .values_list("child", "status").annotate(n=Count("id")).order_by()):
        by_status[status] += n
        if child in children:
            child_total[child] += n
            child_done[child] += n if status in DONE else 0
    return {"children": sum(1 for p in children if child_total[p]),
            "children_complete": sum(1 for p in children if child_total[p] and child_done[p] == child_total[p]),
            "by_status": dict(by_status), "reviews": sum(by_status.values()), "done": sum(by_status.get(s, 0) for s in DONE)}


def discipline_by_form(root_path: str, start: datetime.date, end: datetime.date) -> dict[str, int]:
    rows = (Discipline.objects.filter(org_path__startswith=root_path, decided_on__gte=start, decided_on__lte=end, member__isnull=False)
            .values_list("form").annotate(n=Count("id")).order_by())
    return dict(rows)


def remediation_by_state(root_path: str) -> dict[str, int]:
    return dict(RemediationItem.objects.filter(org_path__startswith=root_path).values_list("state").annotate(n=Count("id")).order_by())


def study_rates(root_path: str, start: datetime.date, end: datetime.date, year: int) -> dict:
    """"tỷ lệ tham gia học tập 97%"; "100% … viết cam kết"."""
    att = StudyAttendance.objects.filter(session__organisation__path__startswith=root_path,
                                         session__held_on__gte=start, session__held_on__lte=end)
    agg = att.aggregate(total=Count("id"), present=Count("id", filter=Q(present=True)))
    from kiemdiem.organisations.choices import ACTIVE_STATUSES
    from kiemdiem.organisations.models import Member

    members = Member.objects.filter(organisation__path__startswith=root_path, status__in=ACTIVE_STATUSES).count()
    committed = Commitment.objects.filter(org_path__startswith=root_path, year=year).count()
    return {"study_percent": pct(agg["present"], agg["total"]), "study_records": agg["total"],
            "commitment_percent": pct(committed, members), "members": members, "committed": committed}


def feedback_by_source(campaign: Campaign, root_path: str) -> dict[str, dict[str, int]]:
    from kiemdiem.feedback.models import FeedbackRequest

    rows = (FeedbackRequest.objects.filter(review__campaign=campaign, review__org_path__startswith=root_path)
            .values_list("source_type", "status").annotate(n=Count("id")).order_by())
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for source, status, n in rows:
        out[source][status] = n
    return dict(out)


def review_figures(campaign: Campaign, root: Organisation) -> dict:
    """Completion, and the decided levels of members, of cells and of all organisations: the
    same figures as completion() and the three rating_distribution() calls, in two grouped
    queries (reviews by child and status; live decisions by subject kind and level, from the
    ratings' covering index) instead of four scans of the subtree."""
    members, orgs, cells = Distribution(), Distribution(), Distribution()
    for kind, level, n in (live_decisions(campaign).filter(org_path__startswith=root.path)
                           .values_list("subject_kind", "level").annotate(n=Count("id")).order_by()):
        if kind == MEMBER_SUBJECT:
            dists = [members]
        else:
            dists = [orgs, cells] if kind in MEMBER_HOLDING_KINDS else [orgs]
        for dist in dists:
            dist.total += n
            dist.by_level[level] = dist.by_level.get(level, 0) + n
    return {
        "completion": completion(campaign, root),
        "members": members, "cells": cells, "organisations": orgs,
    }


def summary(campaign: Campaign, root: Organisation) -> dict:
    """Everything the summary report says, from the data."""
    profile = get_profile(campaign.rules_profile)
    figures = review_figures(campaign, root)
    start, end = campaign.period_start, campaign.period_end
    disc = discipline_by_form(root.path, start, end)
    remediation = remediation_by_state(root.path)
    from kiemdiem.remediation.services import removal_counts

    return {
        "campaign": campaign, "root": root, "profile": profile,
        "completion": figures["completion"],
        "members": figures["members"], "cells": figures["cells"], "organisations": figures["organisations"],
        "discipline": disc, "discipline_total": sum(disc.values()), "expelled": disc.get("expulsion", 0),
        "removals": removal_counts(root.path, start, end),
        "remediation": remediation,
        "remediation_open": sum(n for s, n in remediation.items() if s in OPEN_STATES),
        "study": study_rates(root.path, start, end, campaign.year),
    }


def rollup(campaigns, root: Organisation | None = None) -> dict[int, dict]:
    """Per child of root (per province for the whole country when root is None): member and
    organisation distributions and completion, over one or several campaigns (seed_synthetic
    has no national node: a national campaign is one campaign per province). Two GROUP BY
    queries keyed by the child's path component (reviews by status; live decisions by subject
    kind and level), each read from a covering index alone; no loop over nodes."""
    if isinstance(campaigns, Campaign):
        campaigns = [campaigns]
    ids = [c.pk for c in campaigns]
    root_path = root.path if root else ""
    key = child_key("org_path", root_path)
    reviews = Review.objects.filter(campaign_id__in=ids)
    ratings = live_decisions(ids)
    if root_path:  # root's own review is no child's
        reviews = reviews.filter(org_path__startswith=root_path).exclude(org_path=root_path)
        ratings = ratings.filter(org_path__startswith=root_path).exclude(org_path=root_path)
    out: dict[int, dict] = {}

    def entry(child: str) -> dict:
        return out.setdefault(int(child), {"members": Distribution(), "organisations": Distribution(), "reviews": 0, "done": 0})

    for child, status, n in reviews.annotate(child=key).values_list("child", "status").annotate(n=Count("id")).order_by():
        e = entry(child)
        e["reviews"] += n
        e["done"] += n if status in DONE else 0
    for child, kind, level, n in (ratings.annotate(child=key).values_list("child", "subject_kind", "level")
                                  .annotate(n=Count("id")).order_by()):
        dist = entry(child)["members" if kind == MEMBER_SUBJECT else "organisations"]
        dist.total += n
        dist.by_level[level] = dist.by_level.get(level, 0) + n
    for e in out.values():
        e["complete"] = bool(e["reviews"]) and e["done"] == e["reviews"]
    return out


def sentences(data: dict) -> list[str]:
    """The standard sentences of a summary report, generated from the data (seed 002's kind)."""
    from django.utils.translation import gettext as _

    c = data["completion"]
    out = [_("%(done)d/%(total)d chi, đảng bộ trực thuộc hoàn thành việc kiểm điểm.") % {
        "done": c["children_complete"], "total": c["children"]}]
    cells, members = data["cells"], data["members"]
    if cells.total:
        weak = cells.by_level.get("KHTNV", 0)
        out.append(_("Có %(x)s%% chi bộ hoàn thành xuất sắc nhiệm vụ, %(g)s%% hoàn thành tốt nhiệm vụ, %(weak)s.") % {
            "x": _num(cells.percent("HTXSNV")), "g": _num(cells.percent("HTTNV")),
            "weak": _("không có chi bộ không hoàn thành nhiệm vụ") if not weak else
            _("%(n)d chi bộ không hoàn thành nhiệm vụ") % {"n": weak}})
    if members.total:
        good_or_better = members.by_level.get("HTTNV", 0) + members.by_level.get("HTXSNV", 0)
        out.append(_("%(g)s%% đảng viên hoàn thành tốt nhiệm vụ trở lên, trong đó %(x)s%% hoàn thành xuất sắc nhiệm vụ.") % {
            "g": _num(pct(good_or_better, members.total)), "x": _num(members.percent("HTXSNV"))})
    if data["discipline_total"]:
        out.append(_("Thi hành kỷ luật %(n)d đảng viên, trong đó khai trừ %(e)d trường hợp.") % {
            "n": data["discipline_total"], "e": data["expelled"]})
    rem = data["removals"]
    if rem:
        out.append(_("Xóa tên %(p)d đảng viên dự bị, %(o)d đảng viên chính thức.") % {
            "p": rem.get("probationary", 0), "o": rem.get("official", 0)})
    study = data["study"]
    if study["study_records"]:
        out.append(_("Tỷ lệ tham gia học tập nghị quyết đạt %(s)s%%.") % {"s": _num(study["study_percent"])})
    if study["committed"]:
        out.append(_("%(c)s%% đảng viên viết cam kết.") % {"c": _num(study["commitment_percent"])})
    return out


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".").replace(".", ",")
