"""Feedback (góp ý) about a review's subject, from every kind of source.

Anonymity: an anonymous response (peers, public) is stored with no link to its giver — no
user, no IP, no timestamp finer than the day, and a random primary key so row order tells
nothing. A separate ResponderReceipt holds only a keyed hash of (giver, subject, group) to stop
a second response; it has no link to the response either.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.reviews.models import Review

from .choices import Absorption, CommentState, PointKind, RequestStatus, SourceType


class FeedbackRequest(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback_requests")
    source_type = models.CharField(max_length=16, choices=SourceType.choices)
    source_org = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_name = models.CharField(_("người, cơ quan góp ý"), max_length=255, blank=True)
    source_email = models.EmailField(blank=True)
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    # single-use link for sources without an account: only a hash of the token is stored
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    token_expires = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["review", "source_type"]), models.Index(fields=["status", "due"])]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "source_type", "source_org"], condition=Q(source_org__isnull=False),
                name="one_request_per_source_org",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_type_display()} → {self.review}"

    @property
    def source_label(self) -> str:
        if self.source_name:
            return self.source_name
        if self.source_org_id:
            return self.source_org.name
        if self.source_member_id:
            return self.source_member.full_name
        return self.get_source_type_display()


class FeedbackResponse(models.Model):
    """An attributed response (institutions, named persons, cells)."""

    request = models.OneToOneField(FeedbackRequest, on_delete=models.CASCADE, related_name="response")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_as = models.CharField(max_length=255, blank=True)
    document_ref = models.CharField(_("số, ký hiệu văn bản"), max_length=80, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)


class AnonymousResponse(models.Model):
    """A peer or public response: no giver, no IP, no time finer than the day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="anonymous_responses")
    group = models.CharField(max_length=16, choices=SourceType.choices)
    received_on = models.DateField()


class ResponderReceipt(models.Model):
    """Only stops a second anonymous response from the same giver about the same subject."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=64, unique=True)  # HMAC(secret, giver|review|group)


class FeedbackPoint(models.Model):
    response = models.ForeignKey(FeedbackResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="points")
    anonymous = models.ForeignKey(AnonymousResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="points")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback_points")  # denormalised subject
    kind = models.CharField(max_length=12, choices=PointKind.choices)
    text = models.TextField()
    absorption = models.CharField(max_length=10, choices=Absorption.choices, default=Absorption.PENDING)
    section = models.CharField(_("mục tiếp thu"), max_length=8, blank=True)
    explanation = models.TextField(_("giải trình"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response__isnull=False, anonymous__isnull=True) | Q(response__isnull=True, anonymous__isnull=False),
                name="point_has_one_response",
            )
        ]


class GateOverride(models.Model):
    """Staff let a report be submitted with unanswered points, with a reason (audited)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="feedback_override")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True)


class PublicPage(models.Model):
    """An organisation's public opinion page (e.g. a ward's one-stop desk)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="public_page")
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=255)
    intro = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)


class PublicComment(models.Model):
    """A citizen's comment; nothing identifies the writer (no IP, no account)."""

    page = models.ForeignKey(PublicPage, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    received_on = models.DateField()
    state = models.CharField(max_length=10, choices=CommentState.choices, default=CommentState.PENDING)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    # the anonymous feedback it became, once accepted
    became = models.ForeignKey(AnonymousResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_on", "-id"]
