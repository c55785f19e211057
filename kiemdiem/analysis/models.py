"""Review-quality analysis: advisory flags on reports, never a gate.

- CampaignAnalysis: one per campaign; the last run, the shingles treated as boilerplate (too
  common in the campaign to say anything about copying), theme labels.
- ReportAnalysis: one per analysed report; what the report looked like when analysed (content
  hash, version), its MinHash signature, its theme keys. A report whose hash is unchanged is not
  analysed again.
- Flag: one signal on one report, with its evidence; a committee member may dismiss it with a
  note (audited). Flags never block a workflow step and never change a rating.
- Phrase: a committee's additions to the phrase lists (generic self-criticism, tone).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews.models import Review


class Signal(models.TextChoices):
    COPY = "copy", _("Sao chép")
    GENERIC = "generic", _("Tự phê bình chung chung")
    FEEDBACK = "feedback", _("Góp ý chưa được tiếp thu")
    REPEAT = "repeat", _("Lặp lại khuyết điểm cũ")
    TONE = "tone", _("Giọng điệu tâng bốc / công kích")


class PhraseKind(models.TextChoices):
    NOTHING = "nothing", _("Phủ nhận hạn chế (\"không có\")")
    STOCK = "stock", _("Cụm từ sáo rỗng")
    PRAISE = "praise", _("Từ ngữ tâng bốc")
    ATTACK = "attack", _("Từ ngữ công kích")


class CampaignAnalysis(models.Model):
    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="analysis")
    params = models.CharField(max_length=40, blank=True)  # shingle/minhash parameters of the signatures
    boilerplate = models.BinaryField(default=b"", blank=True)  # sorted uint32 shingle hashes
    lexicon = models.CharField(max_length=16, blank=True)  # fingerprint of the phrase lists used
    theme_labels = models.JSONField(default=dict, blank=True)
    backend = models.CharField(max_length=80, blank=True)
    last_job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    analysed_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)


class ReportAnalysis(models.Model):
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="analysis")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    member_id = models.BigIntegerField(null=True, blank=True)
    content_hash = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)  # the review's, when analysed
    extras = models.CharField(max_length=40, blank=True)  # hash of its feedback points and contributions
    signature = models.BinaryField(default=b"", blank=True)
    shingles = models.PositiveIntegerField(default=0)  # non-boilerplate shingles
    themes = models.JSONField(default=list, blank=True)  # [[theme key, shortcoming text]]
    analysed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["campaign", "org_path"])]


class Flag(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="analysis_flags")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    signal = models.CharField(max_length=10, choices=Signal.choices)
    key = models.CharField(max_length=64)  # what it is about: the other report, the point, …
    other_review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0)
    summary = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dismiss_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "signal", "key"], name="one_flag_per_subject")]
        indexes = [models.Index(fields=["campaign", "org_path", "signal"])]

    def __str__(self):
        return f"{self.get_signal_display()}: {self.summary}"


class Phrase(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="analysis_phrases")
    kind = models.CharField(_("loại"), max_length=10, choices=PhraseKind.choices)
    text = models.CharField(_("cụm từ"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "text"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "text"], name="one_phrase_per_org")]
