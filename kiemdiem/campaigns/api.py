"""Campaigns in the JSON API, scoped exactly like the pages (the same view helpers): a campaign
outside the caller's part of the tree is 404, a write beyond the caller's role 403."""
from __future__ import annotations

import datetime
from typing import Optional

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kiemdiem.core.pagination import BoundedPageNumberPagination

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews import selectors
from kiemdiem.reviews.models import Ineligibility

from . import services, views
from .choices import FocusKind, Stage
from .forms import CampaignForm
from .models import Campaign

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    id: int
    title: str
    plan_number: str
    kind: str
    issuer_id: int
    year: int
    quarter: Optional[int]
    period_start: datetime.date
    period_end: datetime.date
    rules_profile: str
    status: str
    launched_at: Optional[datetime.datetime]


class OrgRef(Schema):
    id: int
    code: str
    name: str


class CampaignDetailOut(CampaignOut):
    issuer: OrgRef
    deadlines: dict[str, datetime.date]
    focus_contents: list[str]
    problem_areas: list[str]
    excluded: list[OrgRef]


class CampaignIn(Schema):
    issuer_id: int
    title: str
    kind: str
    year: int
    quarter: Optional[int] = None
    period_start: Optional[datetime.date] = None
    period_end: Optional[datetime.date] = None
    plan_number: str = ""
    rules_profile: str = "qd366-2025"
    deadlines: dict[str, datetime.date] = {}
    focus_contents: list[str] = []
    problem_areas: list[str] = []
    excluded_codes: list[str] = []


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class LaunchOut(Schema):
    job_id: int
    status: str
    counts: dict[str, int] = {}
    summary: str = ""


class TallyOut(Schema):
    total: int
    submitted: int
    done: int
    overdue: int
    percent_done: int
    complete: bool
    by_status: dict[str, int]


class ChildProgressOut(TallyOut):
    id: int
    code: str
    name: str


class StageOut(Schema):
    stage: str
    due: Optional[datetime.date]
    through: Optional[int]


class ProgressOut(Schema):
    organisation: OrgRef
    tally: TallyOut
    children_complete: int
    children_total: int
    children: list[ChildProgressOut]
    stages: list[StageOut]


class IneligibleOut(Schema):
    member_id: int
    member_code: str
    full_name: str
    unit_id: int
    unit_name: str
    reason: str


def _tally(t: selectors.Tally) -> dict:
    return {"total": t.total, "submitted": t.submitted, "done": t.done, "overdue": t.overdue,
            "percent_done": t.percent_done, "complete": t.complete, "by_status": dict(t.by_status)}


def _ref(org: Organisation) -> dict:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _detail(campaign: Campaign) -> dict:
    prefetch_related_objects(
        [campaign], "deadlines", "focus", Prefetch("excluded", queryset=Organisation.objects.order_by("path"))
    )
    data = CampaignOut.from_orm(campaign).dict()
    data.update(
        issuer=_ref(campaign.issuer),
        deadlines={d.stage: d.due for d in campaign.deadlines.all()},
        focus_contents=[f.title for f in campaign.focus.all() if f.kind == FocusKind.CONTENT],
        problem_areas=[f.title for f in campaign.focus.all() if f.kind == FocusKind.PROBLEM_AREA],
        excluded=[_ref(o) for o in campaign.excluded.all()],
    )
    return data


@router.get("/campaigns", response=list[CampaignOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_campaigns(request):
    """Campaigns visible to the caller: issued in or above their part of the tree, or holding
    their own review."""
    return selectors.campaigns_for(request.user)


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut)
def get_campaign(request, campaign_id: int):
    return _detail(views.get_campaign(request.user, campaign_id))


@router.post("/campaigns", response={200: CampaignDetailOut, 400: ErrorOut})
def create_campaign(request, payload: CampaignIn):
    """Create a campaign issued by `issuer_id` (staff or committee there). Nothing is saved
    unless everything is valid."""
    issuer = access.get_organisation(request.user, payload.issuer_id, Action.MANAGE)
    unknown = set(payload.deadlines) - set(Stage.values)
    if unknown:
        detail = _("Bước không hợp lệ: %(stages)s.") % {"stages": ", ".join(sorted(unknown))}
        return Status(400, {"detail": detail, "errors": {"deadlines": [detail]}})
    data = {
        "kind": payload.kind, "title": payload.title, "plan_number": payload.plan_number, "year": payload.year,
        "quarter": payload.quarter or "", "period_start": payload.period_start or "",
        "period_end": payload.period_end or "", "rules_profile": payload.rules_profile,
        "focus_contents": "\n".join(payload.focus_contents), "problem_areas": "\n".join(payload.problem_areas),
        "excluded_codes": "\n".join(payload.excluded_codes),
        **{f"deadline_{stage}": due for stage, due in payload.deadlines.items()},
    }
    form = CampaignForm(data, issuer=issuer)
    if not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        return Status(400, {"detail": " ".join(m for msgs in errors.values() for m in msgs), "errors": errors})
    try:
        campaign = services.campaign_create(actor=request.user, **form.service_kwargs())
    except ValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages), "errors": {"__all__": exc.messages}})
    return Status(200, _detail(campaign))


@router.post("/campaigns/{campaign_id}/launch", response={200: LaunchOut, 400: ErrorOut})
def launch_campaign(request, campaign_id: int):
    """Launch, or launch again to add members and organisations that appeared since (creates
    nothing twice). Runs as a background job; `counts` is filled when it already finished."""
    campaign = views.get_campaign(request.user, campaign_id)
    views.check_manage(request.user, campaign)
    try:
        job = views.start_launch(request.user, campaign)
    except ValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages)})
    return Status(200, {"job_id": job.pk, "status": job.status, "counts": job.result.get("counts", {}),
                        "summary": job.result.get("summary", "")})


@router.get("/campaigns/{campaign_id}/progress", response=ProgressOut)
def campaign_progress(request, campaign_id: int, org_id: Optional[int] = None):
    """Tallies of `org_id` (default: the caller's visible root of the campaign) and of each
    organisation directly under it, rolled up from the reviews' paths at launch."""
    campaign = views.get_campaign(request.user, campaign_id)
    org, path = views.progress_node(request.user, campaign, org_id)
    progress = views.build_progress(campaign, org, path)
    return {
        "organisation": _ref(org),
        "tally": _tally(progress.tally),
        "children_complete": progress.children_complete,
        "children_total": len(progress.children),
        "children": [{**_tally(c.tally), **_ref(c.org)} for c in progress.children],
        "stages": [{"stage": r["stage"].value, "due": r["due"], "through": r["through"]}
                   for r in views.stage_rows(campaign, progress.tally)],
    }


@router.get("/campaigns/{campaign_id}/ineligible", response=list[IneligibleOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def campaign_ineligible(request, campaign_id: int, reason: str = ""):
    """Members left out of the campaign, with the reason, in the caller's part of the tree."""
    campaign = views.get_campaign(request.user, campaign_id)
    qs = (
        Ineligibility.objects.filter(campaign=campaign)
        .filter(access.scope_for(request.user).path_q("org_path"))
        .order_by("org_path", "member__sort_key", "pk")
    )
    if reason:
        qs = qs.filter(reason=reason)
    return qs.values(
        "member_id", "reason", "unit_id",
        member_code=F("member__code"), full_name=F("member__full_name"), unit_name=F("unit__name"),
    )
