"""Reads for campaigns and reviews, scoped through organisations.access.

Progress is one GROUP BY (unit path × status × overdue) over the campaign's reviews under the
viewed organisation, rolled up the tree by the path snapshot taken at launch."""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kiemdiem.campaigns.choices import Stage
from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Organisation

from .choices import DONE, Status
from .models import Review


@dataclass
class Tally:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    submitted: int = 0  # submitted at least once
    overdue: int = 0

    @property
    def done(self) -> int:
        return sum(self.by_status.get(s, 0) for s in DONE)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def percent_done(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def add(self, other: "Tally") -> None:
        self.total += other.total
        self.submitted += other.submitted
        self.overdue += other.overdue
        for k, v in other.by_status.items():
            self.by_status[k] += v


def overdue_q(campaign: Campaign, today: datetime.date | None = None) -> Q:
    """Reviews behind their stage deadline: not yet submitted after the drafts deadline, or not
    accepted after the meetings deadline."""
    today = today or timezone.localdate()
    q = Q(pk__in=[])
    drafts, meetings = campaign.deadline(Stage.DRAFTS), campaign.deadline(Stage.MEETINGS)
    if drafts and today > drafts:
        q |= Q(submitted_at__isnull=True)
    if meetings and today > meetings:
        q |= ~Q(status__in=DONE)
    return q


def progress(campaign: Campaign, root_path: str, today: datetime.date | None = None, levels: int | None = None) -> dict[int, Tally]:
    """Tally per organisation id for every organisation under `root_path` (by launch paths)."""
    rows = (
        Review.objects.filter(campaign=campaign, org_path__startswith=root_path)
        .values_list("org_path", "status")
        .annotate(
            n=Count("id"),
            submitted=Count("id", filter=Q(submitted_at__isnull=False)),
            overdue=Count("id", filter=overdue_q(campaign, today)),
        )
        .order_by()
    )
    tallies: dict[int, Tally] = defaultdict(Tally)
    root_depth = root_path.count(".")
    # `levels` limits the roll-up to the root and that many levels below it (a progress page
    # needs only the root and its children: half the work on a province)
    stop = None if levels is None else root_depth + levels
    for path, status, n, submitted, overdue in rows:
        parts = path[:-1].split(".")
        for part in parts[root_depth - 1:stop]:
            t = tallies[int(part)]
            t.total += n
            t.by_status[status] += n
            t.submitted += submitted
            t.overdue += overdue
    return tallies


def campaigns_for(user) -> QuerySet[Campaign]:
    """Campaigns whose issuer lies in the user's subtrees, or that cover them (an issuer above
    a unit the user sees), plus those the user's own reviews belong to."""
    scope = access.scope_for(user)
    if scope.superuser:
        return Campaign.objects.all()
    q = Q(pk__in=[])
    for prefix in scope.prefixes(Action.VIEW):
        q |= Q(issuer_path__startswith=prefix)
        # campaigns issued above the user's subtree also reach it
        ancestors = [prefix[: i + 1] for i, ch in enumerate(prefix) if ch == "."]
        q |= Q(issuer_path__in=ancestors)
    if scope.member_id:
        q |= Q(reviews__member_id=scope.member_id)
    return Campaign.objects.filter(q).distinct()


def get_campaign(user, pk) -> Campaign:
    try:
        return campaigns_for(user).get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404


def visible_root(user, campaign: Campaign, org: Organisation | None) -> Organisation:
    """The organisation whose progress the user looks at: `org` if given (must be visible),
    else the issuer if visible, else the user's first granted node under the issuer."""
    if org is not None:
        return org
    scope = access.scope_for(user)
    if scope.allows(campaign.issuer.path):
        return campaign.issuer
    for prefix in scope.prefixes(Action.VIEW):
        if prefix.startswith(campaign.issuer_path):
            return Organisation.objects.get(path=prefix)
    raise Http404


def reviews_visible(user, action: Action = Action.VIEW) -> QuerySet[Review]:
    """Reviews held in the user's subtrees (by launch path), plus the user's own."""
    scope = access.scope_for(user)
    q = scope.path_q("org_path", action)
    if action == Action.VIEW and scope.member_id:
        q |= Q(member_id=scope.member_id)
    return Review.objects.filter(q)


def get_review(user, pk, action: Action = Action.VIEW) -> Review:
    """The review if visible (404 otherwise); 403 when visible but `action` is not allowed.
    A member may edit their own review (MANAGE on their own); a leader taking part in a
    collective review may view it."""
    from django.core.exceptions import PermissionDenied

    try:
        review = Review.objects.select_related("campaign", "member", "subject_org", "unit").get(pk=pk)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404
    scope = access.scope_for(user)
    own = scope.member_id is not None and review.member_id == scope.member_id
    if not (own or scope.allows(review.org_path, Action.VIEW) or is_participant(user, review)):
        raise Http404
    if action == Action.VIEW:
        return review
    if action == Action.MANAGE and own:
        return review
    if not scope.allows(review.org_path, action):
        raise PermissionDenied
    return review


def is_participant(user, review: Review) -> bool:
    """A leader taking part in a collective review reads its draft (and comments on it)."""
    member_id = access.scope_for(user).member_id
    return bool(member_id and review.is_collective and review.participants.filter(member_id=member_id).exists())


def my_reviews(user) -> QuerySet[Review]:
    member_id = access.scope_for(user).member_id
    if not member_id:
        return Review.objects.none()
    return (
        Review.objects.filter(member_id=member_id)
        .select_related("campaign", "unit")
        .prefetch_related("campaign__deadlines")
        .order_by("-campaign__period_end")
    )


def leader_collectives(user) -> QuerySet[Review]:
    """Collective reviews the user's member takes part in as a leader."""
    member_id = access.scope_for(user).member_id
    if not member_id:
        return Review.objects.none()
    return Review.objects.filter(participants__member_id=member_id).select_related("campaign", "subject_org")
