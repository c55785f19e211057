"""Reads for campaigns and reviews, scoped through organisations.access.

Progress is one GROUP BY (unit path × status × overdue) over the campaign's reviews under the
viewed organisation, rolled up the tree by the path snapshot taken at launch."""
from __future__ import annotations

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from kiemdiem.core import softcache
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kiemdiem.campaigns.choices import Stage
from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Organisation
from kiemdiem.organisations.paths import child_or_root_key

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

    def count(self, status: str, n: int, submitted: int, overdue: int) -> None:
        """Add one grouped row (n reviews in `status`, of which so many submitted, overdue)."""
        self.total += n
        self.by_status[status] += n
        self.submitted += submitted
        self.overdue += overdue


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
    reviews = Review.objects.filter(campaign=campaign, org_path__startswith=root_path)
    counts = {"n": Count("id"), "submitted": Count("id", filter=Q(submitted_at__isnull=False)),
              "overdue": Count("id", filter=overdue_q(campaign, today))}
    tallies: dict[int, Tally] = defaultdict(Tally)
    if levels == 1:
        # the root and its children only (a progress page): grouped in SQL by the child each
        # path lies under, a few rows per child instead of one per organisation of the subtree
        root_id = int(root_path[:-1].rsplit(".", 1)[-1])
        for child, status, n, submitted, overdue in (reviews.annotate(child=child_or_root_key("org_path", root_path))
                                                     .values_list("child", "status").annotate(**counts).order_by()):
            for pk in ((root_id, int(child)) if child else (root_id,)):
                tallies[pk].count(status, n, submitted, overdue)
        return tallies
    root_depth = root_path.count(".")
    # `levels` limits the roll-up to the root and that many levels below it (a progress page
    # needs only the root and its children: half the work on a province)
    stop = None if levels is None else root_depth + levels
    for path, status, n, submitted, overdue in reviews.values_list("org_path", "status").annotate(**counts).order_by():
        parts = path[:-1].split(".")
        for part in parts[root_depth - 1:stop]:
            tallies[int(part)].count(status, n, submitted, overdue)
    return tallies


# --- progress cache -----------------------------------------------------------------------------
#
# A province's progress page is the heaviest page staff open during the December peak (one GROUP
# BY over ~165,000 reviews). Its tallies are kept in the cache (Redis in production) for
# KIEMDIEM_PROGRESS_CACHE_SECONDS, under a per-campaign generation that every status change of a
# review (services._transition), a launch and a change of deadlines bump once committed: a page
# is never older than the last status change it could show, and at most that many seconds
# older otherwise (e.g. after a bulk import). Saving a draft changes no tally and keeps it.

def _generation_key(campaign_id: int) -> str:
    return f"progress-gen:{campaign_id}"


def progress_generation(campaign_id: int) -> int:
    return softcache.get(_generation_key(campaign_id), 0)


def progress_changed(campaign_id: int) -> None:
    """The campaign's tallies change: cached progress is no longer used. Bumped at once and
    again after commit (a page built in between, from the data before the commit, is dropped
    by the second bump)."""
    def bump():
        try:
            cache.incr(_generation_key(campaign_id))
        except ValueError:  # not in the cache (yet, or evicted): any new value will do
            softcache.set(_generation_key(campaign_id), time.time_ns(), None)
        except Exception as exc:  # noqa: BLE001 — the cache is down: what it holds is unreachable too
            softcache._failed("incr", exc)
    bump()
    transaction.on_commit(bump, robust=True)


def cached(campaign: Campaign, name: str, parts: tuple, build):
    """`build()`, kept in the cache under the campaign's progress generation."""
    seconds = settings.KIEMDIEM_PROGRESS_CACHE_SECONDS
    if not seconds:
        return build()
    # "v1": the layout of what is stored (Progress.__getstate__); change it with that layout
    key = ":".join(str(p) for p in ("progress", "v1", name, campaign.pk, progress_generation(campaign.pk), *parts))
    hit = softcache.get(key)
    if hit is None:
        hit = build()
        softcache.set(key, hit, seconds)
    return hit


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
