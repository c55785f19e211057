"""Cached report builds: the statistics of one organisation's subtree for one campaign, kept
under the fingerprint of the data they were built from (reports.selectors.fingerprint). A page
serves a build whose fingerprint matches the data now; otherwise it starts a new build."""
from django.db import models

from kiemdiem.campaigns.models import Campaign
from kiemdiem.core.models import Job
from kiemdiem.organisations.models import Organisation


class ReportBuild(models.Model):
    class Kind(models.TextChoices):
        STATISTICS = "statistics", "statistics"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATISTICS)
    fingerprint = models.CharField(max_length=64)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "campaign", "kind", "fingerprint"], name="one_build_per_fingerprint"),
        ]
        indexes = [models.Index(fields=["organisation", "campaign", "kind"])]

    def __str__(self):
        return f"{self.kind} {self.organisation_id}/{self.campaign_id} {self.fingerprint[:8]}"

    @property
    def ready(self) -> bool:
        return self.finished_at is not None
