"""Reads for the analysis pages and API, scoped through organisations.access: a committee's
VIEW grant on the report's unit (by its path at launch) to read, MANAGE to dismiss or edit
lists; anything outside the user's part of the tree is 404."""
from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.http import Http404

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.reviews.models import Review

from .models import CampaignAnalysis, Flag, Phrase, ReportAnalysis, Signal


def get_review(user, review_id, action: Action = Action.VIEW) -> Review:
    try:
        review = Review.objects.select_related("campaign", "member", "subject_org", "unit").get(pk=review_id)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404
    access.check_path(user, review.org_path, action)
    return review


def get_flag(user, flag_id, action: Action = Action.VIEW) -> Flag:
    try:
        flag = Flag.objects.select_related("review").get(pk=flag_id)
    except (Flag.DoesNotExist, ValueError, TypeError):
        raise Http404
    access.check_path(user, flag.org_path, action)
    return flag


def get_phrase(user, phrase_id, action: Action = Action.MANAGE) -> Phrase:
    try:
        phrase = Phrase.objects.select_related("organisation").get(pk=phrase_id)
    except (Phrase.DoesNotExist, ValueError, TypeError):
        raise Http404
    access.get_organisation(user, phrase.organisation_id, action)
    return phrase


def flags(campaign, path: str, signal: str = "", state: str = "open"):
    qs = Flag.objects.filter(campaign=campaign, org_path__startswith=path)
    if signal:
        qs = qs.filter(signal=signal)
    if state == "open":
        qs = qs.filter(dismissed_at__isnull=True)
    elif state == "dismissed":
        qs = qs.filter(dismissed_at__isnull=False)
    return qs


def counts(campaign, path: str) -> dict[str, dict[str, int]]:
    rows = (Flag.objects.filter(campaign=campaign, org_path__startswith=path).values("signal")
            .annotate(open=Count("id", filter=Q(dismissed_at__isnull=True)),
                      dismissed=Count("id", filter=Q(dismissed_at__isnull=False))))
    out = {s: {"open": 0, "dismissed": 0} for s in Signal.values}
    for r in rows:
        out[r["signal"]] = {"open": r["open"], "dismissed": r["dismissed"]}
    return out


def campaign_analysis(campaign) -> CampaignAnalysis | None:
    return CampaignAnalysis.objects.filter(campaign=campaign).select_related("last_job").first()


def top_themes(campaign, path: str, limit: int = 10) -> list[dict]:
    """The most recurring shortcoming themes among the reports under `path`."""
    ca = campaign_analysis(campaign)
    labels = (ca.theme_labels if ca else {}) or {}
    count: Counter = Counter()
    reports: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for themes in ReportAnalysis.objects.filter(campaign=campaign, org_path__startswith=path).values_list("themes", flat=True).iterator(chunk_size=5000):
        seen = set()
        for key, text in themes or ():
            count[key] += 1
            if key not in seen:
                reports[key] += 1
                seen.add(key)
            ex = examples.setdefault(key, [])
            if len(ex) < 3 and text not in ex:
                ex.append(text)
    out = []
    for key, n in count.most_common(limit):
        label = labels.get(key, [key])[0] if isinstance(labels.get(key), list) else key
        out.append({"key": key, "label": label, "count": n, "reports": reports[key], "examples": examples.get(key, [])})
    return out


def phrases_for(org):
    """The phrases in force for `org`: added by it or by its superiors."""
    ancestors = [p for p in Phrase.objects.values_list("organisation__path", flat=True).distinct() if org.path.startswith(p)]
    return Phrase.objects.filter(organisation__path__in=ancestors).select_related("organisation")
