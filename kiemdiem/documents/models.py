"""Official documents kept before issue: the draft of a summary report (its header, body and
signature block, edited by staff; the statistics tables are always rebuilt from the data), and
the register of documents a committee issued (counted by the end-of-term report)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations.models import Organisation


class ReportDraft(models.Model):
    """"Báo cáo tổng hợp kết quả kiểm điểm, đánh giá, xếp loại" of one organisation for one
    campaign, as the staff edited it before issue."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="report_drafts")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="report_drafts")
    number = models.CharField(_("số, ký hiệu"), max_length=80, blank=True, help_text=_("Ví dụ: 125-BC/HU"))
    parent_body = models.CharField(_("cấp trên"), max_length=255, blank=True)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=255)
    place = models.CharField(_("địa danh"), max_length=120)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    title = models.CharField(_("tên văn bản"), max_length=500)
    body = models.TextField(_("nội dung"))
    signer_for = models.CharField(_("thẩm quyền ký"), max_length=120, default="T/M BAN THƯỜNG VỤ")
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, default="BÍ THƯ")
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "campaign"], name="one_report_draft")]


class DocumentKind(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    DIRECTIVE = "directive", _("Chỉ thị, thông tri")
    PROGRAMME = "programme", _("Chương trình hành động, chương trình làm việc")
    PLAN = "plan", _("Kế hoạch")
    THEMATIC_REPORT = "report", _("Báo cáo chuyên đề")


class IssuedDocument(models.Model):
    """A document the committee issued (nghị quyết, chỉ thị, chương trình, kế hoạch, báo cáo
    chuyên đề): "đã ban hành 31 nghị quyết, 25 thông tri - chỉ thị, … 127 báo cáo chuyên đề"."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="issued_documents")
    kind = models.CharField(_("loại văn bản"), max_length=12, choices=DocumentKind.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=80)
    issued_on = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("trích yếu"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["organisation", "issued_on"])]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "number"], name="unique_issued_document")]
