from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.reviews.models import Review, Shortcoming

from .choices import ActionState, AttendanceStatus, CellMeetingKind, ItemState, RemovalGround, RemovalState


class RemediationItem(models.Model):
    """A shortcoming to fix, owned by the person or unit whose final report recorded it."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="remediation_items")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="remediation_items")
    shortcoming = models.OneToOneField(Shortcoming, on_delete=models.PROTECT, related_name="remediation")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="remediation_items")
    org_path = models.CharField(max_length=255, db_index=True)  # the owner's unit path when created
    text = models.TextField()
    state = models.CharField(max_length=12, choices=ItemState.choices, default=ItemState.NEW)
    long_standing = models.BooleanField(_("tồn tại kéo dài"), default=False)
    repeats = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verification_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True, organisation__isnull=False) | Q(member__isnull=False, organisation__isnull=True),
                name="item_has_one_owner",
            )
        ]

    def __str__(self):
        return self.text[:80]


class RemediationAction(models.Model):
    item = models.ForeignKey(RemediationItem, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("nội dung"))
    who = models.CharField(_("người thực hiện"), max_length=255)
    deadline = models.DateField(_("thời hạn"))
    expected_evidence = models.CharField(_("kết quả, minh chứng dự kiến"), max_length=500, blank=True)
    state = models.CharField(max_length=6, choices=ActionState.choices, default=ActionState.TODO)
    evidence_note = models.TextField(blank=True)
    evidence_file = models.FileField(upload_to="evidence/%Y/", blank=True)
    evidence_link = models.URLField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"])]

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_note.strip() or self.evidence_file or self.evidence_link)


class CellMeeting(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cell_meetings")
    held_on = models.DateField()
    kind = models.CharField(max_length=10, choices=CellMeetingKind.choices, default=CellMeetingKind.REGULAR)
    title = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "held_on", "kind"], name="one_cell_meeting_per_day_kind")]


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(CellMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cell_attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_meeting")]
        indexes = [models.Index(fields=["member", "status"])]


class DuesPayment(models.Model):
    """Monthly dues (đảng phí): one row per member and month paid."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues")
    month = models.DateField()  # first day of the month the payment is for
    amount = models.PositiveIntegerField()  # VND
    paid_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="one_payment_per_month")]


class StudySession(models.Model):
    """A session studying a resolution (học tập nghị quyết)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="study_sessions")
    held_on = models.DateField()
    title = models.CharField(max_length=255)


class StudyAttendance(models.Model):
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_study_attendance")]


class Commitment(models.Model):
    """A member's written commitment (cam kết) for a year."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="commitments")
    year = models.PositiveSmallIntegerField()
    text = models.TextField()
    submitted_on = models.DateField()
    org_path = models.CharField(max_length=255, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_commitment_per_year")]


class RemovalCase(models.Model):
    """A member who falls under removal from the list (xóa tên) for a year, with the evidence."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="removal_cases")
    year = models.PositiveSmallIntegerField()
    ground = models.CharField(max_length=16, choices=RemovalGround.choices)
    evidence = models.JSONField(default=list)  # month by month
    org_path = models.CharField(max_length=255, db_index=True)
    state = models.CharField(max_length=10, choices=RemovalState.choices, default=RemovalState.CANDIDATE)
    proposed_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_number = models.CharField(max_length=80, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    status_before = models.CharField(max_length=12, blank=True)  # probationary / official, for the counts
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "year", "ground"], name="one_removal_case")]
