"""Statistics pages: one organisation's subtree for one campaign, every figure drilling down.

Reads go through organisations.access (VIEW on the organisation: outside the user's part of
the tree is 404) and reports.selectors (the campaign must be visible and reach the
organisation, else 404). The figures come from a cached ReportBuild when its data fingerprint
matches, are computed in the request for small subtrees, and are otherwise built in the
background: the page then asks (htmx, POST) for a build and polls its progress. A GET never
writes."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kiemdiem.campaigns.choices import CampaignKind, Stage
from kiemdiem.discipline.choices import DisciplineForm
from kiemdiem.feedback.choices import RequestStatus, SourceType
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.choices import OrgKind, PartyStatus
from kiemdiem.organisations.models import Organisation
from kiemdiem.remediation.choices import ItemState
from kiemdiem.reviews.choices import Status

from . import charts, jobs, selectors, statistics

LIST_PER_PAGE = 50
CHILDREN_PER_PAGE = 100


# --- shared with the API ---------------------------------------------------------------------

def org_and_campaign(user, org_id, campaign_id=None):
    """The organisation (VIEW, 404 outside) and the campaign (visible and reaching it, 404
    otherwise; the latest one when not given, None if there is none)."""
    org = access.get_organisation(user, org_id, Action.VIEW)
    if campaign_id in (None, ""):
        return org, selectors.default_campaign(user, org)
    return org, selectors.get_campaign_for_org(user, org, campaign_id)


def statistics_for(campaign, org, allow_inline: bool = True) -> tuple[dict | None, str, jobs.State]:
    """(data, source, state): source is "cache", "live" or "" (no data: a build is needed)."""
    state = jobs.current(campaign, org)
    if state.ready:
        return state.build.data, "cache", state
    if allow_inline and state.reviews <= jobs.inline_limit():
        return selectors.statistics_data(campaign, org), "live", state
    return None, "", state


# --- presentation ------------------------------------------------------------------------------

def _labels(choices) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


def _pct(part: int, whole: int) -> float:
    return statistics.pct(part, whole)


def _sentences(data: dict) -> list[str]:
    """statistics.sentences over the stored (JSON) data."""
    adapter = {
        "completion": data["completion"],
        "cells": statistics.Distribution(total=data["cells"]["total"], by_level=data["cells"]["by_level"]),
        "members": statistics.Distribution(total=data["members"]["total"], by_level=data["members"]["by_level"]),
        "discipline_total": sum(data["discipline"].values()),
        "expelled": data["discipline"].get("expulsion", 0),
        "removals": data["removals"],
        "study": data["study"],
    }
    return statistics.sentences(adapter)


def _dist_rows(dist: dict, levels: list[dict], href) -> list[dict]:
    return [{"code": lv["code"], "name": lv["name"], "n": dist["by_level"].get(lv["code"], 0),
             "pct": _pct(dist["by_level"].get(lv["code"], 0), dist["total"]), "href": href(lv["code"])} for lv in levels]


def _kind_rows(dist: dict, levels: list[dict], href) -> list[dict]:
    kinds = _labels(OrgKind.choices)
    rows = []
    for kind in [k for k in OrgKind.values if k in dist["by_kind"]]:
        counts = dist["by_kind"][kind]
        total = sum(counts.values())
        rows.append({"kind": kind, "label": kinds.get(kind, kind), "total": total, "href": href("", kind),
                     "cells": [{"n": counts.get(lv["code"], 0), "pct": _pct(counts.get(lv["code"], 0), total),
                                "href": href(lv["code"], kind)} for lv in levels]})
    return rows


def build_context(data: dict, org: Organisation, campaign, children_page=None) -> dict:
    """Tables, charts and links of the statistics page from the (stored) data. The children's
    table is paged (a province has some 1,500 units directly under it)."""
    base = reverse("report_list", args=[org.pk, campaign.pk, "_"])[:-2]

    def drill(metric: str, key: str = "", kind: str = "") -> str:
        query = {k: v for k, v in (("key", key), ("kind", kind)) if v}
        return f"{base}{metric}/" + (f"?{urlencode(query)}" if query else "")

    levels = data["levels"]
    members_href = lambda code, kind="": drill("members", code, kind)  # noqa: E731
    orgs_href = lambda code, kind="": drill("organisations", code, kind)  # noqa: E731
    stage_labels = _labels(Stage.choices)
    forms = _labels(DisciplineForm.choices)
    states = _labels(ItemState.choices)
    sources = _labels(SourceType.choices)
    statuses = _labels(Status.choices)
    party = _labels(PartyStatus.choices)
    rem = data["remediation"]
    prev = data.get("previous")

    def stats_url(campaign_id, org_id=org.pk):
        return reverse("report_statistics_campaign", args=[org_id, campaign_id])

    yoy = None
    if prev:
        def level_pair(key, code):
            cur, old = data[key], prev[key]
            return (_pct(cur["by_level"].get(code, 0), cur["total"]), _pct(old["by_level"].get(code, 0), old["total"]))

        yoy = {
            "campaign": prev["campaign"], "href": stats_url(prev["campaign"]["id"]),
            "rows": [
                {"label": _("Đảng viên được xếp loại"), "cur": data["members"]["total"], "old": prev["members"]["total"]},
                *[{"label": _("Đảng viên: %(level)s (%%)") % {"level": lv["name"]},
                   "cur": level_pair("members", lv["code"])[0], "old": level_pair("members", lv["code"])[1], "pct": True}
                  for lv in levels],
                {"label": _("Tổ chức đảng được xếp loại"), "cur": data["organisations"]["total"],
                 "old": prev["organisations"]["total"]},
                *[{"label": _("Tổ chức đảng: %(level)s (%%)") % {"level": lv["name"]},
                   "cur": level_pair("organisations", lv["code"])[0], "old": level_pair("organisations", lv["code"])[1],
                   "pct": True} for lv in levels],
                {"label": _("Đảng viên bị kỷ luật"), "cur": sum(data["discipline"].values()), "old": sum(prev["discipline"].values())},
                {"label": _("Khai trừ"), "cur": data["discipline"].get("expulsion", 0), "old": prev["discipline"].get("expulsion", 0)},
                {"label": _("Xóa tên"), "cur": sum(data["removals"].values()), "old": sum(prev["removals"].values())},
                {"label": _("Chi, đảng bộ trực thuộc hoàn thành"), "cur": data["completion"]["children_complete"],
                 "old": prev["completion"]["children_complete"]},
            ],
        }
        for row in yoy["rows"]:
            row["delta"] = round(row["cur"] - row["old"], 1)

    children = Paginator(data["children"], CHILDREN_PER_PAGE).get_page(children_page)
    for c in children:
        c["href"] = stats_url(campaign.pk, c["id"])
        c["list_base"] = reverse("report_list", args=[c["id"], campaign.pk, "_"])[:-2]
        c["kind_label"] = _labels(OrgKind.choices).get(c["kind"], c["kind"])
    feedback_rows = []
    for source in SourceType.values:
        counts = data["feedback"].get(source)
        if counts:
            feedback_rows.append({"label": sources[source], "total": sum(counts.values()), "href": drill("feedback", source),
                                  "answered": counts.get(RequestStatus.ANSWERED, 0),
                                  "answered_href": drill("feedback", source, RequestStatus.ANSWERED),
                                  "requested": counts.get(RequestStatus.REQUESTED, 0),
                                  "requested_href": drill("feedback", source, RequestStatus.REQUESTED)})
    return {
        "data": data,
        "levels": levels,
        "sentences": _sentences(data),
        "completion": data["completion"],
        "status_rows": [{"label": statuses.get(s, s), "n": data["completion"]["by_status"].get(s, 0), "href": drill("reviews", s)}
                        for s in Status.values],
        "reviews_href": drill("reviews"),
        "done_href": drill("reviews", "done"),
        "stage_rows": [{**s, "label": stage_labels.get(s["stage"], s["stage"]), "href": drill("stage", s["stage"])}
                       for s in data["stages"]],
        "progress_chart": charts.progress_bars(data["stages"], stage_labels, href=lambda st: drill("stage", st)),
        "members_rows": _dist_rows(data["members"], levels, members_href),
        "members_total_href": drill("members"),
        "members_kind_rows": _kind_rows(data["members"], levels, members_href),
        "members_chart": charts.level_bars(data["members"], levels, href=members_href),
        "orgs_rows": _dist_rows(data["organisations"], levels, orgs_href),
        "orgs_total_href": drill("organisations"),
        "orgs_kind_rows": _kind_rows(data["organisations"], levels, orgs_href),
        "orgs_chart": charts.level_bars(data["organisations"], levels, href=orgs_href),
        "discipline_rows": [{"label": forms.get(f, f), "n": n, "href": drill("discipline", f)}
                            for f in DisciplineForm.values if (n := data["discipline"].get(f, 0))],
        "discipline_total": sum(data["discipline"].values()),
        "discipline_href": drill("discipline"),
        "removal_rows": [{"label": party.get(s, s) if s else _("Không rõ"), "n": n, "href": drill("removals", s)}
                         for s, n in sorted(data["removals"].items())],
        "removals_total": sum(data["removals"].values()),
        "removals_href": drill("removals"),
        "remediation_rows": [{"label": states.get(s, s), "n": rem["by_state"].get(s, 0), "href": drill("remediation", s)}
                             for s in ItemState.values],
        "remediation": rem,
        "remediation_open_href": drill("remediation", "open"),
        "remediation_overdue_href": drill("remediation", "overdue"),
        "remediation_total_href": drill("remediation"),
        "burndown_chart": charts.burndown_bars(data["burndown"], href=drill("remediation", "open")),
        "feedback_rows": feedback_rows,
        "study": data["study"],
        "commitments_href": drill("commitments"),
        "yoy": yoy,
        "trend_chart": charts.trend_bars(data["trend"], href=lambda p: stats_url(p["campaign_id"])),
        "trend": data["trend"],
        "legend": charts.legend(levels),
        "children": children,
        "page_url": stats_url(campaign.pk),
        "kind_label": _labels(CampaignKind.choices).get(campaign.kind, campaign.kind),
    }


# --- pages ---------------------------------------------------------------------------------------

@login_required
def reports_home(request):
    """The statistics of the user's own top organisation; a choice when there are several."""
    scope = access.scope_for(request.user)
    if scope.superuser:
        roots = list(Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True).order_by("name"))
    else:
        roots = list(Organisation.objects.filter(path__in=scope.prefixes(Action.VIEW)).order_by("path"))
    if len(roots) == 1:
        return redirect("report_statistics", roots[0].pk)
    return render(request, "reports/home.html", {"roots": roots})


def _page(request, org, campaign):
    campaigns = list(selectors.campaigns_for_org(request.user, org)[:50])
    ancestors = list(access.organisations(request.user).filter(pk__in=org.ancestor_ids()).order_by("depth"))
    context = {"org": org, "campaign": campaign, "campaigns": campaigns, "ancestors": ancestors}
    if campaign is None:
        return render(request, "reports/statistics.html", context)
    data, source, state = statistics_for(campaign, org)
    context.update({"source": source, "state": state, "build": state.build})
    if data is not None:
        context.update(build_context(data, org, campaign, request.GET.get("cpage")))
    return render(request, "reports/statistics.html", context)


@login_required
def statistics_page(request, org_id: int):
    org, campaign = org_and_campaign(request.user, org_id, request.GET.get("campaign") or None)
    return _page(request, org, campaign)


@login_required
def statistics_campaign(request, org_id: int, campaign_id: int):
    org, campaign = org_and_campaign(request.user, org_id, campaign_id)
    return _page(request, org, campaign)


def _body_or_progress(request, org, campaign, state):
    """What replaces the progress box: the figures once built, else the progress again."""
    if state.ready:
        context = {"org": org, "campaign": campaign, "source": "cache", "build": state.build}
        context.update(build_context(state.build.data, org, campaign, request.GET.get("cpage")))
        return render(request, "reports/partials/statistics_body.html", context)
    return render(request, "reports/partials/build.html", {"org": org, "campaign": campaign, "state": state,
                                                            "build": state.build})


@login_required
@require_POST
def statistics_build(request, org_id: int, campaign_id: int):
    """Start (or join) the background build for the data as it is now."""
    org, campaign = org_and_campaign(request.user, org_id, campaign_id)
    state = jobs.current(campaign, org, fresh=True)  # asking for a build: look at the data now
    jobs.start(request.user, campaign, org, state)
    if not request.htmx:
        return redirect("report_statistics_campaign", org.pk, campaign.pk)
    return _body_or_progress(request, org, campaign, jobs.current(campaign, org))


@login_required
def statistics_progress(request, org_id: int, campaign_id: int):
    """Polled by the page while a build runs."""
    org, campaign = org_and_campaign(request.user, org_id, campaign_id)
    return _body_or_progress(request, org, campaign, jobs.current(campaign, org))


@login_required
def statistics_list(request, org_id: int, campaign_id: int, metric: str):
    """The people or units behind a figure (paginated, scoped to the organisation's subtree)."""
    org, campaign = org_and_campaign(request.user, org_id, campaign_id)
    if metric not in selectors.DRILL_METRICS:
        raise Http404
    key, kind = request.GET.get("key", ""), request.GET.get("kind", "")
    qs = selectors.drill(metric, key, campaign, org, kind)
    page = Paginator(qs, LIST_PER_PAGE).get_page(request.GET.get("page"))
    titles = {
        "members": _("Đảng viên được xếp loại"), "organisations": _("Tổ chức đảng được xếp loại"),
        "reviews": _("Bản kiểm điểm"), "stage": _("Bản kiểm điểm đã qua bước"), "discipline": _("Đảng viên bị kỷ luật"),
        "removals": _("Đảng viên bị xóa tên"), "remediation": _("Hạn chế, khuyết điểm cần khắc phục"),
        "feedback": _("Đề nghị góp ý"), "commitments": _("Bản cam kết"),
    }
    key_labels = {
        "reviews": {**_labels(Status.choices), "done": _("Đã được chấp nhận, hoàn thành")},
        "stage": _labels(Stage.choices), "discipline": _labels(DisciplineForm.choices),
        "removals": _labels(PartyStatus.choices),
        "remediation": {**_labels(ItemState.choices), "open": _("Chưa khắc phục xong"), "overdue": _("Quá hạn")},
        "feedback": _labels(SourceType.choices),
    }
    level_names = {}
    from kiemdiem.ratings.rules import get_profile

    for lv in get_profile(campaign.rules_profile).levels:
        level_names[lv.code] = lv.name
    if metric in ("members", "organisations"):
        for rating in page.object_list:
            rating.level_name = level_names.get(rating.level, rating.level)
    key_label = level_names.get(key) if metric in ("members", "organisations") else key_labels.get(metric, {}).get(key, key)
    kind_label = _labels(OrgKind.choices).get(kind, "") if metric in ("members", "organisations") else \
        _labels(RequestStatus.choices).get(kind, "") if metric == "feedback" else ""
    return render(request, "reports/list.html", {
        "org": org, "campaign": campaign, "metric": metric, "key": key, "kind": kind, "page": page,
        "title": titles[metric], "key_label": key_label, "kind_label": kind_label, "level_names": level_names,
        "labels": {"form": _labels(DisciplineForm.choices), "state": _labels(ItemState.choices),
                   "status": _labels(Status.choices), "source": _labels(SourceType.choices),
                   "request": _labels(RequestStatus.choices), "party": _labels(PartyStatus.choices)},
        "back": reverse("report_statistics_campaign", args=[org.pk, campaign.pk]),
    })

