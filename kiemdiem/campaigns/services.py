from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc
from kiemdiem.organisations.models import Organisation

from .choices import CampaignKind, CampaignStatus, FocusKind, Stage
from .models import Campaign, FocusContent, StageDeadline


@transaction.atomic
def campaign_create(
    *,
    actor,
    issuer: Organisation,
    title: str,
    kind: str,
    year: int,
    period_start: datetime.date,
    period_end: datetime.date,
    plan_number: str = "",
    quarter: int | None = None,
    rules_profile: str = "qd366-2025",
    deadlines: dict[str, datetime.date] | None = None,
    focus_contents: list[str] = (),
    problem_areas: list[str] = (),
    excluded: list[Organisation] = (),
) -> Campaign:
    if period_end < period_start:
        raise ValidationError(_("Ngày kết thúc kỳ phải sau ngày bắt đầu."))
    if kind == CampaignKind.QUARTERLY and quarter not in (1, 2, 3, 4):
        raise ValidationError(_("Đợt kiểm điểm hằng quý cần ghi rõ quý (1–4)."))
    for org in excluded:
        if not org.path.startswith(issuer.path) or org.pk == issuer.pk:
            raise ValidationError(_("Nhánh loại trừ “%(name)s” không thuộc phạm vi của cấp ban hành.") % {"name": org.name})
    deadlines = deadlines or {}
    order = [s for s in Stage.values if s in deadlines]
    for a, b in zip(order, order[1:]):
        if deadlines[b] < deadlines[a]:
            raise ValidationError(
                _("Hạn “%(b)s” không được trước hạn “%(a)s”.") % {"a": Stage(a).label, "b": Stage(b).label}
            )
    campaign = Campaign(
        title=nfc(title), plan_number=nfc(plan_number), kind=kind, issuer=issuer, issuer_path=issuer.path,
        year=year, quarter=quarter, period_start=period_start, period_end=period_end, rules_profile=rules_profile,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.full_clean()
    campaign.save()
    StageDeadline.objects.bulk_create([StageDeadline(campaign=campaign, stage=s, due=d) for s, d in deadlines.items()])
    FocusContent.objects.bulk_create(
        [FocusContent(campaign=campaign, kind=FocusKind.CONTENT, title=nfc(t), order=i) for i, t in enumerate(focus_contents)]
        + [FocusContent(campaign=campaign, kind=FocusKind.PROBLEM_AREA, title=nfc(t), order=i) for i, t in enumerate(problem_areas)]
    )
    if excluded:
        campaign.excluded.set(excluded)
    audit.record(actor=actor, action="campaign.create", obj=campaign, org_path=issuer.path,
                 changes={"title": campaign.title, "kind": kind, "year": year})
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    if campaign.status != CampaignStatus.LAUNCHED:
        raise ValidationError(_("Chỉ kết thúc được đợt kiểm điểm đã triển khai."))
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    audit.record(actor=actor, action="campaign.close", obj=campaign, org_path=campaign.issuer_path)
    return campaign
