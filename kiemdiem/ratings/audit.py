"""Re-validating stored ratings (`kiemdiem check_ratings`): every live rating against the rules
profile it was made under and the facts as the records stand now, the deciding body the tree
names, and each body's quota. Read-only; one campaign at a time, ratings read as tuples."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews.models import Review

from . import facts as facts_mod
from .choices import RatingStage
from .models import Rating
from .rules import PROFILES, get_profile


@dataclass(frozen=True)
class Violation:
    campaign_id: int
    review_id: int | None
    subject: str
    stage: str
    level: str
    reason: str

    def __str__(self) -> str:
        where = f"đợt {self.campaign_id}"
        if self.review_id:
            where += f", báo cáo {self.review_id} ({self.subject}), {self.stage} “{self.level}”"
        return f"{where}: {self.reason}"


def check_campaign(campaign: Campaign) -> list[Violation]:
    out: list[Violation] = []
    ratings = list(Rating.objects.filter(review__campaign=campaign, cancelled_at__isnull=True).values_list(
        "review_id", "stage", "level", "profile_key", "reason", "body_id", "subject_kind"))
    kinds_of_rating = {(r[0], r[1]): r[6] for r in ratings}
    if not ratings:
        return out
    reviews = {row[0]: row for row in Review.objects.filter(campaign=campaign).values_list(
        "id", "member_id", "subject_org_id", "unit_id", "org_path", "form", "self_score_common", "self_score_tasks",
        "member__full_name", "subject_org__name")}
    ancestor_ids = {int(x) for row in reviews.values() for x in row[4][:-1].split(".")}
    kinds = dict(Organisation.objects.filter(pk__in=ancestor_ids).values_list("id", "kind"))
    source = facts_mod.FactSource(campaign)
    memo: dict[tuple, object] = {}
    counts: Counter = Counter()  # (body, subject kind, level) of live decisions, for the quota
    for review_id, stage, level, profile_key, reason, body_id, _kind in ratings:
        rid, member_id, org_id, unit_id, org_path, form, common, tasks, person, org_name = reviews[review_id]
        name = person or org_name or ""
        if profile_key not in PROFILES:
            out.append(Violation(campaign.pk, rid, name, stage, level, _("Quy định “%(p)s” không tồn tại.") % {"p": profile_key}))
            continue
        profile = get_profile(profile_key)
        key = (profile_key, source.key(rid, member_id, org_id, form, common, tasks, org_path), level)
        assessment = memo.get(key)
        if assessment is None:
            assessment = memo[key] = profile.assess(source.facts(key[1]), level)
        for v in assessment.binding:
            out.append(Violation(campaign.pk, rid, name, stage, level, _("vượt mức cao nhất được phép “%(cap)s”: %(why)s") % {
                "cap": profile.level(assessment.cap).name if assessment.cap in profile.codes() else assessment.cap,
                "why": v.reason}))
        if assessment.advisory and not reason:
            out.append(Violation(campaign.pk, rid, name, stage, level, _("khuyến nghị chưa có lý do: %(why)s") % {
                "why": " ".join(str(v.reason) for v in assessment.advisory)}))
        if stage == RatingStage.DECISION:
            expected = facts_mod.body_for(org_path, member_id, unit_id, kinds.get)
            if body_id != expected:
                out.append(Violation(campaign.pk, rid, name, stage, level, _(
                    "cấp quyết định không đúng thẩm quyền (ghi %(got)s, theo cây tổ chức là %(want)s).") % {
                    "got": body_id, "want": expected}))
            counts[(body_id, kinds_of_rating[(review_id, stage)], level)] += 1
    from .services import _quota_problems

    out += [Violation(campaign.pk, None, "", RatingStage.DECISION, "", p) for p in _quota_problems(campaign, counts)]
    return out


def check_ratings(campaign_id: int | None = None) -> list[Violation]:
    campaigns = Campaign.objects.filter(pk=campaign_id) if campaign_id else \
        Campaign.objects.filter(pk__in=Rating.objects.values("campaign_id")).order_by("pk")
    out: list[Violation] = []
    for campaign in campaigns:
        out += check_campaign(campaign)
    return out


__all__ = ["Violation", "check_campaign", "check_ratings"]
