"""Pages of the review-quality assistant: a campaign's flags for an organisation's subtree, one
report's flags with their evidence (copied passages side by side), the themes page and the
phrase-list editor. Advisory only: nothing here changes a review or a rating."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kiemdiem.campaigns.views import can_manage, check_manage, get_campaign, progress_node
from kiemdiem.core.models import Job
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action

from . import engine, lexicon, selectors, services
from . import text as T
from .models import PhraseKind, Signal


class DismissForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Lý do bỏ qua"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PhraseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=PhraseKind.choices)
    text = forms.CharField(label=gettext_lazy("Cụm từ"), max_length=200)


def _fail(request, exc: ValidationError):
    for m in exc.messages:
        messages.error(request, m)


def _overview(request, campaign, org_id):
    org, path = progress_node(request.user, campaign, org_id)
    signal = request.GET.get("signal", "")
    if signal not in Signal.values:
        signal = ""
    state = request.GET.get("state", "open")
    if state not in ("open", "dismissed", "all"):
        state = "open"
    qs = selectors.flags(campaign, path, signal, state).select_related("review__member", "review__subject_org")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    counts = selectors.counts(campaign, path)
    ca = selectors.campaign_analysis(campaign)
    children = [c for c in org.children.filter(dissolved__isnull=True).order_by("name")] if hasattr(org, "children") else []
    return render(request, "analysis/campaign.html", {
        "campaign": campaign, "org": org, "path": path, "page": page, "signal": signal, "state": state,
        "signals": [(s, counts[s.value]) for s in Signal], "analysis": ca, "children": children,
        "can_run": can_manage(request.user, campaign),
        "job": ca.last_job if ca and ca.last_job else None,
    })


@login_required
def analysis_campaign(request, campaign_id: int):
    campaign = get_campaign(request.user, campaign_id)
    return _overview(request, campaign, None)


@login_required
def analysis_campaign_org(request, campaign_id: int, org_id: int):
    campaign = get_campaign(request.user, campaign_id)
    return _overview(request, campaign, org_id)


@login_required
@require_POST
def analysis_run(request, campaign_id: int):
    campaign = get_campaign(request.user, campaign_id)
    check_manage(request.user, campaign)
    job = engine.start(request.user, campaign, full=request.POST.get("full") == "1")
    if job.status == Job.Status.FAILED:
        messages.error(request, _("Phân tích không thành công: %(m)s") % {"m": job.message})
    else:
        messages.success(request, _("Đã bắt đầu phân tích; chỉ các bản kiểm điểm thay đổi được phân tích lại."))
    return redirect("analysis_campaign", campaign.pk)


@login_required
def analysis_review(request, review_id: int):
    review = selectors.get_review(request.user, review_id)
    flags = list(review.analysis_flags.select_related("dismissed_by", "other_review__member", "other_review__subject_org")
                 .prefetch_related("other_review__shortcomings"))
    items = list(review.shortcomings.values_list("text", flat=True))
    body = engine.report_text(review.content if isinstance(review.content, dict) else {}, items)
    scope = access.scope_for(request.user)
    for flag in flags:
        flag.can_manage = scope.allows(flag.org_path, Action.MANAGE)
        if flag.signal == Signal.COPY and flag.other_review_id:
            other = flag.other_review
            flag.other_visible = scope.allows(other.org_path, Action.VIEW)
            if flag.other_visible:
                other_items = [s.text for s in other.shortcomings.all()]  # prefetched, in the model's order
                other_body = engine.report_text(other.content if isinstance(other.content, dict) else {}, other_items)
                flag.passages = T.matching_passages(body, other_body)
    return render(request, "analysis/review.html", {
        "review": review, "flags": flags, "dismiss_form": DismissForm(),
    })


@login_required
@require_POST
def analysis_flag_dismiss(request, flag_id: int):
    flag = selectors.get_flag(request.user, flag_id, Action.MANAGE)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi rõ lý do bỏ qua cảnh báo."))
    else:
        try:
            services.dismiss(actor=request.user, flag=flag, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Đã bỏ qua cảnh báo (có ghi lý do)."))
    return redirect("analysis_review", flag.review_id)


@login_required
@require_POST
def analysis_flag_restore(request, flag_id: int):
    flag = selectors.get_flag(request.user, flag_id, Action.MANAGE)
    try:
        services.restore(actor=request.user, flag=flag)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Đã khôi phục cảnh báo."))
    return redirect("analysis_review", flag.review_id)


@login_required
def analysis_themes(request, campaign_id: int, org_id: int):
    campaign = get_campaign(request.user, campaign_id)
    org, path = progress_node(request.user, campaign, org_id)
    themes = selectors.top_themes(campaign, path)
    repeats = selectors.flags(campaign, path, Signal.REPEAT, "open").select_related("review__member", "review__subject_org")[:50]
    return render(request, "analysis/themes.html", {
        "campaign": campaign, "org": org, "themes": themes, "repeats": repeats,
        "analysis": selectors.campaign_analysis(campaign),
    })


@login_required
def analysis_phrases(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    may_edit = access.can(request.user, Action.MANAGE, org)
    form = PhraseForm()
    if request.method == "POST":
        if not may_edit:
            access.get_organisation(request.user, org_id, Action.MANAGE)  # 403
        form = PhraseForm(request.POST)
        if form.is_valid():
            try:
                services.phrase_add(actor=request.user, organisation=org, kind=form.cleaned_data["kind"],
                                    text=form.cleaned_data["text"])
            except ValidationError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("Đã thêm cụm từ; lần phân tích sau sẽ dùng danh sách mới."))
                return redirect("analysis_phrases", org.pk)
        else:
            messages.error(request, _("Chọn loại và nhập cụm từ."))
    phrases = selectors.phrases_for(org)
    lists = []
    for kind in PhraseKind:
        lists.append({
            "kind": kind, "defaults": lexicon.DEFAULTS.get(kind.value, []),
            "own": [p for p in phrases if p.kind == kind.value],
        })
    return render(request, "analysis/phrases.html", {"org": org, "lists": lists, "form": form, "may_edit": may_edit})


@login_required
@require_POST
def analysis_phrase_delete(request, phrase_id: int):
    phrase = selectors.get_phrase(request.user, phrase_id, Action.MANAGE)
    org_id = phrase.organisation_id
    services.phrase_delete(actor=request.user, phrase=phrase)
    messages.success(request, _("Đã xoá cụm từ."))
    return redirect("analysis_phrases", org_id)
