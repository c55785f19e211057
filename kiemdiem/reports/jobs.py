"""Statistics builds in the background (core.jobs), cached in ReportBuild by data fingerprint.

`current()` answers what a page should show for (organisation, campaign): the finished build
whose fingerprint equals the data's now, or the build under way, or nothing. `start()` makes
(or reuses) the build for the current fingerprint and enqueues its job; a page then polls the
job's progress. Small subtrees are computed in the request instead (`inline_limit()`), so a
GET never writes."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiemdiem.campaigns.models import Campaign
from kiemdiem.core import jobs, softcache
from kiemdiem.core.models import Job
from kiemdiem.organisations.models import Organisation

from . import selectors
from .models import ReportBuild

JOB_KIND = "reports.statistics"


def inline_limit() -> int:
    """Subtrees with at most this many reviews in the campaign are computed in the request."""
    return getattr(settings, "KIEMDIEM_REPORT_INLINE_REVIEWS", 3000)


@dataclass
class State:
    fingerprint: str
    reviews: int
    build: ReportBuild | None  # the build for this fingerprint, if any

    @property
    def ready(self) -> bool:
        return self.build is not None and self.build.ready

    @property
    def running(self) -> bool:
        return (self.build is not None and not self.build.ready and self.build.job is not None
                and not self.build.job.finished)

    @property
    def failed(self) -> bool:
        return (self.build is not None and not self.build.ready and self.build.job is not None
                and self.build.job.status == Job.Status.FAILED)


def fingerprint_ttl() -> int:
    """Seconds a computed fingerprint is reused (Django cache) before the subtree is read
    again: on a province the dozen aggregates read every row of the subtree once (≈1 s), so
    page views within this time trust the last answer. A change shows up after at most this
    long, or at once when someone asks for a build (`fresh=True`). 0 turns it off."""
    return getattr(settings, "KIEMDIEM_REPORT_FINGERPRINT_TTL", 60)


def fingerprint(campaign: Campaign, org: Organisation, fresh: bool = False) -> tuple[str, int]:
    ttl = fingerprint_ttl()
    key = f"reports:fingerprint:{campaign.pk}:{org.pk}:{org.path}"
    if ttl and not fresh:
        hit = softcache.get(key)
        if hit:
            return tuple(hit)
    ids = [c.pk for c in selectors.same_kind_campaigns(campaign, org)]
    found = selectors.fingerprint(campaign, org.path, campaign_ids=ids)
    if ttl:
        softcache.set(key, list(found), ttl)
    return found


def current(campaign: Campaign, org: Organisation, kind: str = ReportBuild.Kind.STATISTICS, fresh: bool = False) -> State:
    digest, reviews = fingerprint(campaign, org, fresh)
    build = (ReportBuild.objects.filter(organisation=org, campaign=campaign, kind=kind, fingerprint=digest)
             .select_related("job").first())
    return State(digest, reviews, build)


def start(user, campaign: Campaign, org: Organisation, state: State | None = None) -> ReportBuild:
    """The build for the data as it is now: the finished or running one if there is one,
    else a new build with its job enqueued."""
    state = state or current(campaign, org)
    if state.ready or state.running:
        return state.build
    with transaction.atomic():
        build = state.build
        if build is None:
            try:
                with transaction.atomic():
                    build = ReportBuild.objects.create(organisation=org, campaign=campaign,
                                                       kind=ReportBuild.Kind.STATISTICS, fingerprint=state.fingerprint)
            except IntegrityError:  # another request made it a moment ago
                return ReportBuild.objects.select_related("job").get(
                    organisation=org, campaign=campaign, kind=ReportBuild.Kind.STATISTICS, fingerprint=state.fingerprint)
        job = jobs.enqueue(JOB_KIND, created_by=user, params={"build_id": build.pk}, total=10, org_path=org.path)
        ReportBuild.objects.filter(pk=build.pk).update(job=job)
    build.refresh_from_db()
    return build


@jobs.job(JOB_KIND)
def run_build(job: Job) -> dict:
    """Compute the statistics for the build; keep only the newest build of each (org,
    campaign, kind). Idempotent: a finished build is left as it is."""
    build = ReportBuild.objects.select_related("organisation", "campaign").get(pk=job.params["build_id"])
    if build.ready:
        return {"build_id": build.pk}
    data = selectors.statistics_data(build.campaign, build.organisation,
                                     report=lambda done, total, message: jobs.report(job, done, total, message))
    now = timezone.now()
    ReportBuild.objects.filter(pk=build.pk).update(data=data, finished_at=now)
    (ReportBuild.objects.filter(organisation=build.organisation, campaign=build.campaign, kind=build.kind,
                                finished_at__isnull=False)
     .exclude(pk=build.pk).delete())
    return {"build_id": build.pk}
