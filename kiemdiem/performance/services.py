"""Writes of the task register, declarations and confidence votes: keyword-only, one
transaction each, checked before saving, an audit row in the same transaction.

The rule for a task's status and its completion date (`check_task`):
- "Đang thực hiện" (pending): no completion date;
- "Hoàn thành đúng tiến độ" / "Hoàn thành vượt yêu cầu": a completion date on or before the deadline;
- "Hoàn thành chậm tiến độ": a completion date after the deadline;
- "Không hoàn thành": the completion date is optional (when it was closed as not done);
- a completion date is never in the future nor before the day the task was given;
- the deadline is not before the day the task was given.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc
from kiemdiem.organisations.models import Member, Organisation

from .choices import COMPLETED, IN_TIME, TaskStatus
from .models import ConfidenceVote, TaskAssignment, TaskDeclaration

TITLE_MAX = TaskAssignment._meta.get_field("title").max_length
ASSIGNED_BY_MAX = TaskAssignment._meta.get_field("assigned_by").max_length
EVIDENCE_MAX = 10_000  # characters: a description of the documents, not the documents
BASIS_MAX = 10_000


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _subject(member: Member | None, organisation: Organisation | None) -> tuple[Member | None, Organisation | None, str]:
    if (member is None) == (organisation is None):
        raise ValidationError(_("Nhiệm vụ phải gắn với một đảng viên hoặc một tổ chức đảng."))
    return member, organisation, (member.organisation.path if member is not None else organisation.path)


def check_task(*, title: str, deadline: datetime.date | None, status: str, completed_on: datetime.date | None,
               assigned_on: datetime.date | None = None, assigned_by: str = "", evidence: str = "",
               today: datetime.date | None = None) -> list[str]:
    """Every problem of a task's values, in Vietnamese (the import reports them per row)."""
    today = today or timezone.localdate()
    problems = []
    if not title:
        problems.append(_("Cần ghi nội dung nhiệm vụ."))
    elif len(title) > TITLE_MAX:
        problems.append(_("Nội dung nhiệm vụ dài quá %(n)d ký tự.") % {"n": TITLE_MAX})
    if len(assigned_by) > ASSIGNED_BY_MAX:
        problems.append(_("Người giao dài quá %(n)d ký tự.") % {"n": ASSIGNED_BY_MAX})
    if len(evidence) > EVIDENCE_MAX:
        problems.append(_("Minh chứng dài quá %(n)d ký tự.") % {"n": EVIDENCE_MAX})
    if status not in TaskStatus.values:
        problems.append(_("Tình trạng “%(s)s” không hợp lệ.") % {"s": status})
        return problems
    if deadline is None:
        problems.append(_("Cần ghi hạn hoàn thành."))
        return problems
    if assigned_on and deadline < assigned_on:
        problems.append(_("Hạn hoàn thành không được trước ngày giao."))
    label = TaskStatus(status).label
    if status == TaskStatus.PENDING and completed_on:
        problems.append(_("Nhiệm vụ đang thực hiện thì chưa có ngày hoàn thành."))
    if status in COMPLETED and not completed_on:
        problems.append(_("Tình trạng “%(s)s” cần ngày hoàn thành.") % {"s": label})
    if completed_on:
        if completed_on > today:
            problems.append(_("Ngày hoàn thành không được sau ngày hôm nay."))
        if assigned_on and completed_on < assigned_on:
            problems.append(_("Ngày hoàn thành không được trước ngày giao."))
        if status in IN_TIME and completed_on > deadline:
            problems.append(_("Hoàn thành sau hạn %(d)s thì là “Hoàn thành chậm tiến độ”, không phải “%(s)s”.")
                            % {"d": deadline.strftime("%d/%m/%Y"), "s": label})
        if status == TaskStatus.LATE and completed_on <= deadline:
            problems.append(_("Hoàn thành không sau hạn %(d)s thì không phải “Hoàn thành chậm tiến độ”.")
                            % {"d": deadline.strftime("%d/%m/%Y")})
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def task_create(
    *, actor, title: str, deadline: datetime.date, member: Member | None = None, organisation: Organisation | None = None,
    assigned_by: str = "", assigned_on: datetime.date | None = None, status: str = TaskStatus.PENDING,
    quality_met: bool = True, completed_on: datetime.date | None = None, evidence: str = "",
) -> TaskAssignment:
    member, organisation, path = _subject(member, organisation)
    title, assigned_by, evidence = nfc(title), nfc(assigned_by), nfc(evidence)
    _raise(check_task(title=title, deadline=deadline, status=status, completed_on=completed_on, assigned_on=assigned_on,
                      assigned_by=assigned_by, evidence=evidence))
    task = TaskAssignment.objects.create(
        member=member, organisation=organisation, org_path=path, title=title, assigned_by=assigned_by,
        assigned_on=assigned_on, deadline=deadline, status=status, quality_met=quality_met, completed_on=completed_on,
        evidence=evidence, created_by=_user(actor),
    )
    audit.record(actor=actor, action="performance.task_create", obj=task, org_path=path,
                 changes={"title": title, "deadline": deadline.isoformat(), "status": status})
    return task


_UNSET = object()


@transaction.atomic
def task_update(*, actor, task: TaskAssignment, status: str | None = None, completed_on=_UNSET,
                quality_met: bool | None = None, evidence: str | None = None) -> TaskAssignment:
    """Change a task's result: status, completion date, quality, evidence (what is not given
    stays; completed_on=None clears the date)."""
    task = TaskAssignment.objects.select_for_update().get(pk=task.pk)
    new = {
        "status": task.status if status is None else status,
        "completed_on": task.completed_on if completed_on is _UNSET else completed_on,
        "quality_met": task.quality_met if quality_met is None else quality_met,
        "evidence": task.evidence if evidence is None else nfc(evidence),
    }
    _raise(check_task(title=task.title, deadline=task.deadline, status=new["status"], completed_on=new["completed_on"],
                      assigned_on=task.assigned_on, assigned_by=task.assigned_by, evidence=new["evidence"]))
    changes = {k: [getattr(task, k), v] for k, v in new.items() if getattr(task, k) != v}
    if not changes:
        return task
    for key, value in new.items():
        setattr(task, key, value)
    task.save(update_fields=list(changes))
    audit.record(actor=actor, action="performance.task_update", obj=task, org_path=task.org_path,
                 changes={k: [v.isoformat() if isinstance(v, datetime.date) else v for v in pair]
                          for k, pair in changes.items() if k != "evidence"} | ({"evidence": True} if "evidence" in changes else {}))
    return task


@transaction.atomic
def task_delete(*, actor, task: TaskAssignment) -> None:
    audit.record(actor=actor, action="performance.task_delete", obj=task, org_path=task.org_path,
                 changes={"title": task.title, "deadline": task.deadline.isoformat(), "status": task.status})
    TaskAssignment.objects.filter(pk=task.pk).delete()


def _pct(value, label: str) -> Decimal:
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ValidationError(_("%(f)s: không phải số.") % {"f": label})
    if not Decimal(0) <= d <= Decimal(100):
        raise ValidationError(_("%(f)s phải từ 0 đến 100.") % {"f": label})
    return d


@transaction.atomic
def declaration_set(
    *, actor, period_start: datetime.date, period_end: datetime.date, on_time_pct, beyond_pct=0, late_pct=0, failed_pct=0,
    all_quality_met: bool = True, basis: str, member: Member | None = None, organisation: Organisation | None = None,
) -> TaskDeclaration:
    """Create or replace the declared summary of a subject's period. The shares of tasks done
    on time, late and not done add up to 100 (beyond requirement is part of on time)."""
    member, organisation, path = _subject(member, organisation)
    if period_end < period_start:
        raise ValidationError(_("Ngày kết thúc kỳ không được trước ngày bắt đầu."))
    values = {
        "on_time_pct": _pct(on_time_pct, _("Tỷ lệ hoàn thành đúng tiến độ")),
        "beyond_pct": _pct(beyond_pct, _("Tỷ lệ vượt yêu cầu")),
        "late_pct": _pct(late_pct, _("Tỷ lệ chậm tiến độ")),
        "failed_pct": _pct(failed_pct, _("Tỷ lệ không hoàn thành")),
    }
    if values["beyond_pct"] > values["on_time_pct"]:
        raise ValidationError(_("Tỷ lệ vượt yêu cầu là một phần của tỷ lệ đúng tiến độ, không thể lớn hơn."))
    total = values["on_time_pct"] + values["late_pct"] + values["failed_pct"]
    if abs(total - 100) > Decimal("0.1"):
        raise ValidationError(_("Tỷ lệ đúng tiến độ, chậm tiến độ và không hoàn thành cộng lại phải bằng 100%% (đang là %(t)s%%).")
                              % {"t": total.normalize()})
    basis = nfc(basis)
    if not basis:
        raise ValidationError(_("Cần ghi căn cứ của bản tự kê khai (văn bản, báo cáo kết quả…)."))
    if len(basis) > BASIS_MAX:
        raise ValidationError(_("Căn cứ dài quá %(n)d ký tự.") % {"n": BASIS_MAX})
    key = {"member": member} if member is not None else {"organisation": organisation}
    row, created = TaskDeclaration.objects.select_for_update().get_or_create(
        **key, period_start=period_start, period_end=period_end,
        defaults={**values, "org_path": path, "all_quality_met": all_quality_met, "basis": basis, "created_by": _user(actor)},
    )
    if not created:
        for k, v in values.items():
            setattr(row, k, v)
        row.all_quality_met, row.basis, row.org_path = all_quality_met, basis, path
        row.save()
    audit.record(actor=actor, action="performance.declaration_set", obj=member or organisation, org_path=path,
                 changes={"period": [period_start.isoformat(), period_end.isoformat()],
                          **{k: str(v) for k, v in values.items()}, "all_quality_met": all_quality_met, "created": created})
    return row


@transaction.atomic
def confidence_vote_record(
    *, actor, member: Member, body: Organisation, held_on: datetime.date, total: int, high: int, medium: int, low: int,
    note: str = "",
) -> ConfidenceVote:
    counts = {"total": total, "high": high, "medium": medium, "low": low}
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in counts.values()):
        raise ValidationError(_("Số phiếu phải là số nguyên không âm."))
    if total <= 0:
        raise ValidationError(_("Số phiếu phát ra phải lớn hơn 0."))
    if high + medium + low > total:
        raise ValidationError(_("Tổng số phiếu tín nhiệm cao, tín nhiệm và tín nhiệm thấp (%(n)d) vượt quá số phiếu phát ra (%(t)d).")
                              % {"n": high + medium + low, "t": total})
    if held_on > timezone.localdate():
        raise ValidationError(_("Ngày lấy phiếu không được sau ngày hôm nay."))
    path = member.organisation.path
    if not path.startswith(body.path):
        raise ValidationError(_("Cấp lấy phiếu phải là tổ chức quản lý đảng viên."))
    vote = ConfidenceVote.objects.create(member=member, body=body, org_path=path, held_on=held_on, note=nfc(note),
                                         created_by=_user(actor), **counts)
    audit.record(actor=actor, action="performance.confidence_vote", obj=member, org_path=path,
                 changes={"body": body.code, "held_on": held_on.isoformat(), **counts})
    return vote
