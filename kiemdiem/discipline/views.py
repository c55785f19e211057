"""Discipline records (kỷ luật) per organisation subtree: the list (VIEW) and the create form
(MANAGE), through discipline.services.discipline_record. Codes typed into the form resolve
only inside the user's subtrees: a code elsewhere reads like an unknown code."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action

from .forms import DisciplineCreateForm
from .models import Discipline
from .services import discipline_record


@login_required
def discipline_list(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.VIEW)
    rows = list(Discipline.objects.filter(org_path__startswith=org.path)
                .select_related("member", "organisation", "unit", "deciding_body")[:500])
    return render(request, "discipline/list.html", {
        "org": org, "rows": rows, "can_manage": access.can(request.user, Action.MANAGE, org)})


@login_required
def discipline_create(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    form = DisciplineCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = organisation = None
        errors = []
        if d["member_code"].strip():
            member = access.members(request.user, Action.MANAGE).filter(
                code=d["member_code"].strip(), organisation__path__startswith=org.path).select_related("organisation").first()
            if member is None:
                errors.append(_("Không tìm thấy đảng viên có mã “%(code)s” trong đơn vị.") % {"code": d["member_code"].strip()})
        else:
            organisation = access.organisations(request.user, Action.MANAGE).filter(
                code=d["organisation_code"].strip(), path__startswith=org.path).first()
            if organisation is None:
                errors.append(_("Không tìm thấy tổ chức đảng có mã “%(code)s” trong đơn vị.") % {"code": d["organisation_code"].strip()})
        body = access.organisations(request.user, Action.VIEW).filter(code=d["deciding_body_code"].strip()).first()
        if body is None:
            errors.append(_("Không tìm thấy cấp quyết định có mã “%(code)s”.") % {"code": d["deciding_body_code"].strip()})
        if not errors:
            try:
                discipline_record(actor=request.user, form=d["form"], deciding_body=body, decision_number=d["decision_number"],
                                  decided_on=d["decided_on"], member=member, organisation=organisation,
                                  violation_on=d["violation_on"], duty_related=d["duty_related"],
                                  self_detected_fixed=d["self_detected_fixed"], summary=d["summary"])
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(request, _("Đã ghi nhận quyết định kỷ luật."))
                return redirect("discipline_list", org.pk)
        for e in errors:
            form.add_error(None, e)
    return render(request, "discipline/form.html", {"org": org, "form": form})
