"""Reviews (one per organisation and per eligible member in a campaign) and their reports.

A review keeps a snapshot of its subject's organisation path at launch (`org_path`), so
roll-ups of past campaigns do not shift when the tree is later restructured.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations.models import Member, Organisation

from .choices import FixState, Form, IneligibleReason, Leadership, Status


class Review(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reviews")
    # exactly one of these is the subject
    subject_org = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="collective_reviews")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews")
    # where the review is held: the organisation itself, or the member's official cell
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="held_reviews")
    org_path = models.CharField(max_length=255, db_index=True)  # the unit's path at launch
    # "" : the organisation itself / the person at their cell; else the unit's leadership
    # collective (BCH, BTV, Thường trực) the review is held in: its Mẫu 01, or a leader's Mẫu 2A
    # there (not rated: a leader is rated once, at their own review)
    leadership = models.CharField(max_length=3, choices=Leadership.choices, blank=True, default="", db_default="")
    form = models.CharField(max_length=2, choices=Form.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(default=dict, blank=True)  # section code -> sanitised HTML
    self_score_common = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    self_score_tasks = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    # part B per the campaign's rules profile (`reviews.part_b`): each criteria group's points
    # ("6", "5.5"; self_score_common is their sum) or each criterion's grade (a level code);
    # NULL (a launch's INSERT … SELECT leaves it out) is the same as {}
    criteria = models.JSONField(default=dict, blank=True, null=True)
    # a level code of the campaign's profile for the subject (validated by the profile, not a fixed enum)
    proposed_level = models.CharField(max_length=10, blank=True)
    version = models.PositiveIntegerField(default=0)  # optimistic lock, +1 on every save
    meeting_date = models.DateField(null=True, blank=True)
    circulated_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], condition=Q(member__isnull=False, leadership=""),
                                    name="one_review_per_member"),
            models.UniqueConstraint(fields=["campaign", "member", "unit", "leadership"],
                                    condition=Q(member__isnull=False) & ~Q(leadership=""), name="one_leader_review_per_collective"),
            models.UniqueConstraint(fields=["campaign", "subject_org", "leadership"], condition=Q(subject_org__isnull=False),
                                    name="one_review_per_org"),
            models.CheckConstraint(
                condition=Q(member__isnull=True, subject_org__isnull=False) | Q(member__isnull=False, subject_org__isnull=True),
                name="review_has_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "unit", "status"]),
            # a campaign's reviews under a path by status, read from the index alone (statistics)
            models.Index(fields=["campaign", "org_path"], opclasses=["int8_ops", "varchar_pattern_ops"],
                         include=["status"], name="review_campaign_path_idx"),
        ]

    def __str__(self):
        if self.leadership and self.subject_org_id:
            return f"{self.get_leadership_display()} {self.subject_org}"
        return str(self.member or self.subject_org)

    @property
    def rated(self) -> bool:
        """False for a leader's review held in a leadership collective: rated once, elsewhere."""
        return not (self.member_id and self.leadership)

    @property
    def is_collective(self) -> bool:
        return self.subject_org_id is not None

    @property
    def self_score_total(self):
        if self.self_score_common is None or self.self_score_tasks is None:
            return None
        return self.self_score_common + self.self_score_tasks


class Participant(models.Model):
    """A leader taking part in the collective review of a leadership body they sit in."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="collective_participations")
    role = models.CharField(max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "member"], name="one_participation")]


class Ineligibility(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ineligible")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    reason = models.CharField(max_length=10, choices=IneligibleReason.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="one_ineligibility")]


class Shortcoming(models.Model):
    """A shortcoming a report records in section II (becomes a remediation item when final)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="shortcomings")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]


class PriorShortcoming(models.Model):
    """Section III: a shortcoming from the previous review of the same kind, and what became of it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="prior_shortcomings")
    source = models.ForeignKey(Shortcoming, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=FixState.choices, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["source__order", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "source"], name="one_prior_per_source")]


class Prompt(models.Model):
    """A review prompt (gợi ý kiểm điểm) from a superior; section IV answers it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="prompts")
    issued_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    answer = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class Comment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class ReviewVersion(models.Model):
    """Every saved version of a report (and any refused concurrent save, so nothing is lost)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    conflict = models.BooleanField(default=False)  # a save refused because someone saved first
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)

    class Meta:
        ordering = ["number", "id"]
