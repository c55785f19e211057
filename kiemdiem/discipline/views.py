"""Discipline records (kỷ luật) and conclusions (kết luận of the inspection commission or
another competent body) per organisation subtree: the lists (VIEW), the create forms and the
cancelling of a conclusion (MANAGE), through discipline.services. Codes typed into the forms
resolve only inside the user's subtrees: a code elsewhere reads like an unknown code."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action

from .forms import ConclusionCancelForm, ConclusionCreateForm, DisciplineCreateForm
from .models import Conclusion, Discipline
from .services import conclusion_cancel, conclusion_record, discipline_record

LIST_LIMIT = 500


def _subject(user, org, data: dict, errors: list):
    """(member, organisation) named by the form's codes, managed by the user inside `org`'s
    subtree; an error (and None) for a code that is unknown there."""
    member = organisation = None
    if data["member_code"].strip():
        code = data["member_code"].strip()
        member = access.members(user, Action.MANAGE).filter(
            code=code, organisation__path__startswith=org.path).select_related("organisation").first()
        if member is None:
            errors.append(_("Không tìm thấy đảng viên có mã “%(code)s” trong đơn vị.") % {"code": code})
    else:
        code = data["organisation_code"].strip()
        organisation = access.organisations(user, Action.MANAGE).filter(code=code, path__startswith=org.path).first()
        if organisation is None:
            errors.append(_("Không tìm thấy tổ chức đảng có mã “%(code)s” trong đơn vị.") % {"code": code})
    return member, organisation


def _softening(data: dict) -> dict:
    return {k: data[k] for k in ("self_detected_fixed", "self_fix_evidence", "self_fix_reference")}


@login_required
def discipline_list(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.VIEW)
    rows = list(Discipline.objects.filter(org_path__startswith=org.path)
                .select_related("member", "organisation", "unit", "deciding_body")[:LIST_LIMIT])
    return render(request, "discipline/list.html", {
        "org": org, "rows": rows, "can_manage": access.can(request.user, Action.MANAGE, org)})


@login_required
def discipline_create(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    form = DisciplineCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        errors = []
        member, organisation = _subject(request.user, org, d, errors)
        body = access.organisations(request.user, Action.VIEW).filter(code=d["deciding_body_code"].strip()).first()
        if body is None:
            errors.append(_("Không tìm thấy cấp quyết định có mã “%(code)s”.") % {"code": d["deciding_body_code"].strip()})
        if not errors:
            try:
                discipline_record(actor=request.user, form=d["form"], deciding_body=body, decision_number=d["decision_number"],
                                  decided_on=d["decided_on"], member=member, organisation=organisation,
                                  violation_on=d["violation_on"], duty_related=d["duty_related"],
                                  summary=d["summary"], **_softening(d))
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(request, _("Đã ghi nhận quyết định kỷ luật."))
                return redirect("discipline_list", org.pk)
        for e in errors:
            form.add_error(None, e)
    return render(request, "discipline/form.html", {"org": org, "form": form})


@login_required
def conclusion_list(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.VIEW)
    rows = list(Conclusion.objects.filter(org_path__startswith=org.path)
                .select_related("member", "organisation", "unit", "body")[:LIST_LIMIT])
    return render(request, "discipline/conclusions.html", {
        "org": org, "rows": rows, "can_manage": access.can(request.user, Action.MANAGE, org),
        "cancel_form": ConclusionCancelForm()})


@login_required
def conclusion_create(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    form = ConclusionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        errors = []
        member, organisation = _subject(request.user, org, d, errors)
        body = access.organisations(request.user, Action.VIEW).filter(code=d["body_code"].strip()).first()
        if body is None:
            errors.append(_("Không tìm thấy cơ quan kết luận có mã “%(code)s”.") % {"code": d["body_code"].strip()})
        if not errors:
            try:
                conclusion_record(actor=request.user, kind=d["kind"], body=body, number=d["number"],
                                  concluded_on=d["concluded_on"], member=member, organisation=organisation,
                                  summary=d["summary"], **_softening(d))
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(request, _("Đã ghi nhận kết luận."))
                return redirect("conclusion_list", org.pk)
        for e in errors:
            form.add_error(None, e)
    return render(request, "discipline/conclusion_form.html", {"org": org, "form": form})


@login_required
@require_POST
def conclusion_cancel_view(request, org_id: int, conclusion_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    conclusion = Conclusion.objects.filter(pk=conclusion_id, org_path__startswith=org.path).first()
    if conclusion is None:
        raise Http404
    form = ConclusionCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do hủy kết luận."))
    else:
        try:
            conclusion_cancel(actor=request.user, conclusion=conclusion, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for e in exc.messages:
                messages.error(request, e)
        else:
            messages.success(request, _("Đã hủy kết luận %(number)s.") % {"number": conclusion.number})
    return redirect("conclusion_list", org.pk)
