"""Pages for review campaigns: list, create, detail, launch, the ineligible, progress and
reminders. Each view reads top to bottom: the campaign through reviews.selectors (404 for
outsiders), organisations through organisations.access (404 outside, 403 beyond the role),
writes through services and jobs.

Progress is one GROUP BY (selectors.progress) plus a constant handful of queries, whatever the
size of the subtree: the page never asks anything per organisation or per review."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, F, Prefetch, Value, When, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kiemdiem.core import jobs
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews import selectors
from kiemdiem.reviews.choices import DONE, IneligibleReason, Status
from kiemdiem.reviews.models import Ineligibility, Review
from kiemdiem.reviews.reminders import launch_path, review_url

from . import services
from .choices import CampaignStatus, FocusKind, Stage
from .forms import CampaignForm
from .models import Campaign

CAMPAIGNS_PER_PAGE = 25
INELIGIBLE_PER_PAGE = 50
REVIEWS_PER_PAGE = 50
CHILDREN_PER_PAGE = 100


# --- shared with the API -------------------------------------------------------------------

def get_campaign(user, campaign_id) -> Campaign:
    """The campaign if visible (404 otherwise), with its deadlines loaded once (overdue_q and
    the deadline table read them without further queries)."""
    campaign = selectors.get_campaign(user, campaign_id)
    prefetch_related_objects([campaign], "deadlines")
    return campaign


def can_manage(user, campaign: Campaign) -> bool:
    return access.can(user, Action.MANAGE, campaign.issuer)


def check_manage(user, campaign: Campaign) -> None:
    if not can_manage(user, campaign):
        raise PermissionDenied


def start_launch(user, campaign: Campaign):
    """Launch (or re-launch) as a background job; returns the Job."""
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("Đợt kiểm điểm đã kết thúc, không thể triển khai thêm."))
    return jobs.enqueue("campaigns.launch", created_by=user, params={"campaign_id": campaign.pk},
                        total=1, org_path=campaign.issuer_path)


def progress_node(user, campaign: Campaign, org_id=None, action: Action = Action.VIEW) -> tuple[Organisation, str]:
    """The organisation whose progress is shown and its path at launch: `org_id` if the user
    sees it (404 otherwise; 403 if visible but `action` is not allowed), else the user's
    visible root of the campaign. Outside the campaign's scope: 404."""
    if org_id in (None, ""):
        org = selectors.visible_root(user, campaign, None)
    else:
        org = access.get_organisation(user, org_id)
    path = launch_path(campaign, org)
    if not path.startswith(campaign.issuer_path):
        raise Http404
    if not access.can(user, action, org):
        raise PermissionDenied
    return org, path


def _name_key(key: str):
    """Natural order of an unaccented name ("chi bo 2" before "chi bo 10")."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key)]


@dataclass(frozen=True)
class OrgRow:
    """What the progress table shows of an organisation (no model instances for 1,500 rows)."""

    pk: int
    code: str
    name: str

    @property
    def id(self) -> int:
        return self.pk


@dataclass
class ChildRow:
    org: OrgRow
    tally: selectors.Tally
    review_id: int

    @property
    def complete(self) -> bool:
        return self.tally.complete


@dataclass
class Progress:
    org: Organisation
    path: str
    tally: selectors.Tally
    children: list[ChildRow]
    here: selectors.Tally  # reviews held at the organisation itself (its collective, its members)
    computed_at: datetime.datetime = field(default_factory=timezone.now)  # shown: the tallies may be cached

    # cached as plain tuples (the progress cache): unpickling 1,500 nested dataclasses for a
    # province cost ~8 ms a page, tuples a fraction of it
    def __getstate__(self):
        return {"org": self.org, "path": self.path, "tally": _tally_state(self.tally), "here": _tally_state(self.here),
                "children": [(c.org.pk, c.org.code, c.org.name, c.review_id, _tally_state(c.tally)) for c in self.children],
                "computed_at": self.computed_at}

    def __setstate__(self, state):
        self.org, self.path, self.computed_at = state["org"], state["path"], state["computed_at"]
        self.tally, self.here = _tally_from(state["tally"]), _tally_from(state["here"])
        self.children = [ChildRow(OrgRow(pk, code, name), _tally_from(t), review_id)
                         for pk, code, name, review_id, t in state["children"]]

    @property
    def children_complete(self) -> int:
        return sum(1 for c in self.children if c.complete)

    @property
    def children_overdue(self) -> int:
        return sum(1 for c in self.children if c.tally.overdue)


def _tally_state(t: selectors.Tally) -> tuple:
    return t.total, t.submitted, t.overdue, dict(t.by_status)


def _tally_from(state: tuple) -> selectors.Tally:
    t = selectors.Tally(total=state[0], submitted=state[1], overdue=state[2])
    t.by_status.update(state[3])
    return t


def children_rows(campaign: Campaign, rows) -> str:
    """The rows of the children's table, made here rather than by the template: a province
    shows 100 of its ~1,500 units per page, and the template engine spent ~30 ms on them."""
    link = escape(reverse("campaign_progress_org", args=[campaign.pk, 0])[:-2])  # ".../progress/" + id + "/"
    sep, grouping = formats.get_format("THOUSAND_SEPARATOR"), formats.get_format("NUMBER_GROUPING")

    def num(n: int) -> str:  # as the template's intcomma (tested against it)
        if grouping == 3:
            return f"{n:,}".replace(",", sep)
        if not grouping:  # e.g. Django's Vietnamese formats
            return str(n)
        return formats.number_format(n, use_l10n=True, force_grouping=True)

    done_badge = format_html('<span class="badge ok">{}</span>', _("Hoàn thành"))
    overdue = _("%(n)s quá hạn")
    out = []
    for c in rows:  # ids and numbers are ints; the name and the messages are escaped
        t = c.tally
        if c.complete:
            badge = done_badge
        elif t.overdue:
            badge = f'<span class="badge warn">{escape(overdue % {"n": t.overdue})}</span>'
        else:
            badge = ""
        out.append(f'<tr data-org="{int(c.org.pk)}"><td><a href="{link}{int(c.org.pk)}/">{escape(c.org.name)}</a></td>'
                   f'<td class="num hide-sm">{num(t.total)}</td><td class="num hide-sm">{num(t.submitted)}</td>'
                   f'<td class="num">{num(t.done)}</td><td class="num">{int(t.percent_done)}%</td><td>{badge}</td></tr>')
    return mark_safe("".join(out))


def cached_progress(campaign: Campaign, org: Organisation, path: str) -> Progress:
    """`build_progress` for today, through the progress cache (reviews.selectors.cached): the
    same tallies until a review of the campaign changes status, for a few seconds at most."""
    today = timezone.localdate()
    drafts, meetings = campaign.deadline(Stage.DRAFTS), campaign.deadline(Stage.MEETINGS)
    return selectors.cached(campaign, "page", (path, today, drafts, meetings),
                            lambda: build_progress(campaign, org, path, today))


def build_progress(campaign: Campaign, org: Organisation, path: str, today=None) -> Progress:
    """Tally of `org` and of each organisation directly under it (as at launch): one GROUP BY
    and one read of the children's collective reviews."""
    tallies = selectors.progress(campaign, path, today, levels=1)
    pattern = "^" + re.escape(path) + r"[0-9]+\.$"
    child_reviews = (
        Review.objects.filter(campaign=campaign, subject_org__isnull=False, org_path__startswith=path,
                              org_path__regex=pattern)
        .values_list("pk", "subject_org_id", "subject_org__code", "subject_org__name", "subject_org__search_key")
        .order_by()
    )
    rows = sorted(child_reviews, key=lambda row: _name_key(row[4]))  # the stored unaccented name: by name
    children = [
        ChildRow(OrgRow(org_id, code, name), tallies.get(org_id) or selectors.Tally(), review_id)
        for review_id, org_id, code, name, _key in rows
    ]
    total = tallies.get(org.pk) or selectors.Tally()
    here = selectors.Tally()
    here.add(total)
    for child in children:
        here.total -= child.tally.total
        here.submitted -= child.tally.submitted
        here.overdue -= child.tally.overdue
        for k, v in child.tally.by_status.items():
            here.by_status[k] -= v
    return Progress(org=org, path=path, tally=total, children=children, here=here)


def stage_rows(campaign: Campaign, tally: selectors.Tally) -> list[dict]:
    """Each stage with its deadline; the stages the reviews record show how many are through."""
    deadlines = {d.stage: d.due for d in campaign.deadlines.all()}
    rows = []
    for stage in Stage:
        through = None
        if stage == Stage.DRAFTS:
            through = tally.submitted
        elif stage == Stage.MEETINGS:
            through = tally.done
        rows.append({"stage": stage, "due": deadlines.get(stage), "through": through, "total": tally.total})
    return rows


def status_rows(tally: selectors.Tally) -> list[tuple]:
    return [(status, tally.by_status.get(status, 0)) for status in Status]


# --- pages -----------------------------------------------------------------------------------

@login_required
def campaign_list(request):
    qs = selectors.campaigns_for(request.user).select_related("issuer")
    page = Paginator(qs, CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    scope = access.scope_for(request.user)
    if scope.superuser:
        issuers = Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True)
    else:
        issuers = Organisation.objects.filter(path__in=scope.prefixes(Action.MANAGE), dissolved__isnull=True)
    return render(request, "campaigns/list.html", {"page": page, "issuers": issuers})


@login_required
def campaign_create(request, org_id: int):
    issuer = access.get_organisation(request.user, org_id, Action.MANAGE)
    form = CampaignForm(request.POST or None, issuer=issuer)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo đợt kiểm điểm “%(title)s”.") % {"title": campaign.title})
            return redirect("campaign_detail", campaign.pk)
    return render(request, "campaigns/create.html", {"issuer": issuer, "form": form})


@login_required
def campaign_detail(request, campaign_id: int):
    campaign = get_campaign(request.user, campaign_id)
    prefetch_related_objects([campaign], "focus", Prefetch("excluded", queryset=Organisation.objects.order_by("path")))
    scope = access.scope_for(request.user)
    has_progress = scope.allows(campaign.issuer_path) or any(
        p.startswith(campaign.issuer_path) for p in scope.prefixes(Action.VIEW)
    )
    my_review = None
    if scope.member_id:
        my_review = Review.objects.filter(campaign=campaign, member_id=scope.member_id, leadership="").values_list("pk", flat=True).first()
    ineligible = Ineligibility.objects.filter(campaign=campaign).filter(scope.path_q("org_path")).count()
    context = {
        "campaign": campaign,
        "contents": [f for f in campaign.focus.all() if f.kind == FocusKind.CONTENT],
        "areas": [f for f in campaign.focus.all() if f.kind == FocusKind.PROBLEM_AREA],
        "deadlines": [{"stage": s, "due": campaign.deadline(s)} for s in Stage],
        "can_manage": can_manage(request.user, campaign),
        "has_progress": has_progress,
        "sees_issuer": scope.allows(campaign.issuer_path),
        "my_review_url": review_url(my_review) if my_review else None,
        "ineligible_count": ineligible,
    }
    return render(request, "campaigns/detail.html", context)


@login_required
@require_POST
def campaign_launch(request, campaign_id: int):
    campaign = get_campaign(request.user, campaign_id)
    check_manage(request.user, campaign)
    try:
        job = start_launch(request.user, campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("campaign_detail", campaign.pk)
    return redirect("job_detail", job.pk)


@login_required
def campaign_ineligible(request, campaign_id: int):
    campaign = get_campaign(request.user, campaign_id)
    scope = access.scope_for(request.user)
    qs = (
        Ineligibility.objects.filter(campaign=campaign)
        .filter(scope.path_q("org_path"))
        .select_related("member", "unit")
        .order_by("org_path", "member__sort_key", "pk")
    )
    reason = request.GET.get("reason", "")
    if reason in IneligibleReason.values:
        qs = qs.filter(reason=reason)
    else:
        reason = ""
    page = Paginator(qs, INELIGIBLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "campaigns/ineligible.html", {
        "campaign": campaign, "page": page, "reason": reason, "reasons": IneligibleReason.choices,
    })


def _progress_page(request, campaign: Campaign, org_id):
    org, path = progress_node(request.user, campaign, org_id)
    progress = cached_progress(campaign, org, path)
    # reviews held at this organisation: its collective review, then its own members by name
    held = (
        Review.objects.filter(campaign=campaign, org_path=path)
        .select_related("member", "subject_org")
        .defer("content")
        .annotate(
            is_overdue=Case(When(selectors.overdue_q(campaign), then=Value(True)), default=Value(False),
                            output_field=BooleanField())
        )
        # the collective review (no member) first, then the members by name, on both engines
        .order_by(F("member__sort_key").asc(nulls_first=True), "pk")
    )
    held_page = Paginator(held, REVIEWS_PER_PAGE).get_page(request.GET.get("page")) if progress.here.total else None
    # a province has some 1,500 organisations directly under it: the table is paged, and can
    # put the units furthest behind first or show only those with overdue reviews
    children = progress.children
    sort = request.GET.get("sort", "")
    if sort == "behind":
        children = sorted(children, key=lambda c: (c.tally.percent_done, -c.tally.overdue))
    else:
        sort = ""
    only_overdue = bool(request.GET.get("overdue"))
    if only_overdue:
        children = [c for c in children if c.tally.overdue]
    children_page = Paginator(children, CHILDREN_PER_PAGE).get_page(request.GET.get("cpage"))
    children_html = children_rows(campaign, children_page)
    ancestors = list(
        access.organisations(request.user)
        .filter(pk__in=org.ancestor_ids(), path__startswith=campaign.issuer_path)
        .order_by("depth")
    )
    context = {
        "campaign": campaign,
        "org": org,
        "progress": progress,
        "ancestors": ancestors,
        "stages": stage_rows(campaign, progress.tally),
        "statuses": status_rows(progress.tally),
        "held_page": held_page,
        "children_page": children_page,
        "children_html": children_html,
        "sort": sort,
        "only_overdue": only_overdue,
        "DONE": DONE,
        "can_remind": access.can(request.user, Action.MANAGE, org),
    }
    return render(request, "campaigns/progress.html", context)


@login_required
def campaign_progress(request, campaign_id: int):
    campaign = get_campaign(request.user, campaign_id)
    return _progress_page(request, campaign, request.GET.get("org"))


@login_required
def campaign_progress_org(request, campaign_id: int, org_id: int):
    campaign = get_campaign(request.user, campaign_id)
    return _progress_page(request, campaign, org_id)


@login_required
@require_POST
def campaign_remind(request, campaign_id: int, org_id: int):
    """Remind those behind under the organisation, as a background job (a province is some
    100,000 people); the job page reports what was sent."""
    campaign = get_campaign(request.user, campaign_id)
    org, _path = progress_node(request.user, campaign, org_id, Action.MANAGE)
    job = jobs.enqueue("campaigns.remind", created_by=request.user, total=1, org_path=org.path,
                       params={"campaign_id": campaign.pk, "org_id": org.pk})
    return redirect("job_detail", job.pk)
