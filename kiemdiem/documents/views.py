"""Official documents: the summary report (edit the draft, download DOCX/PDF/XLSX), the
register of issued documents and the end-of-term report, a member's record set and its ZIP.
Reading needs VIEW on the organisation (or being the member), saving needs MANAGE."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.core.text import unaccent
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action

from . import records
from .content import initial_draft, summary_paper
from .forms import IssuedDocumentForm, ReportDraftForm, TermForm
from .models import IssuedDocument, ReportDraft
from .term import document_counts, term_paper

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def _file(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slugify(unaccent(name)) or "van-ban"}.{fmt}"'
    return response


def _org_campaign(request, org_id, campaign_id, action=Action.VIEW):
    """The organisation (scoped) and a campaign whose scope covers it (404 otherwise)."""
    org = access.get_organisation(request.user, org_id, action)
    campaign = Campaign.objects.filter(pk=campaign_id).first() if str(campaign_id).isdigit() else None
    if campaign is None or not org.path.startswith(campaign.issuer_path):
        raise Http404
    return org, campaign


def _draft(org, campaign) -> ReportDraft:
    return ReportDraft.objects.filter(organisation=org, campaign=campaign).first() or initial_draft(campaign, org)


@login_required
def report_draft(request, org_id: int, campaign_id: int):
    org, campaign = _org_campaign(request, org_id, campaign_id,
                                  Action.MANAGE if request.method == "POST" else Action.VIEW)
    draft = _draft(org, campaign)
    form = ReportDraftForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("reset"):
            ReportDraft.objects.filter(organisation=org, campaign=campaign).delete()
            messages.success(request, _("Đã lập lại dự thảo từ số liệu."))
            return redirect("documents_report", org.pk, campaign.pk)
        with transaction.atomic():
            obj = form.save(commit=False)
            obj.organisation, obj.campaign, obj.updated_by = org, campaign, request.user
            obj.save()
        messages.success(request, _("Đã lưu dự thảo báo cáo."))
        return redirect("documents_report", org.pk, campaign.pk)
    paper = summary_paper(draft)
    return render(request, "documents/report.html", {
        "org": org, "campaign": campaign, "form": form, "saved": draft.pk is not None, "tables": paper.tables,
        "can_manage": access.can(request.user, Action.MANAGE, org)})


def _report_file(fmt):
    @login_required
    def view(request, org_id: int, campaign_id: int):
        org, campaign = _org_campaign(request, org_id, campaign_id)
        paper = summary_paper(_draft(org, campaign))
        if fmt == "docx":
            from .docx import paper_docx as render_
        elif fmt == "pdf":
            from .pdf import paper_pdf as render_
        else:
            from .xlsx import paper_xlsx as render_
        return _file(render_(paper), fmt, f"bao-cao-{org.name}-{campaign.year}")

    view.__name__ = f"report_{fmt}"
    return view


report_docx, report_pdf, report_xlsx = _report_file("docx"), _report_file("pdf"), _report_file("xlsx")


@login_required
def issued_documents(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE if request.method == "POST" else Action.VIEW)
    form = IssuedDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                doc = form.save(commit=False)
                doc.organisation, doc.created_by = org, request.user
                doc.save()
        except IntegrityError:
            form.add_error("number", _("Văn bản cùng loại với số, ký hiệu này đã có trong sổ."))
        else:
            messages.success(request, _("Đã thêm văn bản vào sổ."))
            return redirect("documents_issued", org.pk)
    rows = IssuedDocument.objects.filter(organisation=org)[:500]
    term_form = TermForm(request.GET or None)
    counts = document_counts(org, term_form.cleaned_data["start"], term_form.cleaned_data["end"]) if term_form.is_valid() else None
    return render(request, "documents/issued.html", {
        "org": org, "form": form, "rows": rows, "term_form": term_form, "counts": counts,
        "can_manage": access.can(request.user, Action.MANAGE, org)})


@login_required
def term_report_docx(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.VIEW)
    form = TermForm(request.GET)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("documents_issued", org.pk)
    from .docx import paper_docx

    d = form.cleaned_data
    return _file(paper_docx(term_paper(org, d["term"], d["start"], d["end"])), "docx", f"kiem-diem-nhiem-ky-{org.name}")


def _member_campaign(request, member_id):
    member = access.get_member(request.user, member_id, Action.VIEW)
    campaigns = list(records.campaigns_for(member)[:20])
    wanted = request.GET.get("campaign", "")
    campaign = next((c for c in campaigns if str(c.pk) == wanted), campaigns[0] if campaigns and not wanted else None)
    if wanted and campaign is None:
        raise Http404
    return member, campaigns, campaign


@login_required
def member_records(request, member_id: int):
    member, campaigns, campaign = _member_campaign(request, member_id)
    items = records.record_items(member, campaign) if campaign else []
    return render(request, "documents/records.html", {
        "member": member, "campaigns": campaigns, "campaign": campaign, "items": items,
        "present": sum(1 for i in items if i.present)})


@login_required
def member_records_zip(request, member_id: int):
    member, _campaigns, campaign = _member_campaign(request, member_id)
    if campaign is None:
        raise Http404
    return _file(records.record_zip(member, campaign), "zip", f"ho-so-{member.code}-{campaign.year}")
