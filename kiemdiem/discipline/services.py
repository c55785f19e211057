from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc
from kiemdiem.organisations.choices import OrgKind, PartyStatus
from kiemdiem.organisations.models import Member, Membership, Organisation

from .choices import (
    FORMS_FOR_OFFICIAL,
    FORMS_FOR_ORGANISATION,
    FORMS_FOR_PROBATIONARY,
    KINDS_FOR_MEMBER,
    KINDS_FOR_ORGANISATION,
    ConclusionKind,
    DisciplineForm,
)
from .models import Conclusion, Discipline


def _softening(self_detected_fixed: bool, evidence: str, reference: str) -> tuple[str, str]:
    """QĐ 366 lets a trigger be softened when the person found and fixed the problem
    themselves: a fact that needs its proof (what was found and fixed, when, and the document
    that shows it), not a bare tick. Returns the normalised (evidence, reference)."""
    evidence, reference = nfc(evidence), nfc(reference)
    if self_detected_fixed:
        if not evidence:
            raise ValidationError(_("Đánh dấu “tự phát hiện, tự khắc phục” cần ghi minh chứng: đã phát hiện và khắc "
                                    "phục việc gì, khi nào, căn cứ văn bản nào."))
        if not reference:
            raise ValidationError(_("Đánh dấu “tự phát hiện, tự khắc phục” cần ghi số, ngày văn bản chứng minh."))
    elif evidence or reference:
        raise ValidationError(_("Chỉ ghi minh chứng tự phát hiện, tự khắc phục khi đã đánh dấu nội dung này."))
    return evidence, reference


@transaction.atomic
def discipline_record(
    *, actor, form: str, deciding_body: Organisation, decision_number: str, decided_on: datetime.date,
    member: Member | None = None, organisation: Organisation | None = None, violation_on: datetime.date | None = None,
    duty_related: bool = True, self_detected_fixed: bool = False, self_fix_evidence: str = "",
    self_fix_reference: str = "", summary: str = "",
) -> Discipline:
    if (member is None) == (organisation is None):
        raise ValidationError(_("Kỷ luật phải áp dụng cho một đảng viên hoặc một tổ chức đảng."))
    if form not in DisciplineForm.values:
        raise ValidationError(_("Hình thức kỷ luật không hợp lệ."))
    if member is not None:
        if not member.is_active:
            raise ValidationError(_("Đảng viên không còn sinh hoạt đảng."))
        allowed = FORMS_FOR_PROBATIONARY if member.status == PartyStatus.PROBATIONARY else FORMS_FOR_OFFICIAL
        unit = member.organisation
    else:
        allowed = FORMS_FOR_ORGANISATION
        unit = organisation
    if form not in allowed:
        raise ValidationError(_("Hình thức “%(form)s” không áp dụng cho đối tượng này.") % {"form": DisciplineForm(form).label})
    if not nfc(decision_number):
        raise ValidationError(_("Cần ghi số quyết định kỷ luật."))
    if violation_on and violation_on > decided_on:
        raise ValidationError(_("Thời điểm vi phạm không được sau ngày quyết định."))
    if not unit.path.startswith(deciding_body.path):
        raise ValidationError(_("Cấp quyết định phải là tổ chức quản lý đối tượng bị kỷ luật."))
    evidence, reference = _softening(self_detected_fixed, self_fix_evidence, self_fix_reference)
    row = Discipline.objects.create(
        member=member, organisation=organisation, unit=unit, org_path=unit.path, form=form, deciding_body=deciding_body,
        decision_number=nfc(decision_number), decided_on=decided_on, violation_on=violation_on,
        duty_related=duty_related, self_detected_fixed=self_detected_fixed, self_fix_evidence=evidence,
        self_fix_reference=reference, summary=nfc(summary), created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if form == DisciplineForm.EXPULSION:
        # khai trừ ends the membership; the history stays
        Membership.objects.filter(member=member, end__isnull=True).update(end=decided_on)
        Member.objects.filter(pk=member.pk).update(status=PartyStatus.EXPELLED, left_on=decided_on)
    audit.record(actor=actor, action="discipline.record", obj=member or organisation, org_path=unit.path,
                 changes={"form": form, "decision": row.decision_number, "decided_on": decided_on.isoformat(),
                          **({"self_fix_reference": reference} if self_detected_fixed else {})})
    return row


def _may_conclude(body: Organisation, unit: Organisation) -> bool:
    """The body manages the subject (an ancestor-or-self of its unit, like a discipline's
    deciding body) or is an organ of such a committee (its inspection commission or another
    advisory body sits directly under it)."""
    if unit.path.startswith(body.path):
        return True
    parent_path = body.path[: body.path.rstrip(".").rfind(".") + 1]
    return body.kind == OrgKind.ADVISORY and bool(parent_path) and unit.path.startswith(parent_path)


@transaction.atomic
def conclusion_record(
    *, actor, kind: str, body: Organisation, number: str, concluded_on: datetime.date,
    member: Member | None = None, organisation: Organisation | None = None, summary: str = "",
    self_detected_fixed: bool = False, self_fix_evidence: str = "", self_fix_reference: str = "",
) -> Conclusion:
    """Record a conclusion of the inspection commission or another competent body about one
    member or one organisation (the facts QĐ 366 rates on that no discipline records)."""
    if (member is None) == (organisation is None):
        raise ValidationError(_("Kết luận phải về một đảng viên hoặc một tổ chức đảng."))
    if kind not in ConclusionKind.values:
        raise ValidationError(_("Nội dung kết luận không hợp lệ."))
    if member is not None:
        if not member.is_active:
            raise ValidationError(_("Đảng viên không còn sinh hoạt đảng."))
        if kind not in KINDS_FOR_MEMBER:
            raise ValidationError(_("Nội dung “%(kind)s” chỉ kết luận về tổ chức đảng, không về đảng viên.")
                                  % {"kind": ConclusionKind(kind).label})
        unit = member.organisation
    else:
        if kind not in KINDS_FOR_ORGANISATION:
            raise ValidationError(_("Nội dung “%(kind)s” chỉ kết luận về đảng viên, không về tổ chức đảng.")
                                  % {"kind": ConclusionKind(kind).label})
        unit = organisation
    number = nfc(number)
    if not number:
        raise ValidationError(_("Cần ghi số kết luận."))
    if concluded_on > timezone.localdate():
        raise ValidationError(_("Ngày kết luận không được sau ngày hôm nay."))
    if not _may_conclude(body, unit):
        raise ValidationError(_("Cơ quan kết luận phải là cấp ủy quản lý đối tượng hoặc cơ quan (ủy ban kiểm tra) "
                                "của cấp ủy đó."))
    evidence, reference = _softening(self_detected_fixed, self_fix_evidence, self_fix_reference)
    row = Conclusion.objects.create(
        member=member, organisation=organisation, unit=unit, org_path=unit.path, kind=kind, body=body, number=number,
        concluded_on=concluded_on, summary=nfc(summary), self_detected_fixed=self_detected_fixed,
        self_fix_evidence=evidence, self_fix_reference=reference,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, action="conclusion.record", obj=member or organisation, org_path=unit.path,
                 changes={"conclusion": row.pk, "kind": kind, "number": number, "concluded_on": concluded_on.isoformat(),
                          "body": body.pk, **({"self_fix_reference": reference} if self_detected_fixed else {})})
    return row


@transaction.atomic
def conclusion_cancel(*, actor, conclusion: Conclusion, reason: str) -> Conclusion:
    """Cancel a conclusion recorded by mistake (or withdrawn): it stays, marked, with the
    reason, and no longer counts (selectors skip it)."""
    reason = nfc(reason)
    if not reason:
        raise ValidationError(_("Cần ghi lý do hủy kết luận."))
    row = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    if row.cancelled_at is not None:
        raise ValidationError(_("Kết luận này đã bị hủy."))
    row.cancelled_at = timezone.now()
    row.cancelled_by = actor if getattr(actor, "is_authenticated", False) else None
    row.cancel_reason = reason
    row.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    audit.record(actor=actor, action="conclusion.cancel", obj=row.member or row.organisation, org_path=row.org_path,
                 changes={"conclusion": row.pk, "kind": row.kind, "number": row.number}, reason=reason)
    return row
