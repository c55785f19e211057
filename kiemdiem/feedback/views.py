"""Pages for feedback (góp ý): staff request it and follow its progress, sources answer it (with
an account, or through a single-use link), peers give it anonymously, the subject absorbs it
into the report, and citizens write on an organisation's public opinion page.

Each view reads top to bottom: objects through `selectors` (404 outside the user's part of the
tree, 403 when visible but not allowed), writes through `services`."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kiemdiem.campaigns.choices import CampaignStatus
from kiemdiem.campaigns.models import Campaign
from kiemdiem.campaigns.views import get_campaign, progress_node
from kiemdiem.core import audit
from kiemdiem.core.text import unaccent
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.reviews.choices import EDITABLE, Form, sections_for
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.views import title_of

from . import selectors, services
from .choices import ANONYMOUS_SOURCES, PointKind, RequestStatus, SourceType
from .forms import (
    AbsorbForm,
    BulkRequestForm,
    ModerateForm,
    OverrideForm,
    PointsForm,
    PublicCommentForm,
    PublicPageForm,
    RequestForm,
    form_stamp,
    points_with_extra_row,
    seconds_on_form,
)
from .models import GateOverride, PublicPage

REQUESTS_PER_PAGE = 25
PEERS_PER_PAGE = 25


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


def subject_name(review: Review) -> str:
    if review.is_collective:
        return _("Tập thể %(name)s") % {"name": review.subject_org.name}
    return review.member.full_name


def _points_form(request, *, attributed: bool):
    """The points form for a GET or POST; on "Thêm dòng" an unbound copy with one more row
    (nothing is saved). Returns (form, adding_row)."""
    if request.method != "POST":
        return PointsForm(attributed=attributed), False
    if "add_row" in request.POST:
        initial = {k: v for k, v in request.POST.dict().items() if k not in ("rows", "csrfmiddlewaretoken")}
        return PointsForm(initial=initial, attributed=attributed, rows=points_with_extra_row(request.POST)), True
    return PointsForm(request.POST, attributed=attributed), False


def _render_points_form(request, template: str, context: dict, adding_row: bool, status: int = 200):
    """htmx asks only for the rows when a row is added."""
    if adding_row and getattr(request, "htmx", False):
        return render(request, "feedback/partials/point_rows.html", context)
    return render(request, template, context, status=status)


# --- staff: one review's requests ------------------------------------------------------------


def _review_page_context(request, review: Review, form=None, override_form=None) -> dict:
    return {
        "review": review,
        "title": title_of(review),
        "subject": subject_name(review),
        "requests": list(selectors.review_requests(review)),
        "form": form or RequestForm(user=request.user),
        "override": GateOverride.objects.filter(review=review).select_related("by").first(),
        "override_form": override_form or OverrideForm(),
        "visible": services.visible_points(review).count(),
        "pending": selectors.pending_absorption(review),
        "held_back": selectors.held_back_labels(review),
        "threshold": services.anonymous_threshold(),
        "today": timezone.localdate(),
        "RequestStatus": RequestStatus,
        "anonymous_sources": ANONYMOUS_SOURCES,  # never show a signature on an anonymous source
    }


@login_required
def feedback_review(request, review_id: int):
    review = selectors.get_review_staff(request.user, review_id)
    return render(request, "feedback/review.html", _review_page_context(request, review))


@login_required
@require_POST
def feedback_request_create(request, review_id: int):
    review = selectors.get_review_staff(request.user, review_id)
    form = RequestForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.request_create(actor=request.user, review=review, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã gửi đề nghị góp ý."))
            return redirect("feedback_review", review.pk)
    return render(request, "feedback/review.html", _review_page_context(request, review, form=form), status=400)


@login_required
@require_POST
@never_cache
def feedback_issue_link(request, request_id: int):
    """Issue a single-use link and show it this once (only its hash is stored)."""
    req = selectors.get_request_staff(request.user, request_id)
    if req.status != RequestStatus.REQUESTED:
        messages.error(request, _("Đề nghị góp ý này đã được trả lời."))
        return redirect("feedback_review", req.review_id)
    token = services.issue_link(actor=request.user, request=req)
    url = request.build_absolute_uri(reverse("feedback_link", args=[token]))
    req.refresh_from_db(fields=["token_expires"])
    context = {"req": req, "review": req.review, "subject": subject_name(req.review), "url": url}
    return render(request, "feedback/link_issued.html", context)


@login_required
@require_POST
def feedback_override(request, review_id: int):
    review = selectors.get_review_staff(request.user, review_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_gate(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã cho phép nộp báo cáo khi còn ý kiến chưa tiếp thu (đã ghi nhật ký)."))
            return redirect("feedback_review", review.pk)
    context = _review_page_context(request, review, override_form=form)
    return render(request, "feedback/review.html", context, status=400)


# --- staff: a campaign's feedback, rolled up -------------------------------------------------


def _campaign_page(request, campaign: Campaign, org_id):
    org, path = progress_node(request.user, campaign, org_id)
    tallies = selectors.feedback_progress(campaign, path)
    here = tallies.get(org.pk) or selectors.FeedbackProgress()
    ancestors = list(
        access.organisations(request.user)
        .filter(pk__in=org.ancestor_ids(), path__startswith=campaign.issuer_path)
        .order_by("depth")
    )
    can_bulk = access.can(request.user, Action.MANAGE, org)
    context = {
        "campaign": campaign,
        "org": org,
        "ancestors": ancestors,
        "here": here,
        "types": selectors.type_rows(here),
        "children": selectors.progress_children(tallies),
        "threshold": services.anonymous_threshold(),
        "bulk_form": BulkRequestForm() if can_bulk and campaign.status == CampaignStatus.LAUNCHED else None,
    }
    return render(request, "feedback/campaign.html", context)


@login_required
def feedback_campaign(request, campaign_id: int):
    campaign = get_campaign(request.user, campaign_id)
    return _campaign_page(request, campaign, None)


@login_required
def feedback_campaign_org(request, campaign_id: int, org_id: int):
    campaign = get_campaign(request.user, campaign_id)
    return _campaign_page(request, campaign, org_id)


def bulk_reviews(campaign: Campaign, path: str, kind: str):
    """The reviews under `path` that a bulk request of `kind` addresses, and the source type."""
    reviews = Review.objects.filter(campaign=campaign, org_path__startswith=path)
    if kind == "leaders_residence":
        return reviews.filter(form=Form.LEADER), SourceType.RESIDENCE_CELL
    if kind == "members_workplace":
        return reviews.filter(member__isnull=False), SourceType.WORKPLACE_CELL
    return reviews.filter(subject_org__isnull=False), SourceType.SUPERIOR


@login_required
@require_POST
def feedback_bulk(request, campaign_id: int, org_id: int):
    campaign = get_campaign(request.user, campaign_id)
    org, path = progress_node(request.user, campaign, org_id, Action.MANAGE)
    form = BulkRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chọn loại đề nghị góp ý hàng loạt."))
    elif campaign.status != CampaignStatus.LAUNCHED:
        messages.error(request, _("Đợt kiểm điểm chưa triển khai hoặc đã kết thúc."))
    else:
        reviews, source_type = bulk_reviews(campaign, path, form.cleaned_data["kind"])
        try:
            n = services.requests_bulk(actor=request.user, reviews=reviews, source_type=source_type,
                                       due=form.cleaned_data.get("due"))
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Đã gửi %(n)d đề nghị góp ý mới.") % {"n": n})
    return redirect("feedback_campaign_org", campaign.pk, org.pk)


# --- sources: requests to answer, peers ------------------------------------------------------


@login_required
def feedback_mine(request):
    page = Paginator(selectors.requests_to_answer(request.user), REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    member = selectors.my_member(request.user)
    peers = Paginator(selectors.peer_reviews(member), PEERS_PER_PAGE).get_page(request.GET.get("peers"))
    done = selectors.answered_by(f"user:{request.user.pk}", list(peers)) if member else set()
    context = {
        "page": page,
        "peers": peers,
        "done": done,
        "member": member,
        "today": timezone.localdate(),
    }
    return render(request, "feedback/mine.html", context)


def _after_response(request, req, as_staff: bool):
    """Staff recording a document go back to the review's requests; a source to its list."""
    if as_staff and not selectors.can_respond(request.user, req):
        return redirect("feedback_review", req.review_id)
    return redirect("feedback_mine")


@login_required
def feedback_respond(request, request_id: int):
    """A source answers (or staff record a paper document for) one request."""
    req, as_staff = selectors.get_request_to_answer(request.user, request_id)
    if req.status != RequestStatus.REQUESTED:
        messages.info(request, _("Đề nghị góp ý này đã được trả lời."))
        return _after_response(request, req, as_staff)
    form, adding = _points_form(request, attributed=True)
    if request.method == "POST" and not adding and form.is_valid():
        d = form.cleaned_data
        try:
            services.respond(actor=request.user, request=req, points=d["points"], signed_as=d.get("signed_as", ""),
                             document_ref=d.get("document_ref", ""))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã gửi ý kiến góp ý. Cảm ơn đồng chí."))
            return _after_response(request, req, as_staff)
    context = {"req": req, "review": req.review, "subject": subject_name(req.review), "form": form,
               "as_staff": as_staff, "action": reverse("feedback_respond", args=[req.pk])}
    return _render_points_form(request, "feedback/respond.html", context, adding,
                               status=400 if request.method == "POST" and not adding else 200)


@login_required
def feedback_anonymous(request, review_id: int):
    """A member's anonymous feedback on a peer: once, untraceable (see services)."""
    review, _member = selectors.get_peer_review(request.user, review_id)
    giver = f"user:{request.user.pk}"
    already = review.pk in selectors.answered_by(giver, [review])
    form, adding = _points_form(request, attributed=False)
    if request.method == "POST" and not adding and not already and form.is_valid():
        try:
            services.respond_anonymously(giver=giver, review=review, group=SourceType.PEERS,
                                         points=form.cleaned_data["points"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi nhận ý kiến góp ý ẩn danh của đồng chí."))
            return redirect("feedback_mine")
    status = 200
    if request.method == "POST" and not adding:
        status = 409 if already else 400
    context = {"review": review, "subject": subject_name(review), "form": form, "already": already,
               "threshold": services.anonymous_threshold(),
               "action": reverse("feedback_anonymous", args=[review.pk])}
    return _render_points_form(request, "feedback/anonymous.html", context, adding, status=status)


# --- the single-use link (no login) ------------------------------------------------------------


@never_cache
def feedback_link(request, token: str):
    try:
        req = services.request_for_token(token)
    except ValidationError as exc:
        # a known but expired link is "gone"; an unknown or already used one "not found"
        status = 410 if selectors.link_exists(token) else 404
        return render(request, "feedback/link_invalid.html", {"message": exc.messages[0]}, status=status)
    form, adding = _points_form(request, attributed=True)
    if request.method == "POST" and not adding and form.is_valid():
        d = form.cleaned_data
        try:
            services.respond_with_token(token=token, points=d["points"], signed_as=d.get("signed_as", ""),
                                        document_ref=d.get("document_ref", ""))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "feedback/link_thanks.html", {"req": req})
    context = {"req": req, "review": req.review, "subject": subject_name(req.review), "form": form,
               "action": request.path, "public": True}
    # The token is in the URL: the site-wide Referrer-Policy "same-origin" keeps it from other
    # sites ("no-referrer" would make browsers send "Origin: null" and fail the CSRF check).
    return _render_points_form(request, "feedback/link.html", context, adding,
                               status=400 if request.method == "POST" and not adding else 200)


# --- absorption ------------------------------------------------------------------------------


def _point_rows(review: Review, points) -> list[tuple]:
    """Each point with its absorption form (and the label of the section it went into)."""
    labels = dict(_section_labels(review))
    rows = []
    for p in points:
        p.section_label = labels.get(p.section, "")
        rows.append((p, AbsorbForm(review=review, initial={"absorption": p.absorption, "section": p.section,
                                                           "explanation": p.explanation})))
    return rows


@login_required
def feedback_points(request, review_id: int):
    review = selectors.get_review_absorb(request.user, review_id)
    points = list(selectors.points_for(review))
    context = {
        "review": review,
        "title": title_of(review),
        "subject": subject_name(review),
        "rows": _point_rows(review, points),
        "held_back": selectors.held_back_labels(review),
        "threshold": services.anonymous_threshold(),
        "editable": review.status in EDITABLE,
        "is_staff": selectors.can_manage_review(request.user, review),
        "pending": sum(1 for p in points if p.absorption == "pending"),
    }
    return render(request, "feedback/points.html", context)


def _section_labels(review: Review):
    return [(code, str(label)) for code, label in sections_for(review.form)]


@login_required
@require_POST
def feedback_absorb(request, point_id: int):
    point = selectors.get_point(request.user, point_id)
    review = point.review
    form = AbsorbForm(request.POST, review=review)
    error = ""
    if review.status not in EDITABLE:
        error = _("Báo cáo đang ở trạng thái “%(s)s”, không thể sửa.") % {"s": review.get_status_display()}
    elif form.is_valid():
        d = form.cleaned_data
        try:
            services.absorb(actor=request.user, point=point, absorption=d["absorption"], section=d.get("section") or "",
                            explanation=d.get("explanation") or "")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Dữ liệu không hợp lệ.")
    if getattr(request, "htmx", False):
        point, fresh_form = _point_rows(review, [selectors.points_for(review).get(pk=point.pk)])[0]
        context = {"p": point, "f": form if error else fresh_form, "error": error, "review": review,
                   "editable": review.status in EDITABLE}
        return render(request, "feedback/partials/point_row.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Đã cập nhật việc tiếp thu, giải trình ý kiến."))
    return redirect(reverse("feedback_points", args=[review.pk]) + f"#point-{point.pk}")


# --- the public opinion channel ----------------------------------------------------------------


def _visitor_key(request) -> str:
    # used only for the hourly limit in the cache; never stored in the database
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@never_cache
def public_page(request, slug: str):
    page = get_object_or_404(PublicPage.objects.select_related("organisation"), slug=slug)
    status = 200
    if request.method == "POST" and page.is_open:
        form = PublicCommentForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.public_comment_submit(
                    page=page, text=d["text"], visitor_key=_visitor_key(request), honeypot=d.get("website", ""),
                    seconds_on_form=seconds_on_form(d.get("ts", "")),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                flood = _("Bạn đã gửi quá nhiều góp ý trong một giờ; vui lòng thử lại sau.")
                status = 429 if flood in exc.messages else 400
            else:
                return redirect("public_thanks", page.slug)
        else:
            status = 400
        # a fresh stamp, so a person who fixes the text is not refused as "too fast" forever
        form.data = form.data.copy()
        form.data["ts"] = form_stamp()
    else:
        form = PublicCommentForm(initial={"ts": form_stamp()})
    return render(request, "feedback/public.html", {"page": page, "form": form}, status=status)


def public_thanks(request, slug: str):
    page = get_object_or_404(PublicPage, slug=slug)
    return render(request, "feedback/public_thanks.html", {"page": page})


def _moderation_context(request, org, page, settings_form=None) -> dict:
    return {
        "org": org,
        "page": page,
        "pending": selectors.pending_comments(page, request.GET.get("page")),
        "recent": selectors.recent_moderated(page),
        "settings_form": settings_form or PublicPageForm(instance=page, initial=None if page else {
            "slug": slugify(unaccent(org.name)), "title": _("Góp ý của nhân dân về %(name)s") % {"name": org.name},
            "is_open": True}),
        "review": services.current_collective_review(org),
        "public_url": request.build_absolute_uri(reverse("public_page", args=[page.slug])) if page else "",
    }


@login_required
def public_moderation(request, org_id: int):
    org = selectors.get_org_managed(request.user, org_id)
    page = selectors.public_page_of(org)
    return render(request, "feedback/moderation.html", _moderation_context(request, org, page))


@login_required
@require_POST
def public_page_settings(request, org_id: int):
    """Create the organisation's public page, or change it (open, close, retitle); audited."""
    org = selectors.get_org_managed(request.user, org_id)
    page = selectors.public_page_of(org)
    form = PublicPageForm(request.POST, instance=page)
    if form.is_valid():
        with transaction.atomic():
            before = audit.snapshot(page, ["slug", "title", "intro", "is_open"]) if page else {}
            saved = form.save(commit=False)
            saved.organisation = org
            saved.save()
            after = audit.snapshot(saved, ["slug", "title", "intro", "is_open"])
            audit.record(actor=request.user, action="feedback.public_page", obj=org, org_path=org.path,
                         changes=audit.diff(before, after))
        messages.success(request, _("Đã mở trang góp ý.") if saved.is_open else _("Đã đóng trang góp ý."))
        return redirect("public_moderation", org.pk)
    return render(request, "feedback/moderation.html", _moderation_context(request, org, page, form), status=400)


@login_required
@require_POST
def public_moderate(request, comment_id: int):
    comment = selectors.get_comment_managed(request.user, comment_id)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chọn cách xử lý góp ý."))
    else:
        decision = form.cleaned_data["decision"]
        accept = decision != "reject"
        try:
            services.moderate(actor=request.user, comment=comment, accept=accept,
                              kind=decision if accept else PointKind.SHORTCOMING)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Đã nhận góp ý vào báo cáo kiểm điểm của tập thể.") if accept
                             else _("Đã không nhận góp ý."))
    return redirect("public_moderation", comment.page.organisation_id)

