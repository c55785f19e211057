"""A review round (đợt kiểm điểm) issued by an organisation for its subtree."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kiemdiem.organisations.models import Organisation

from .choices import RULES_PROFILES, CampaignKind, CampaignStatus, FocusKind, Stage


class Campaign(models.Model):
    title = models.CharField(_("tiêu đề"), max_length=255)
    plan_number = models.CharField(_("số kế hoạch"), max_length=80, blank=True, help_text=_("Ví dụ: Kế hoạch số 25-KH/HU"))
    kind = models.CharField(_("loại"), max_length=12, choices=CampaignKind.choices)
    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("cấp ban hành"))
    issuer_path = models.CharField(max_length=255, editable=False)  # snapshot at creation
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"), null=True, blank=True)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    rules_profile = models.CharField(_("quy định áp dụng"), max_length=20, choices=RULES_PROFILES, default="qd366-2025")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    excluded = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("nhánh không tham gia")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["issuer_path"])]

    def __str__(self):
        return self.title

    def deadline(self, stage: str) -> datetime.date | None:
        row = next((d for d in self.deadlines.all() if d.stage == stage), None)
        return row.due if row else None


class StageDeadline(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deadlines")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    due = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "stage"], name="one_deadline_per_stage")]
        ordering = ["due"]


class FocusContent(models.Model):
    """Chosen contents and problem areas of a thematic round (seed 001: 2 contents, 4 areas)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="focus")
    kind = models.CharField(max_length=12, choices=FocusKind.choices)
    title = models.CharField(max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "id"]
