"""Pages for remediation (khắc phục hạn chế): a member's own items and their plans, one item
with its actions and the committee's effectiveness check, an organisation's dashboard, cell
meeting attendance and dues (by hand or imported from a file), removal candidates (xóa tên),
and study sessions with commitments.

Objects are reached only through the helpers below, which follow organisations.access:
something outside the user's part of the tree is 404, visible but beyond the role 403."""
from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.choices import ACTIVE_STATUSES, COMMITTEE_KINDS, MEMBER_HOLDING_KINDS, PartyStatus
from kiemdiem.organisations.models import Member, Organisation

from . import imports, reminders, selectors, services
from .choices import OPEN_STATES, AttendanceStatus, ItemState, RemovalState
from .forms import (
    ActionForm,
    CommitmentForm,
    CompleteForm,
    DecideForm,
    MeetingForm,
    MonthForm,
    ProposeForm,
    StudySessionForm,
    VerifyForm,
)
from .models import (
    CellMeeting,
    Commitment,
    DuesPayment,
    RemediationAction,
    RemediationItem,
    RemovalCase,
    StudyAttendance,
    StudySession,
)

# --- access --------------------------------------------------------------------------------


def item_powers(user, item: RemediationItem) -> dict:
    scope = access.scope_for(user)
    own = scope.member_id is not None and item.member_id == scope.member_id
    return {
        "own": own,
        "view": own or scope.allows(item.org_path, Action.VIEW),
        "write": own or scope.allows(item.org_path, Action.MANAGE),
        # the committee of the owner's unit checks effectiveness, never on one's own item
        "decide": scope.allows(item.org_path, Action.DECIDE) and (not own or scope.superuser),
    }


def get_item(user, item_id, power: str = "view") -> tuple[RemediationItem, dict]:
    try:
        item = RemediationItem.objects.select_related("member", "organisation", "review__campaign").get(pk=item_id)
    except (RemediationItem.DoesNotExist, ValueError, TypeError):
        raise Http404
    p = item_powers(user, item)
    if not p["view"]:
        raise Http404
    if not p[power]:
        raise PermissionDenied
    return item, p


def get_action(user, action_id) -> RemediationAction:
    try:
        action = RemediationAction.objects.select_related("item").get(pk=action_id)
    except (RemediationAction.DoesNotExist, ValueError, TypeError):
        raise Http404
    get_item(user, action.item_id, "write")
    return action


def decision_body(case_path: str, orgs: dict[int, Organisation]) -> Organisation | None:
    """The nearest organisation strictly above the member's cell that has a committee."""
    ids = [int(x) for x in case_path[:-1].split(".")][:-1]
    for pk in reversed(ids):
        org = orgs.get(pk)
        if org is not None and org.kind in COMMITTEE_KINDS:
            return org
    return None


def ancestors_of(paths) -> dict[int, Organisation]:
    ids = {int(x) for p in paths for x in p[:-1].split(".")}
    return Organisation.objects.in_bulk(ids)


def get_case(user, case_id) -> RemovalCase:
    try:
        case = RemovalCase.objects.select_related("member__organisation").get(pk=case_id)
    except (RemovalCase.DoesNotExist, ValueError, TypeError):
        raise Http404
    if not access.scope_for(user).allows(case.org_path, Action.VIEW):
        raise Http404
    return case


def _errors(request, exc: ValidationError):
    for m in exc.messages:
        messages.error(request, m)


def _form_errors(request, form):
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


# --- 1. a member's items -------------------------------------------------------------------


@login_required
def my_items(request):
    member_id = access.scope_for(request.user).member_id
    items = []
    if member_id:
        items = list(
            RemediationItem.objects.filter(member_id=member_id).select_related("review__campaign")
            .prefetch_related("actions").order_by("-created_at", "-id")
        )
    today = timezone.localdate()
    open_items = [i for i in items if i.state in OPEN_STATES]
    closed = [i for i in items if i.state not in OPEN_STATES]
    commitments = list(Commitment.objects.filter(member_id=member_id).order_by("-year")) if member_id else []
    return render(request, "remediation/mine.html", {
        "has_member": bool(member_id), "open_items": open_items, "closed_items": closed, "today": today,
        "commitments": commitments,
    })


@login_required
def item_detail(request, item_id: int):
    item, p = get_item(request.user, item_id)
    actions = list(item.actions.all())
    return render(request, "remediation/item.html", {
        "item": item, "p": p, "actions": actions, "today": timezone.localdate(),
        "action_form": ActionForm(initial={"who": item.member.full_name if item.member else ""}),
        "complete_form": CompleteForm(), "verify_form": VerifyForm(),
        "can_verify": p["decide"] and item.state == ItemState.DONE,
    })


@login_required
@require_POST
def action_add(request, item_id: int):
    item, _p = get_item(request.user, item_id, "write")
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.action_add(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, _("Đã thêm biện pháp khắc phục."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("remediation_item", item.pk)


@login_required
@require_POST
def action_start(request, action_id: int):
    action = get_action(request.user, action_id)
    try:
        services.action_start(actor=request.user, action=action)
        messages.success(request, _("Đã ghi nhận bắt đầu thực hiện."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("remediation_item", action.item_id)


@login_required
@require_POST
def action_complete(request, action_id: int):
    action = get_action(request.user, action_id)
    form = CompleteForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.action_complete(actor=request.user, action=action, note=d["note"], link=d["link"], file=d["file"])
            messages.success(request, _("Đã ghi nhận hoàn thành biện pháp."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("remediation_item", action.item_id)


@login_required
def action_evidence(request, action_id: int):
    """The evidence file of an action, for those who may see the item (files are not served
    from a public media URL)."""
    try:
        action = RemediationAction.objects.get(pk=action_id)
    except (RemediationAction.DoesNotExist, ValueError, TypeError):
        raise Http404
    get_item(request.user, action.item_id)
    if not action.evidence_file:
        raise Http404
    try:
        handle = action.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=Path(action.evidence_file.name).name)


@login_required
@require_POST
def item_verify(request, item_id: int):
    item, _p = get_item(request.user, item_id, "decide")
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.item_verify(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, _("Đã ghi nhận kết quả đánh giá hiệu quả khắc phục."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("remediation_item", item.pk)


# --- 2. an organisation's dashboard --------------------------------------------------------

_OWNER = ("member", "organisation")


@login_required
def org_dashboard(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    today = timezone.localdate()
    progress = selectors.progress(org.path, today)
    children = list(org.children.filter(dissolved__isnull=True).order_by("name"))
    states = list(ItemState)

    def row(counts):
        return {"states": [counts.get(s.value, 0) for s in states], "total": counts.get("total", 0),
                "overdue": counts.get("overdue", 0), "verified": counts.get(ItemState.VERIFIED.value, 0)}

    return render(request, "remediation/org.html", {
        "org": org, "today": today, "states": states,
        "total": row(progress.get(org.pk, {})),
        "rows": [(child, row(progress.get(child.pk, {}))) for child in children],
        "overdue": list(selectors.overdue_actions(org.path, today).select_related("item__member", "item__organisation")
                        .order_by("deadline", "id")[:100]),
        "soon": list(selectors.due_soon(org.path, today).select_related("item__member", "item__organisation")
                     .order_by("deadline", "id")[:100]),
        "slow": list(selectors.slow_to_fix(org.path, today)[:100]),
        "long_standing": list(
            RemediationItem.objects.filter(org_path__startswith=org.path, long_standing=True, state__in=OPEN_STATES)
            .select_related(*_OWNER).order_by("org_path", "id")[:100]
        ),
        "can_manage": access.can(request.user, Action.MANAGE, org),
        "reminder_days": selectors.reminder_days(),
    })


@login_required
@require_POST
def org_remind(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    counts = reminders.send(root_path=org.path)
    messages.success(request, _("Đã nhắc %(reminded)d biện pháp sắp đến hạn; báo %(escalated)d lượt lên cấp trên về "
                                "%(overdue)d biện pháp quá hạn.") % counts)
    return redirect("remediation_org", org.pk)


# --- 3. attendance and dues ----------------------------------------------------------------


def _cell(user, org_id, action=Action.VIEW) -> Organisation:
    org = access.get_organisation(user, org_id, action)
    if org.kind not in MEMBER_HOLDING_KINDS:
        raise Http404
    return org


def _cell_members(org):
    return list(Member.objects.filter(organisation=org, status__in=ACTIVE_STATUSES).order_by("sort_key", "pk"))


@login_required
def cell_attendance(request, org_id: int):
    org = _cell(request.user, org_id, Action.MANAGE if request.method == "POST" else Action.VIEW)
    members = _cell_members(org)
    form = MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            by_id = {m.pk: m for m in members}
            rows = []
            for pk, member in by_id.items():
                status = request.POST.get(f"status_{pk}", "")
                if status:
                    rows.append((member, status))
            try:
                services.cell_meeting_record(actor=request.user, organisation=org, rows=rows, **form.cleaned_data)
                messages.success(request, _("Đã ghi nhận dự họp của %(n)d đảng viên.") % {"n": len(rows)})
                return redirect("remediation_attendance", org.pk)
            except ValidationError as exc:
                _errors(request, exc)
        else:
            _form_errors(request, form)
    P, E, U = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED
    meetings = list(
        CellMeeting.objects.filter(organisation=org)
        .annotate(present=Count("attendance", filter=Q(attendance__status=P)),
                  excused=Count("attendance", filter=Q(attendance__status=E)),
                  unexcused=Count("attendance", filter=Q(attendance__status=U)))
        .order_by("-held_on", "kind")[:24]
    )
    return render(request, "remediation/attendance.html", {
        "org": org, "members": members, "form": form, "meetings": meetings, "statuses": AttendanceStatus.choices,
        "can_manage": access.can(request.user, Action.MANAGE, org),
    })


def _parse_month(text: str) -> datetime.date | None:
    try:
        mm, yyyy = text.strip().split("/")
        return datetime.date(int(yyyy), int(mm), 1)
    except (ValueError, TypeError, AttributeError):
        return None


@login_required
def cell_dues(request, org_id: int):
    org = _cell(request.user, org_id, Action.MANAGE if request.method == "POST" else Action.VIEW)
    members = _cell_members(org)
    today = timezone.localdate()
    month = _parse_month(request.GET.get("month", "")) or today.replace(day=1)
    form = MonthForm(request.POST or None, initial={"month": month.strftime("%m/%Y"), "paid_on": today})
    if request.method == "POST":
        if form.is_valid():
            month = form.cleaned_data["month"]
            try:
                with transaction.atomic():
                    n = 0
                    for m in members:
                        raw = request.POST.get(f"amount_{m.pk}", "").strip().replace(".", "").replace(",", "")
                        if not raw:
                            continue
                        if not raw.isdigit():
                            raise ValidationError(_("Số tiền của %(name)s không hợp lệ.") % {"name": m.full_name})
                        services.dues_record(actor=request.user, member=m, month=month, amount=int(raw),
                                             paid_on=form.cleaned_data["paid_on"])
                        n += 1
                messages.success(request, _("Đã ghi nhận đảng phí của %(n)d đảng viên.") % {"n": n})
                return redirect(f"{request.path}?month={month.strftime('%m/%Y')}")
            except ValidationError as exc:
                _errors(request, exc)
        else:
            _form_errors(request, form)
    paid = {p.member_id: p for p in DuesPayment.objects.filter(member__organisation=org, month=month)}
    year_start = datetime.date(month.year, 1, 1)
    by_month = dict(
        DuesPayment.objects.filter(member__organisation=org, month__gte=year_start, month__lte=month.replace(month=12))
        .values_list("month").annotate(n=Count("id")).order_by()
    )
    return render(request, "remediation/dues.html", {
        "org": org, "form": form, "month": month, "rows": [(m, paid.get(m.pk)) for m in members],
        "by_month": sorted((k, v) for k, v in by_month.items()), "members_count": len(members),
        "can_manage": access.can(request.user, Action.MANAGE, org),
    })


@login_required
def cell_import(request, org_id: int, kind: str):
    if kind not in imports.KINDS:
        raise Http404
    org = _cell(request.user, org_id, Action.MANAGE)
    from kiemdiem.organisations.import_views import ImportForm

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            result = imports.import_file(Path(tmp.name), kind=kind, cell=org, actor=request.user, filename=upload.name)
        if result.ok:
            messages.success(request, result.summary())
            return redirect("remediation_attendance" if kind == imports.ATTENDANCE else "remediation_dues", org.pk)
    return render(request, "remediation/import.html", {
        "org": org, "kind": kind, "form": form, "result": result, "columns": imports.COLUMNS[kind],
        "title": imports.TITLES[kind],
    })


@login_required
def import_template(request, kind: str):
    if kind not in imports.KINDS:
        raise Http404
    response = HttpResponse(imports.build_template(kind), content_type=imports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-{kind}.xlsx"'
    return response


# --- 4. removal from the list --------------------------------------------------------------


def _next(request) -> str:
    """A "next" page on this site under /remediation/ (never another host)."""
    nxt = request.POST.get("next", "")
    if nxt.startswith("/remediation/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return ""


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def counts_text(counts: dict) -> str:
    return _("xóa tên %(p)d đảng viên dự bị, %(o)d đảng viên chính thức") % {
        "p": counts.get(PartyStatus.PROBATIONARY.value, 0), "o": counts.get(PartyStatus.OFFICIAL.value, 0)}


@login_required
def removal_list(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    year = _year(request)
    scope = access.scope_for(request.user)
    cases = list(
        RemovalCase.objects.filter(org_path__startswith=org.path, year=year)
        .select_related("member__organisation", "proposed_by", "decided_by").order_by("org_path", "member__sort_key", "id")
    )
    orgs = ancestors_of({c.org_path for c in cases})
    rows = []
    for case in cases:
        body = decision_body(case.org_path, orgs)
        rows.append({
            "case": case, "body": body,
            "can_propose": case.state == RemovalState.CANDIDATE and scope.allows(case.member.organisation.path, Action.MANAGE),
            "can_decide": case.state == RemovalState.PROPOSED and body is not None and scope.allows(body.path, Action.DECIDE),
        })
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    try:  # a period of decisions (e.g. one quarter) for the counts; the year by default
        start = datetime.date.fromisoformat(request.GET["from"])
        end = datetime.date.fromisoformat(request.GET["to"])
    except (KeyError, ValueError):
        pass
    counts = services.removal_counts(org.path, start, end)
    return render(request, "remediation/removal.html", {
        "org": org, "year": year, "rows": rows, "counts": counts, "counts_text": counts_text(counts),
        "period_start": start, "period_end": end,
        "can_manage": access.can(request.user, Action.MANAGE, org), "propose_form": ProposeForm(),
        "decide_form": DecideForm(initial={"decided_on": timezone.localdate()}),
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    })


@login_required
@require_POST
def removal_refresh(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    year = _year(request)
    n = services.removal_refresh(actor=request.user, organisation=org, year=year)
    messages.success(request, _("Đã rà soát năm %(year)d: %(n)d trường hợp mới.") % {"year": year, "n": n})
    return redirect(f"/remediation/org/{org.pk}/removal/?year={year}")


@login_required
@require_POST
def removal_propose(request, case_id: int):
    case = get_case(request.user, case_id)
    cell = case.member.organisation
    if not access.can(request.user, Action.MANAGE, cell):
        raise PermissionDenied
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            services.removal_propose(actor=request.user, case=case, cell=cell, reason=form.cleaned_data["reason"])
            messages.success(request, _("Chi bộ đã đề nghị xóa tên."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect(_next(request) or f"/remediation/org/{cell.pk}/removal/?year={case.year}")


@login_required
@require_POST
def removal_decide(request, case_id: int):
    case = get_case(request.user, case_id)
    body = decision_body(case.org_path, ancestors_of([case.org_path]))
    if body is None or not access.can(request.user, Action.DECIDE, body):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.removal_decide(actor=request.user, case=case, body=body, **form.cleaned_data)
            messages.success(request, _("Đã ghi nhận quyết định."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect(_next(request) or f"/remediation/org/{body.pk}/removal/?year={case.year}")


# --- 5. study sessions and commitments ------------------------------------------------------


def study_rates(org: Organisation, year: int) -> list[dict]:
    """Per child organisation (and the organisation itself): study attendance rate and the
    share of active members who submitted a commitment for the year (two grouped queries)."""
    depth = org.path.count(".")
    att = (StudyAttendance.objects.filter(session__organisation__path__startswith=org.path, session__held_on__year=year)
           .values_list("session__organisation__path", "present").annotate(n=Count("id")).order_by())
    commit = dict(Commitment.objects.filter(org_path__startswith=org.path, year=year)
                  .values_list("org_path").annotate(n=Count("id")).order_by())
    members = dict(Member.objects.filter(organisation__path__startswith=org.path, status__in=ACTIVE_STATUSES)
                   .values_list("organisation__path").annotate(n=Count("id")).order_by())

    def key(path):  # the child of org the path lies under, or org itself
        parts = path[:-1].split(".")
        return int(parts[depth]) if len(parts) > depth else org.pk

    totals: dict[int, dict] = {}
    for path, present, n in att:
        t = totals.setdefault(key(path), {"present": 0, "seats": 0, "commitments": 0, "members": 0})
        t["seats"] += n
        t["present"] += n if present else 0
    for path, n in commit.items():
        totals.setdefault(key(path), {"present": 0, "seats": 0, "commitments": 0, "members": 0})["commitments"] += n
    for path, n in members.items():
        totals.setdefault(key(path), {"present": 0, "seats": 0, "commitments": 0, "members": 0})["members"] += n
    names = Organisation.objects.in_bulk(totals)
    out = []
    for pk, t in totals.items():
        out.append({
            "org": names.get(pk), **t,
            "study_rate": round(100 * t["present"] / t["seats"]) if t["seats"] else None,
            "commitment_rate": round(100 * t["commitments"] / t["members"]) if t["members"] else None,
        })
    out.sort(key=lambda r: (r["org"].pk != org.pk, r["org"].name))
    return out


@login_required
def study(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE if request.method == "POST" else Action.VIEW)
    year = _year(request)
    is_cell = org.kind in MEMBER_HOLDING_KINDS
    members = _cell_members(org) if is_cell else []
    form = StudySessionForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        if not is_cell:
            raise Http404
        if form.is_valid():
            with transaction.atomic():
                session = StudySession.objects.create(organisation=org, **form.cleaned_data)
                StudyAttendance.objects.bulk_create([
                    StudyAttendance(session=session, member=m, present=request.POST.get(f"present_{m.pk}") == "on")
                    for m in members
                ])
            messages.success(request, _("Đã ghi nhận buổi học tập nghị quyết."))
            return redirect("remediation_study", org.pk)
        _form_errors(request, form)
    sessions = list(StudySession.objects.filter(organisation__path__startswith=org.path, held_on__year=year)
                    .select_related("organisation")
                    .annotate(present=Count("attendance", filter=Q(attendance__present=True)), seats=Count("attendance"))
                    .order_by("-held_on", "-id")[:50])
    # the members' commitments for the year (shown, with their text, to the cell's managers)
    committed = {c.member_id: c for c in Commitment.objects.filter(member__in=members, year=year)}
    for m in members:
        m.commitment = committed.get(m.pk)
    return render(request, "remediation/study.html", {
        "org": org, "year": year, "form": form, "members": members, "sessions": sessions, "is_cell": is_cell,
        "rates": study_rates(org, year), "committed": committed,
        "commitment_form": CommitmentForm(initial={"year": year, "submitted_on": timezone.localdate()}),
        "can_manage": access.can(request.user, Action.MANAGE, org),
    })


@login_required
@require_POST
def commitment_add(request, org_id: int):
    org = _cell(request.user, org_id, Action.MANAGE)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        member = Member.objects.filter(pk=d["member"], organisation=org).first()
        if member is None:
            messages.error(request, _("Đảng viên không sinh hoạt tại chi bộ này."))
        else:
            Commitment.objects.update_or_create(member=member, year=d["year"], defaults={
                "text": d["text"], "submitted_on": d["submitted_on"], "org_path": org.path})
            messages.success(request, _("Đã ghi nhận bản cam kết của %(name)s.") % {"name": member.full_name})
    else:
        _form_errors(request, form)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return redirect(f"/remediation/org/{org.pk}/study/" + (f"?year={year}" if year else ""))
