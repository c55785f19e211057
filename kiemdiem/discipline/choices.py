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
