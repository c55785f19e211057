"""Meetings, votes and ratings. A ballot cannot be traced to its voter: `Ballot` has a random
key and no voter, time or order; `BallotCast` records only that a member has voted."""
from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.reviews.models import Review

from .choices import RatingStage, VoteMethod, VoteStatus


class Meeting(models.Model):
    """The review meeting of a unit (hội nghị kiểm điểm), attached to its collective review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="meeting")
    held_on = models.DateField(_("ngày họp"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    chair = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("chủ trì"))
    secretary = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư ký"))
    agenda = models.TextField(_("chương trình"), blank=True)
    conclusions = models.TextField(_("kết luận"), blank=True)
    quorum_ratio = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.667"))
    created_at = models.DateTimeField(auto_now_add=True)


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=True)
    absence_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_row")]


class Contribution(models.Model):
    """What was said about a subject at the meeting (ý kiến tham gia)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="contributions")
    subject = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="contributions")
    speaker = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]


class Vote(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    subject = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    method = models.CharField(max_length=6, choices=VoteMethod.choices)
    status = models.CharField(max_length=6, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    eligible = models.PositiveIntegerField(default=0)  # official members present
    tally = models.JSONField(default=dict, blank=True)  # level -> count
    result_level = models.CharField(max_length=10, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "subject"], name="one_vote_per_subject")]


class Ballot(models.Model):
    """One secret ballot: the level chosen and a receipt code the voter keeps. No voter, no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    level = models.CharField(max_length=10)
    receipt = models.CharField(max_length=16, unique=True)


class BallotCast(models.Model):
    """That a member has voted (to stop a second ballot) — and nothing about how."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="cast")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="one_ballot_per_voter")]


MEMBER_SUBJECT = "member"  # Rating.subject_kind of a member's rating (else the organisation's kind)
# Rating.subject_kind of a leadership collective's rating (BCH, BTV, Thường trực): its code, so
# the statistics of organisations never count an organisation twice
LEADERSHIP_SUBJECTS = ("bch", "btv", "tt")


def subject_kind(member_id, org_kind: str | None, leadership: str = "") -> str:
    """What a rating of this subject counts as: a member, a leadership collective, or an
    organisation of its kind."""
    if member_id is not None:
        return MEMBER_SUBJECT
    return leadership or org_kind


class RatingQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fills `campaign_id` and `subject_kind` from the reviews where a caller left them out
        (one query per call), as `Rating.save()` does for a single rating."""
        objs = list(objs)
        missing = {o.review_id for o in objs if o.campaign_id is None or not o.subject_kind}
        if missing:
            known = {pk: (cid, kind) for pk, cid, kind in _review_facts(missing)}
            for o in objs:
                if o.review_id in known:
                    o.campaign_id, o.subject_kind = known[o.review_id]
        return super().bulk_create(objs, *args, **kwargs)


def _review_facts(ids):
    """(review id, campaign id, subject kind) for the given review ids."""
    out = []
    ids = list(ids)
    for i in range(0, len(ids), 2000):
        for pk, cid, member_id, kind, leadership in Review.objects.filter(pk__in=ids[i:i + 2000]).values_list(
                "pk", "campaign_id", "member_id", "subject_org__kind", "leadership"):
            out.append((pk, cid, subject_kind(member_id, kind, leadership)))
    return out


class Rating(models.Model):
    """A level given at one stage, under the rules profile the campaign uses. Cancelled
    ratings stay (Mẫu 03 re-rating keeps the history)."""

    # Bulk decisions write every rating twice (inserted live, updated when cancelled), so the
    # table keeps only the indexes its reads use (docs/benchmarks.md, ratings): the (review,
    # stage) index below serves every lookup by review, the varchar_pattern_ops index on the
    # path every `org_path LIKE 'x%'` (a plain one served none), and the foreign keys are guarded
    # by Django (CASCADE / PROTECT / SET_NULL) rather than by database constraints, which made
    # bulk decisions check them row by row. Organisations are dissolved, never deleted; users
    # rarely are (a deletion then scans the ratings to null their actor).
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings", db_index=False, db_constraint=False)
    stage = models.CharField(max_length=10, choices=RatingStage.choices)
    profile_key = models.CharField(max_length=20)
    level = models.CharField(max_length=10)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    body = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False,
                             db_index=False)
    org_path = models.CharField(max_length=255)
    warnings = models.JSONField(default=list, blank=True)  # [{code, reason}] shown when decided
    reason = models.TextField(blank=True)  # why, when deciding against a warning or changing
    previous_level = models.CharField(max_length=10, blank=True)  # calibration: before/after
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False,
                              db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # Copies of the review's campaign and subject ("member", or the organisation's kind), so
    # that statistics read the ratings alone from one covering index instead of joining every
    # rating to its review (docs/benchmarks.md, report statistics). Written with the rating;
    # ratings go with their reviews (CASCADE through `review`), hence DO_NOTHING here.
    campaign = models.ForeignKey(Campaign, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    subject_kind = models.CharField(max_length=20)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["review", "stage"]),
            # every rating under a path (`org_path LIKE 'x%'`)
            models.Index(fields=["org_path"], opclasses=["varchar_pattern_ops"], name="rating_org_path_like_idx"),
            # live decisions of a campaign under a path, with what the statistics count
            models.Index(fields=["campaign", "org_path"], opclasses=["int8_ops", "varchar_pattern_ops"],
                         include=["subject_kind", "level"], condition=Q(stage="decision", cancelled_at__isnull=True),
                         name="rating_live_decision_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["review", "stage"], condition=Q(cancelled_at__isnull=True), name="one_live_rating_per_stage"),
        ]

    def save(self, *args, **kwargs):
        if self.campaign_id is None or not self.subject_kind:
            for _pk, cid, kind in _review_facts([self.review_id]):
                self.campaign_id, self.subject_kind = cid, kind
        super().save(*args, **kwargs)

    @property
    def is_member(self) -> bool:
        return self.subject_kind == MEMBER_SUBJECT


class QuotaRaise(models.Model):
    """A deciding body raising its excellent quota to 25% for a campaign, with the reason."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    body = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "body"], name="one_quota_raise")]
