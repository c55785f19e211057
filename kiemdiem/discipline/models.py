from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.organisations.models import Member, Organisation

from .choices import DisciplineForm


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
        ]
