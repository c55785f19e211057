"""The task register of a member or an organisation (VIEW to read; a member reads their own),
its writes (MANAGE), the import of a register file, the declared summary for a subject without a
register, and the confidence votes of a subtree. Every read goes through organisations.access
as discipline/views.py does: outside the user's part of the tree is "not found"."""
from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action

from . import imports, services
from .forms import ConfidenceVoteForm, DeclarationForm, TaskCreateForm, TaskUpdateForm
from .models import ConfidenceVote, TaskAssignment, TaskDeclaration
from .selectors import task_facts

MEMBER, ORG = "m", "o"


def get_subject(user, kind: str, pk: int, action: Action = Action.VIEW):
    """(member, organisation, the organisation it stands in) — 404 outside, 403 beyond role."""
    if kind == MEMBER:
        member = access.get_member(user, pk, action)
        return member, None, member.organisation
    org = access.get_organisation(user, pk, action)
    return None, org, org


def get_task(user, task_id: int, action: Action = Action.MANAGE) -> TaskAssignment:
    task = TaskAssignment.objects.select_related("member__organisation", "organisation").filter(pk=task_id).first()
    if task is None:
        raise Http404
    if task.member_id:
        get_subject(user, MEMBER, task.member_id, action)
    else:
        access.check_path(user, task.organisation.path, action)
    return task


def _subject_q(member, organisation) -> dict:
    return {"member": member} if member is not None else {"organisation": organisation}


def _register_url(member, organisation):
    return ("task_register_member", member.pk) if member is not None else ("task_register_org", organisation.pk)


def _year(request) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 1900 < year < 2200 else None


def _register(request, kind: str, pk: int):
    member, organisation, unit = get_subject(request.user, kind, pk, Action.MANAGE if request.method == "POST" else Action.VIEW)
    can_manage = access.can(request.user, Action.MANAGE, unit)
    form = TaskCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_create(actor=request.user, member=member, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            for e in exc.messages:
                form.add_error(None, e)
        else:
            messages.success(request, _("Đã thêm nhiệm vụ."))
            return redirect(*_register_url(member, organisation))
    year = _year(request)
    tasks = TaskAssignment.objects.filter(**_subject_q(member, organisation))
    if year:
        tasks = tasks.filter(deadline__year=year)
    tasks = list(tasks.order_by("-deadline", "-id")[:500])
    facts = None
    if year:  # what the rating rules will read for that year (the register, else a declaration)
        facts = task_facts(datetime.date(year, 1, 1), datetime.date(year, 12, 31),
                           members=[member.pk] if member else [], organisations=[organisation.pk] if organisation else [],
                           ).get((kind, pk))
    declarations = list(TaskDeclaration.objects.filter(**_subject_q(member, organisation)).order_by("-period_end")[:20])
    years = sorted({d.year for d in TaskAssignment.objects.filter(**_subject_q(member, organisation))
                   .dates("deadline", "year")}, reverse=True)
    return render(request, "performance/register.html", {
        "member": member, "organisation": organisation, "unit": unit, "kind": kind, "subject_pk": pk,
        "tasks": [(t, TaskUpdateForm(initial={"status": t.status, "completed_on": t.completed_on, "quality_met": t.quality_met,
                                              "evidence": t.evidence}, prefix=f"t{t.pk}")) for t in tasks],
        "form": form, "can_manage": can_manage, "year": year, "years": years, "facts": facts,
        "declarations": declarations, "today": timezone.localdate(),
    })


@login_required
def register_member(request, member_id: int):
    return _register(request, MEMBER, member_id)


@login_required
def register_org(request, org_id: int):
    return _register(request, ORG, org_id)


@login_required
@require_POST
def task_update(request, task_id: int):
    task = get_task(request.user, task_id, Action.MANAGE)
    form = TaskUpdateForm(request.POST, prefix=f"t{task.pk}")
    if not form.is_valid():
        form = TaskUpdateForm(request.POST)  # posted without the row prefix (the API-like form)
    if form.is_valid():
        try:
            services.task_update(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            for e in exc.messages:
                messages.error(request, e)
        else:
            messages.success(request, _("Đã cập nhật nhiệm vụ."))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect(*_register_url(task.member, task.organisation))


@login_required
@require_POST
def task_delete(request, task_id: int):
    task = get_task(request.user, task_id, Action.MANAGE)
    services.task_delete(actor=request.user, task=task)
    messages.success(request, _("Đã xóa nhiệm vụ."))
    return redirect(*_register_url(task.member, task.organisation))


def _declaration(request, kind: str, pk: int):
    member, organisation, unit = get_subject(request.user, kind, pk, Action.MANAGE)
    year = _year(request) or timezone.localdate().year
    initial = {"period_start": datetime.date(year, 1, 1), "period_end": datetime.date(year, 12, 31)}
    form = DeclarationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_set(actor=request.user, member=member, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            for e in exc.messages:
                form.add_error(None, e)
        else:
            messages.success(request, _("Đã lưu bản tự kê khai kết quả thực hiện nhiệm vụ."))
            return redirect(*_register_url(member, organisation))
    return render(request, "performance/declaration.html", {
        "member": member, "organisation": organisation, "unit": unit, "kind": kind, "form": form})


@login_required
def declaration_member(request, member_id: int):
    return _declaration(request, MEMBER, member_id)


@login_required
def declaration_org(request, org_id: int):
    return _declaration(request, ORG, org_id)


@login_required
def task_import(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    from kiemdiem.organisations.import_views import ImportForm

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.task_import(upload, actor=request.user, organisation=org, filename=upload.name)
        if result.ok:
            messages.success(request, result.summary())
            return redirect("task_register_org", org.pk)
    return render(request, "performance/import.html", {"org": org, "form": form, "result": result,
                                                       "columns": imports.COLUMNS})


@login_required
def import_template(request):
    response = HttpResponse(imports.build_template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-nhiem-vu.xlsx"'
    return response


@login_required
def confidence_votes(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE if request.method == "POST" else Action.VIEW)
    form = ConfidenceVoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        code = d.pop("member_code").strip()
        member = access.members(request.user, Action.MANAGE).filter(
            code=code, organisation__path__startswith=org.path).select_related("organisation").first()
        if member is None:
            form.add_error(None, _("Không tìm thấy đảng viên có mã “%(code)s” trong đơn vị.") % {"code": code})
        else:
            try:
                services.confidence_vote_record(actor=request.user, member=member, body=org, **d)
            except ValidationError as exc:
                for e in exc.messages:
                    form.add_error(None, e)
            else:
                messages.success(request, _("Đã ghi nhận kết quả lấy phiếu tín nhiệm."))
                return redirect("confidence_votes", org.pk)
    rows = list(ConfidenceVote.objects.filter(org_path__startswith=org.path).select_related("member", "body")[:500])
    return render(request, "performance/votes.html", {
        "org": org, "rows": rows, "form": form, "can_manage": access.can(request.user, Action.MANAGE, org)})


def register_panel(review) -> str:
    """The subject's task register for the review's period, shown beside the self-review's
    editor (reviews.gates.EDITOR_PANELS): what the rating rules will read. The quarterly form
    (Mẫu 05) is fed by it; other forms show it when there is one."""
    from django.template.loader import render_to_string

    from .selectors import task_facts

    member, organisation = review.member, (None if review.member_id else review.subject_org)
    start, end = review.campaign.period_start, review.campaign.period_end
    tasks = list(TaskAssignment.objects.filter(**_subject_q(member, organisation), deadline__gte=start, deadline__lte=end)
                 .order_by("deadline", "id")[:100])
    if not tasks and review.form != "05":
        return ""
    key = ("m", member.pk) if member is not None else ("o", organisation.pk)
    facts = task_facts(start, end, members=[member.pk] if member else [], organisations=[organisation.pk] if organisation else [])
    return render_to_string("performance/panel.html", {"tasks": tasks, "facts": facts.get(key), "review": review,
                                                       "register_url": _register_url(member, organisation)})
