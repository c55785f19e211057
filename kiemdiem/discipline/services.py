from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc
from kiemdiem.organisations.choices import PartyStatus
from kiemdiem.organisations.models import Member, Membership, Organisation

from .choices import FORMS_FOR_OFFICIAL, FORMS_FOR_ORGANISATION, FORMS_FOR_PROBATIONARY, DisciplineForm
from .models import Discipline


@transaction.atomic
def discipline_record(
    *, actor, form: str, deciding_body: Organisation, decision_number: str, decided_on: datetime.date,
    member: Member | None = None, organisation: Organisation | None = None, violation_on: datetime.date | None = None,
    duty_related: bool = True, self_detected_fixed: bool = False, summary: str = "",
) -> Discipline:
    if (member is None) == (organisation is None):
        raise ValidationError(_("Kỷ luật phải áp dụng cho một đảng viên hoặc một tổ chức đảng."))
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
    row = Discipline.objects.create(
        member=member, organisation=organisation, unit=unit, org_path=unit.path, form=form, deciding_body=deciding_body,
        decision_number=nfc(decision_number), decided_on=decided_on, violation_on=violation_on,
        duty_related=duty_related, self_detected_fixed=self_detected_fixed, summary=nfc(summary),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if form == DisciplineForm.EXPULSION:
        # khai trừ ends the membership; the history stays
        Membership.objects.filter(member=member, end__isnull=True).update(end=decided_on)
        Member.objects.filter(pk=member.pk).update(status=PartyStatus.EXPELLED, left_on=decided_on)
    audit.record(actor=actor, action="discipline.record", obj=member or organisation, org_path=unit.path,
                 changes={"form": form, "decision": row.decision_number, "decided_on": decided_on.isoformat()})
    return row
