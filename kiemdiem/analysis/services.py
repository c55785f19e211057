"""Writes a person makes on the analysis: dismissing (or restoring) a flag with a note, and
editing the phrase lists. Each is audited in the same transaction."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc

from .models import Flag, Phrase, PhraseKind


def dismiss(*, actor, flag: Flag, note: str) -> Flag:
    note = nfc(note)
    if not note:
        raise ValidationError(_("Ghi rõ lý do bỏ qua cảnh báo."))
    if len(note) > 2000:
        raise ValidationError(_("Lý do quá dài (tối đa 2000 ký tự)."))
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.dismissed_at:
            raise ValidationError(_("Cảnh báo này đã được bỏ qua."))
        flag.dismissed_at, flag.dismissed_by, flag.dismiss_note = timezone.now(), actor, note
        flag.save(update_fields=["dismissed_at", "dismissed_by", "dismiss_note"])
        audit.record(actor=actor, action="analysis.flag_dismiss", obj=flag, org_path=flag.org_path,
                     changes={"signal": flag.signal, "key": flag.key}, reason=note)
    return flag


def restore(*, actor, flag: Flag) -> Flag:
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if not flag.dismissed_at:
            raise ValidationError(_("Cảnh báo này chưa bị bỏ qua."))
        old = flag.dismiss_note
        flag.dismissed_at, flag.dismissed_by, flag.dismiss_note = None, None, ""
        flag.save(update_fields=["dismissed_at", "dismissed_by", "dismiss_note"])
        audit.record(actor=actor, action="analysis.flag_restore", obj=flag, org_path=flag.org_path,
                     changes={"dismiss_note": [old, ""]})
    return flag


def phrase_add(*, actor, organisation, kind: str, text: str) -> Phrase:
    text = nfc(text).lower().strip(" .,;")
    if kind not in PhraseKind.values:
        raise ValidationError(_("Loại cụm từ không hợp lệ."))
    if not text:
        raise ValidationError(_("Nhập cụm từ."))
    if len(text) > 200:
        raise ValidationError(_("Cụm từ quá dài (tối đa 200 ký tự)."))
    try:
        with transaction.atomic():
            phrase = Phrase.objects.create(organisation=organisation, kind=kind, text=text, created_by=actor)
            audit.record(actor=actor, action="analysis.phrase_add", obj=phrase, org_path=organisation.path,
                         changes={"kind": kind, "text": text})
    except IntegrityError:
        raise ValidationError(_("Cụm từ này đã có trong danh sách."))
    return phrase


def phrase_delete(*, actor, phrase: Phrase) -> None:
    with transaction.atomic():
        audit.record(actor=actor, action="analysis.phrase_delete", obj=phrase, org_path=phrase.organisation.path,
                     changes={"kind": phrase.kind, "text": phrase.text})
        phrase.delete()
