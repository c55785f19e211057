from django.db import models
from django.utils.translation import gettext_lazy as _


class DisciplineForm(models.TextChoices):
    REPRIMAND = "reprimand", _("Khiển trách")
    WARNING = "warning", _("Cảnh cáo")
    DISMISSAL = "dismissal", _("Cách chức")
    EXPULSION = "expulsion", _("Khai trừ")
    DISSOLUTION = "dissolution", _("Giải tán")


# Điều lệ Đảng; QĐ 69-QĐ/TW (2022): which forms apply to whom.
FORMS_FOR_OFFICIAL = {DisciplineForm.REPRIMAND, DisciplineForm.WARNING, DisciplineForm.DISMISSAL, DisciplineForm.EXPULSION}
FORMS_FOR_PROBATIONARY = {DisciplineForm.REPRIMAND, DisciplineForm.WARNING}
FORMS_FOR_ORGANISATION = {DisciplineForm.REPRIMAND, DisciplineForm.WARNING, DisciplineForm.DISSOLUTION}


class ConclusionKind(models.TextChoices):
    """What a conclusion of the inspection commission (or another competent body) found: the
    QĐ 366 triggers no discipline decision records."""

    DEGRADED = "degraded", _("Suy thoái về tư tưởng chính trị, đạo đức, lối sống")
    PROHIBITIONS = "prohibitions", _("Vi phạm những điều đảng viên không được làm")
    CORRUPTION_IN_REMIT = "corruption_in_remit", _("Để xảy ra tham nhũng, lãng phí trong phạm vi phụ trách")
    DISUNITY = "disunity", _("Nội bộ mất đoàn kết")


KINDS_FOR_MEMBER = {ConclusionKind.DEGRADED, ConclusionKind.PROHIBITIONS, ConclusionKind.CORRUPTION_IN_REMIT}
KINDS_FOR_ORGANISATION = {ConclusionKind.DISUNITY}

# Written by migration 0003 into the evidence of softened disciplines recorded before the
# evidence was required: the flag was set then, the proof was never asked for.
LEGACY_EVIDENCE = "(chưa ghi minh chứng — dữ liệu trước khi bắt buộc)"
