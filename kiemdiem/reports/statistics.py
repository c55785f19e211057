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
from kiemdiem.ratings.models import Rating
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


def rating_distribution(campaign: Campaign, root_path: str, members: bool, kinds: set[str] | None = None) -> Distribution:
    """Decided levels (live decisions) of members or of organisations under root."""
    qs = Rating.objects.filter(review__campaign=campaign, stage="decision", cancelled_at__isnull=True,
                               org_path__startswith=root_path, review__member__isnull=not members)
    if kinds:
        qs = qs.filter(review__subject_org__kind__in=kinds)
    rows = dict(qs.values_list("level").annotate(n=Count("id")).order_by())
    return Distribution(total=sum(rows.values()), by_level=rows)


def completion(campaign: Campaign, root: Organisation) -> dict:
    """Units directly under root whose subtree has finished ("61/61 chi, đảng bộ trực thuộc
    hoàn thành"), and reviews by status."""
    children = dict(Organisation.objects.filter(parent=root).exclude(kind=OrgKind.ADVISORY).values_list("path", "pk"))
    rows = (Review.objects.filter(campaign=campaign, org_path__startswith=root.path)
            .values_list("org_path", "status").annotate(n=Count("id")).order_by())
    child_total, child_done = defaultdict(int), defaultdict(int)
    by_status = defaultdict(int)
    depth = root.path.count(".")
    for path, status, n in rows:
        by_status[status] += n
        parts = path.split(".")
        if len(parts) > depth + 1:
            child_path = ".".join(parts[: depth + 1]) + "."
            if child_path in children:
                child_total[child_path] += n
                if status in DONE:
                    child_done[child_path] += n
    complete = sum(1 for p in children if child_total[p] and child_done[p] == child_total[p])
    with_reviews = sum(1 for p in children if child_total[p])
    return {"children": with_reviews, "children_complete": complete, "by_status": dict(by_status),
            "reviews": sum(by_status.values()), "done": sum(by_status.get(s, 0) for s in DONE)}


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


def summary(campaign: Campaign, root: Organisation) -> dict:
    """Everything the summary report says, from the data."""
    profile = get_profile(campaign.rules_profile)
    members = rating_distribution(campaign, root.path, members=True)
    cells = rating_distribution(campaign, root.path, members=False, kinds=set(MEMBER_HOLDING_KINDS))
    orgs = rating_distribution(campaign, root.path, members=False)
    start, end = campaign.period_start, campaign.period_end
    disc = discipline_by_form(root.path, start, end)
    from kiemdiem.remediation.services import removal_counts

    return {
        "campaign": campaign, "root": root, "profile": profile,
        "completion": completion(campaign, root),
        "members": members, "cells": cells, "organisations": orgs,
        "discipline": disc, "discipline_total": sum(disc.values()), "expelled": disc.get("expulsion", 0),
        "removals": removal_counts(root.path, start, end),
        "remediation": remediation_by_state(root.path),
        "remediation_open": sum(n for s, n in remediation_by_state(root.path).items() if s in OPEN_STATES),
        "study": study_rates(root.path, start, end, campaign.year),
    }


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
