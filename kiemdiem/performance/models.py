"""What the QĐ 366 rating checks need about work done (QC 08-QC/TW): a register of tasks with
deadlines and results per member or organisation, a declared summary for a subject that keeps
no register, and confidence votes (lấy phiếu tín nhiệm). Read by performance.selectors."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.organisations.models import Member, Organisation

from .choices import TaskStatus

_ONE_SUBJECT = Q(member__isnull=True, organisation__isnull=False) | Q(member__isnull=False, organisation__isnull=True)


class TaskAssignment(models.Model):
    """A task (nhiệm vụ) of a member or an organisation; it belongs to the period its deadline
    falls in."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    # the subject's organisation path when recorded (a member's cell, or the organisation)
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    assigned_by = models.CharField(_("người giao"), max_length=255, blank=True)
    assigned_on = models.DateField(_("ngày giao"), null=True, blank=True)
    deadline = models.DateField(_("hạn hoàn thành"))
    status = models.CharField(_("tình trạng"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    quality_met = models.BooleanField(_("bảo đảm chất lượng"), default=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    evidence = models.TextField(_("minh chứng"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [models.CheckConstraint(condition=_ONE_SUBJECT, name="task_has_one_subject")]
        indexes = [
            models.Index(fields=["member", "deadline"], name="task_member_deadline"),
            models.Index(fields=["organisation", "deadline"], name="task_org_deadline"),
        ]

    def __str__(self):
        return self.title

    @property
    def subject(self):
        return self.member or self.organisation


class TaskDeclaration(models.Model):
    """A declared summary of a period's task results for a subject without a register."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="task_declarations")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="task_declarations")
    org_path = models.CharField(max_length=255, db_index=True)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    on_time_pct = models.DecimalField(_("tỷ lệ hoàn thành đúng tiến độ (%)"), max_digits=5, decimal_places=2)
    beyond_pct = models.DecimalField(_("tỷ lệ vượt yêu cầu (%)"), max_digits=5, decimal_places=2, default=0)
    late_pct = models.DecimalField(_("tỷ lệ chậm tiến độ (%)"), max_digits=5, decimal_places=2, default=0)
    failed_pct = models.DecimalField(_("tỷ lệ không hoàn thành (%)"), max_digits=5, decimal_places=2, default=0)
    all_quality_met = models.BooleanField(_("tất cả bảo đảm chất lượng"), default=True)
    basis = models.TextField(_("căn cứ"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="taskdecl_has_one_subject"),
            models.UniqueConstraint(fields=["member", "period_start", "period_end"], condition=Q(member__isnull=False),
                                    name="taskdecl_member_period"),
            models.UniqueConstraint(fields=["organisation", "period_start", "period_end"],
                                    condition=Q(organisation__isnull=False), name="taskdecl_org_period"),
        ]

    @property
    def subject(self):
        return self.member or self.organisation


class ConfidenceVote(models.Model):
    """A confidence vote (lấy phiếu tín nhiệm) on a member holding a post, held by a body."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="confidence_votes")
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp tổ chức lấy phiếu"))
    org_path = models.CharField(max_length=255, db_index=True)  # the member's organisation path when held
    held_on = models.DateField(_("ngày lấy phiếu"))
    total = models.PositiveIntegerField(_("số phiếu phát ra"))
    high = models.PositiveIntegerField(_("tín nhiệm cao"))
    medium = models.PositiveIntegerField(_("tín nhiệm"))
    low = models.PositiveIntegerField(_("tín nhiệm thấp"))
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="confvote_total_positive"),
            models.CheckConstraint(condition=Q(total__gte=models.F("high") + models.F("medium") + models.F("low")),
                                   name="confvote_counts_within_total"),
        ]
        indexes = [models.Index(fields=["member", "held_on"], name="confvote_member_held")]

    @property
    def low_pct(self) -> float:
        return self.low * 100 / self.total if self.total else 0.0
