from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.organisations.models import Member, Organisation

from .choices import ConclusionKind, DisciplineForm


class Discipline(models.Model):
    """A discipline decision (kỷ luật) against a member or an organisation; the rating rules
    read these records (a decision in the period counts in the period)."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="disciplines")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="disciplines")
    # the organisation the subject belonged to when disciplined: a violation at a former unit
    # counts against that unit
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    form = models.CharField(_("hình thức"), max_length=12, choices=DisciplineForm.choices)
    deciding_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp quyết định"))
    decision_number = models.CharField(_("số quyết định"), max_length=80)
    decided_on = models.DateField(_("ngày quyết định"))
    violation_on = models.DateField(_("thời điểm vi phạm"), null=True, blank=True)
    duty_related = models.BooleanField(_("liên quan đến thực hiện chức trách, nhiệm vụ"), default=True)
    self_detected_fixed = models.BooleanField(_("tự phát hiện, tự khắc phục"), default=False)
    self_fix_evidence = models.TextField(_("minh chứng tự phát hiện, tự khắc phục"), blank=True)
    self_fix_reference = models.CharField(_("văn bản chứng minh (số, ngày)"), max_length=120, blank=True)
    summary = models.TextField(_("nội dung vi phạm"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True, organisation__isnull=False) | Q(member__isnull=False, organisation__isnull=True),
                name="discipline_has_one_subject",
            ),
            # softening (QĐ 366) is a fact with its proof, never a bare tick
            models.CheckConstraint(condition=~Q(self_detected_fixed=True, self_fix_evidence=""),
                                   name="discipline_softening_has_evidence"),
        ]


class Conclusion(models.Model):
    """A conclusion (kết luận) of the inspection commission (Ủy ban Kiểm tra) or another
    competent body about a member or an organisation: degradation, breaching what members
    must not do, corruption or waste in one's remit, internal disunity. The rating rules read
    these through selectors.conclusions_in_period (a conclusion in the period counts in the
    period). A wrong record is cancelled with a reason, never deleted."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="conclusions")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="conclusions")
    # where the subject belonged when concluded about (as Discipline.unit / org_path)
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("nội dung kết luận"), max_length=24, choices=ConclusionKind.choices)
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan kết luận"))
    number = models.CharField(_("số kết luận"), max_length=80)
    concluded_on = models.DateField(_("ngày kết luận"))
    summary = models.TextField(_("tóm tắt kết luận"), blank=True)
    self_detected_fixed = models.BooleanField(_("tự phát hiện, tự khắc phục"), default=False)
    self_fix_evidence = models.TextField(_("minh chứng tự phát hiện, tự khắc phục"), blank=True)
    self_fix_reference = models.CharField(_("văn bản chứng minh (số, ngày)"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)

    class Meta:
        ordering = ["-concluded_on", "-id"]
        indexes = [models.Index(fields=["concluded_on"], name="conclusion_concluded_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True, organisation__isnull=False) | Q(member__isnull=False, organisation__isnull=True),
                name="conclusion_has_one_subject",
            ),
            models.CheckConstraint(condition=~Q(self_detected_fixed=True, self_fix_evidence=""),
                                   name="conclusion_softening_has_evidence"),
        ]

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
