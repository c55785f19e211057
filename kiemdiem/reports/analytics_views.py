"""Pages for the analytics of a deciding subtree and campaign: rating inflation and the
self-assessment gap (kiemdiem/reports/analytics.py). VIEW on the organisation; outsiders 404."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.ratings.rules import get_profile
from kiemdiem.reviews import selectors as review_selectors

from . import analytics

# GET parameter -> (Thresholds field, type, lowest allowed, highest allowed)
THRESHOLD_PARAMS = {
    "z": ("z", float, 0.0, 20.0),
    "min_rated": ("min_rated", int, 1, 10_000),
    "min_peers": ("min_peers", int, 1, 10_000),
    "doubtful_min": ("doubtful_min", int, 1, 10_000),
    "doubtful_share": ("doubtful_share", float, 0.0, 100.0),  # percent in the form
}


def _scope(request, campaign_id: int, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.VIEW)
    campaign = review_selectors.get_campaign(request.user, campaign_id)
    return campaign, org


def _thresholds(params) -> tuple[analytics.Thresholds, dict, str]:
    """Thresholds from the query string; a bad value: the defaults and an error message."""
    defaults = analytics.Thresholds()
    values, shown = {}, {}
    for param, (name, kind, low, high) in THRESHOLD_PARAMS.items():
        raw = params.get(param, "").strip().replace(",", ".")
        default = getattr(defaults, name)
        shown[param] = raw or (round(default * 100) if param == "doubtful_share" else default)
        if not raw:
            continue
        try:
            value = kind(raw)
        except ValueError:
            value = None
        if value is None or not (low <= value <= high):
            return defaults, shown, _("Ngưỡng không hợp lệ: “%(p)s” phải là số từ %(lo)s đến %(hi)s.") % {
                "p": param, "lo": low, "hi": high}
        values[name] = value / 100 if param == "doubtful_share" else value
    return analytics.Thresholds(**{**defaults.__dict__, **values}), shown, ""


@login_required
def inflation(request, campaign_id: int, org_id: int):
    campaign, org = _scope(request, campaign_id, org_id)
    thresholds, shown, error = _thresholds(request.GET)
    result = analytics.rating_inflation(campaign, org, thresholds)
    units = {u.unit.pk: u.unit for u in result.units}
    profile = get_profile(campaign.rules_profile)
    names = {lv.code: lv.name for lv in profile.levels}
    people = [(p, units.get(p.unit_id), names.get(p.level, p.level)) for p in result.people]
    return render(request, "reports/analytics/inflation.html", {
        "campaign": campaign, "org": org, "result": result, "people": people, "shown": shown, "error": error,
        "flagged": result.flagged,
    })


@login_required
def self_gap(request, campaign_id: int, org_id: int):
    campaign, org = _scope(request, campaign_id, org_id)
    try:
        limit = min(max(int(request.GET.get("limit", 50)), 1), 500)
    except ValueError:
        limit = 50
    gap = analytics.self_assessment_gap(campaign, org, limit=limit)
    profile = get_profile(campaign.rules_profile)
    names = {lv.code: lv.name for lv in profile.levels}
    units = {u.unit.pk: u.unit for u in gap.units}
    people = [(p, units.get(p.unit_id), names.get(p.proposed, p.proposed), names.get(p.decided, p.decided)) for p in gap.people]
    return render(request, "reports/analytics/self_gap.html", {
        "campaign": campaign, "org": org, "gap": gap, "people": people, "limit": limit,
    })
