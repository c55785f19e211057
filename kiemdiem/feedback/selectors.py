"""Reads for feedback, scoped through organisations.access and reviews.selectors.

Who may do what:
- staff (MANAGE on the review's unit, by its launch path) request feedback, issue links,
  record paper documents, override the submit gate, moderate the public channel;
- the subject (own review) and staff see the visible points and absorb them;
- a source answers its requests: users with a grant (any role) on the source organisation's
  subtree, or the named member's own user;
- a member gives anonymous feedback once about each peer of their cell (services.peer_can_respond).
Anything outside these reads as "not found" (404); visible but not allowed is 403.

Progress per campaign is one GROUP BY over the requests (launch path x source type) and one
over the anonymous responses, rolled up the tree in Python by the path snapshot: no query per
organisation or per review."""
from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kiemdiem.campaigns.choices import CampaignStatus
from kiemdiem.campaigns.models import Campaign
from kiemdiem.core.text import unaccent
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.reviews import selectors as review_selectors
from kiemdiem.reviews.models import Review

from . import services
from .choices import ANONYMOUS_SOURCES, Absorption, CommentState, RequestStatus, SourceType
from .models import FeedbackPoint, FeedbackRequest, PublicComment, PublicPage, ResponderReceipt

# --- reviews -------------------------------------------------------------------------------


def get_review_staff(user, review_id) -> Review:
    """The review for the staff pages: 404 if not visible, 403 unless MANAGE on its unit (the
    subject of a review does not manage the requests about themselves)."""
    review = review_selectors.get_review(user, review_id)
    if not access.scope_for(user).allows(review.org_path, Action.MANAGE):
        raise PermissionDenied
    return review


def get_review_absorb(user, review_id) -> Review:
    """The review for the absorption page: its subject (own review) or staff."""
    return review_selectors.get_review(user, review_id, Action.MANAGE)


def can_manage_review(user, review: Review) -> bool:
    return access.scope_for(user).allows(review.org_path, Action.MANAGE)


def review_requests(review: Review) -> QuerySet[FeedbackRequest]:
    return (
        FeedbackRequest.objects.filter(review=review)
        .select_related("source_org", "source_member", "response")
        .order_by("source_type", "created_at", "pk")
    )


def points_for(review: Review) -> QuerySet[FeedbackPoint]:
    """Visible points with everything their source label needs, in one query."""
    return services.visible_points(review).select_related(
        "response__request__source_org", "response__request__source_member"
    ).order_by("kind", "pk")


def get_point(user, point_id) -> FeedbackPoint:
    """A point the user may absorb: its review's subject or staff; a point still held back
    (anonymous, below the threshold) does not exist for anyone."""
    try:
        point = FeedbackPoint.objects.select_related("review").get(pk=point_id)
    except (FeedbackPoint.DoesNotExist, ValueError, TypeError):
        raise Http404
    review = get_review_absorb(user, point.review_id)
    if not services.visible_points(review).filter(pk=point.pk).exists():
        raise Http404
    point.review = review
    return point


def held_back_labels(review: Review) -> list[tuple[str, int]]:
    return [(SourceType(g).label, n) for g, n in sorted(services.held_back(review).items())]


# --- answering requests --------------------------------------------------------------------


def responder_q(user) -> Q:
    """Requests the user answers: addressed to an organisation in their subtrees, or to them."""
    scope = access.scope_for(user)
    q = Q(source_org__isnull=False) if scope.superuser else scope.path_q("source_org__path", Action.VIEW)
    if scope.member_id:
        q |= Q(source_member_id=scope.member_id)
    return q


def requests_to_answer(user) -> QuerySet[FeedbackRequest]:
    return (
        FeedbackRequest.objects.filter(responder_q(user), status=RequestStatus.REQUESTED,
                                       review__campaign__status=CampaignStatus.LAUNCHED)
        .select_related("review__campaign", "review__member", "review__subject_org", "review__unit", "source_org",
                        "source_member")
        .order_by("due", "pk")
    )


def can_respond(user, request: FeedbackRequest) -> bool:
    scope = access.scope_for(user)
    if request.source_org_id and scope.allows(request.source_org.path, Action.VIEW):
        return True
    return bool(scope.member_id and request.source_member_id == scope.member_id)


def get_request_to_answer(user, request_id) -> tuple[FeedbackRequest, bool]:
    """The request and whether the user records it as staff (True) or answers as its source.
    404 unless the user is its source or sees the review; 403 if they only see the review."""
    try:
        request = FeedbackRequest.objects.select_related(
            "review__campaign", "review__member", "review__subject_org", "review__unit", "source_org", "source_member"
        ).get(pk=request_id)
    except (FeedbackRequest.DoesNotExist, ValueError, TypeError):
        raise Http404
    scope = access.scope_for(user)
    if can_respond(user, request):
        return request, scope.allows(request.review.org_path, Action.MANAGE)
    if scope.allows(request.review.org_path, Action.MANAGE):
        return request, True
    if scope.allows(request.review.org_path, Action.VIEW):
        raise PermissionDenied
    raise Http404


def get_request_staff(user, request_id) -> FeedbackRequest:
    """A request on a review the user manages (issuing links)."""
    try:
        request = FeedbackRequest.objects.select_related("review__campaign", "review__member",
                                                         "review__subject_org").get(pk=request_id)
    except (FeedbackRequest.DoesNotExist, ValueError, TypeError):
        raise Http404
    access.check_path(user, request.review.org_path, Action.MANAGE)
    return request


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def link_exists(token: str) -> bool:
    """Whether a link's token is known (expired) rather than unknown or already used."""
    return FeedbackRequest.objects.filter(token_hash=token_hash(token)).exists()


# --- peers ---------------------------------------------------------------------------------


def my_member(user) -> Member | None:
    member_id = access.scope_for(user).member_id
    if not member_id:
        return None
    return Member.objects.select_related("organisation").get(pk=member_id)


def peer_reviews(member: Member | None) -> QuerySet[Review]:
    """Reviews in launched campaigns the member may comment on anonymously: the other members
    of their cell, their cell's collective, and collectives they sit in."""
    if member is None:
        return Review.objects.none()
    return (
        Review.objects.filter(campaign__status=CampaignStatus.LAUNCHED)
        .filter(Q(unit_id=member.organisation_id) | Q(participants__member_id=member.pk, member__isnull=True))
        .exclude(member_id=member.pk)
        .select_related("campaign", "member", "subject_org", "unit")
        .defer("content")
        .distinct()
        .order_by("-campaign__period_end", "-campaign_id", "member__sort_key", "pk")
    )


def answered_by(giver: str, reviews: list[Review]) -> set[int]:
    """The reviews (among `reviews`) the giver already commented on: one query on receipts."""
    keys = {services._receipt_key(giver, r, SourceType.PEERS): r.pk for r in reviews}
    found = ResponderReceipt.objects.filter(key__in=list(keys)).values_list("key", flat=True)
    return {keys[k] for k in found}


def get_peer_review(user, review_id) -> tuple[Review, Member]:
    """A peer's review open for anonymous feedback, else 404 (for everyone else it does not
    exist: staff record institutional feedback, not anonymous opinions)."""
    member = my_member(user)
    try:
        review = Review.objects.select_related("campaign", "member", "subject_org", "unit").get(pk=review_id)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404
    if member is None or review.campaign.status != CampaignStatus.LAUNCHED or not services.peer_can_respond(member, review):
        raise Http404
    return review, member


# --- campaign progress -----------------------------------------------------------------------


@dataclass
class Counts:
    requested: int = 0
    answered: int = 0
    overdue: int = 0
    anonymous_shown: int = 0  # anonymous responses in groups past the threshold
    held_back: int = 0  # anonymous responses still held back
    held_reviews: int = 0  # reviews with a group held back

    def add(self, other: "Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def percent_answered(self) -> int:
        return int(100 * self.answered / self.requested) if self.requested else 0


@dataclass
class FeedbackProgress:
    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    total: Counts = field(default_factory=Counts)
    level: int = 0  # 0: the root, 1: directly under it (as at launch), ...


def feedback_progress(campaign: Campaign, root_path: str, today: datetime.date | None = None
                      ) -> dict[int, FeedbackProgress]:
    """Per organisation id under `root_path` (launch paths): counts per source type, rolled up.
    Two statements whatever the size of the subtree."""
    today = today or timezone.localdate()
    rows = (
        FeedbackRequest.objects.filter(review__campaign=campaign, review__org_path__startswith=root_path)
        .exclude(status=RequestStatus.CANCELLED)
        .values_list("review__org_path", "source_type")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=Q(status=RequestStatus.ANSWERED)),
            overdue=Count("id", filter=Q(status=RequestStatus.REQUESTED, due__lt=today)),
        )
        .order_by()
    )
    out: dict[int, FeedbackProgress] = defaultdict(FeedbackProgress)
    depth = root_path.count(".")

    def nodes(path: str):
        for level, part in enumerate(path[:-1].split(".")[depth - 1:]):
            node = out[int(part)]
            node.level = level
            yield node

    for path, source_type, n, answered, overdue in rows:
        c = Counts(requested=n, answered=answered, overdue=overdue)
        for node in nodes(path):
            node.by_type[source_type].add(c)
            node.total.add(c)

    # anonymous responses: per (path, group), how many are shown and how many held back, where
    # "held back" is decided per review and group (fewer than the threshold)
    q = connection.ops.quote_name
    threshold = services.anonymous_threshold()
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT t.org_path, t.grp,
                       SUM(CASE WHEN t.n >= %s THEN t.n ELSE 0 END),
                       SUM(CASE WHEN t.n < %s THEN t.n ELSE 0 END),
                       SUM(CASE WHEN t.n < %s THEN 1 ELSE 0 END)
                FROM (SELECT r.org_path AS org_path, a.{q('group')} AS grp, a.review_id, COUNT(*) AS n
                      FROM feedback_anonymousresponse a JOIN reviews_review r ON r.id = a.review_id
                      WHERE r.campaign_id = %s AND r.org_path LIKE %s
                      GROUP BY r.org_path, a.{q('group')}, a.review_id) t
                GROUP BY t.org_path, t.grp""",
            [threshold, threshold, threshold, campaign.pk, root_path + "%"],
        )
        for path, group, shown, held, held_reviews in cur.fetchall():
            c = Counts(anonymous_shown=int(shown or 0), held_back=int(held or 0), held_reviews=int(held_reviews or 0))
            for node in nodes(path):
                node.by_type[group].add(c)
                node.total.add(c)
    return out


@dataclass
class ProgressRow:
    org: Organisation
    progress: FeedbackProgress


def progress_children(tallies: dict[int, FeedbackProgress]) -> list[ProgressRow]:
    """The organisations directly under the root (as at launch) that have feedback, with their
    tallies: one query for their names."""
    child_ids = [pk for pk, p in tallies.items() if p.level == 1]
    children = Organisation.objects.filter(pk__in=child_ids).only("pk", "name", "code", "path")
    rows = [ProgressRow(c, tallies[c.pk]) for c in children]
    rows.sort(key=lambda r: unaccent(r.org.name))
    return rows


def type_rows(progress: FeedbackProgress) -> list[tuple]:
    """(source type, counts, anonymous?) in the choices' order."""
    return [(t, progress.by_type.get(t.value) or Counts(), t in ANONYMOUS_SOURCES) for t in SourceType]


# --- the public channel --------------------------------------------------------------------


def get_org_managed(user, org_id) -> Organisation:
    return access.get_organisation(user, org_id, Action.MANAGE)


def get_comment_managed(user, comment_id) -> PublicComment:
    try:
        comment = PublicComment.objects.select_related("page__organisation").get(pk=comment_id)
    except (PublicComment.DoesNotExist, ValueError, TypeError):
        raise Http404
    org = comment.page.organisation
    if not access.can(user, Action.VIEW, org):
        raise Http404
    if not access.can(user, Action.MANAGE, org):
        raise PermissionDenied
    return comment


def public_page_of(org: Organisation) -> PublicPage | None:
    return PublicPage.objects.filter(organisation=org).first()


def pending_comments(page: PublicPage | None, number=None, per_page: int = 25):
    qs = PublicComment.objects.filter(page=page, state=CommentState.PENDING).order_by("received_on", "pk") if page else \
        PublicComment.objects.none()
    return Paginator(qs, per_page).get_page(number)


def recent_moderated(page: PublicPage | None, limit: int = 20) -> list[PublicComment]:
    if page is None:
        return []
    return list(
        PublicComment.objects.filter(page=page).exclude(state=CommentState.PENDING)
        .select_related("moderated_by").order_by("-moderated_at", "-pk")[:limit]
    )


def pending_absorption(review: Review) -> int:
    return services.visible_points(review).filter(absorption=Absorption.PENDING).count()
