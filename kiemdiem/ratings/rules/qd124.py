"""Quy định 124-QĐ/TW (2023) with Hướng dẫn 25: the same four levels, criteria graded without
points, the same 20% quota; a member disciplined in the period is "không hoàn thành nhiệm
vụ" unless they found and fixed the problem themselves."""
from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from .base import discipline_form_label, Facts, Level, Profile, Verdict

EXCELLENT, GOOD, DONE, NOT_DONE = "HTXSNV", "HTTNV", "HTNV", "KHTNV"


class QD124(Profile):
    key = "qd124-2023"
    name = "Quy định 124-QĐ/TW (2023)"
    valid_from = datetime.date(2023, 10, 10)
    levels = (
        Level(EXCELLENT, "Hoàn thành xuất sắc nhiệm vụ", 4),
        Level(GOOD, "Hoàn thành tốt nhiệm vụ", 3),
        Level(DONE, "Hoàn thành nhiệm vụ", 2),
        Level(NOT_DONE, "Không hoàn thành nhiệm vụ", 1),
    )
    excellent, good = EXCELLENT, GOOD
    advisory_codes = frozenset({"excellent_prior"})

    def findings(self, facts: Facts) -> list[Verdict]:
        out: list[Verdict] = []
        # no points: the level cannot exceed the weakest graded criterion
        for criterion, grade in facts.grades.items():
            if grade in self.codes() and grade != EXCELLENT:
                out.append(Verdict("criterion", _("Tiêu chí “%(c)s” chỉ đạt mức “%(l)s”.") % {
                    "c": criterion, "l": self.level(grade).name}, max_level=grade))
        for d in facts.disciplines_in_period():
            if d.self_detected_fixed:
                continue
            out.append(Verdict("disciplined", _("Bị kỷ luật (%(form)s) trong kỳ.") % {"form": discipline_form_label(d.form)}, max_level=NOT_DONE))
        if facts.prior_shortcomings_all_fixed is False:
            out.append(Verdict("excellent_prior", _("Mức xuất sắc cần khắc phục xong các hạn chế đã chỉ ra."), max_level=GOOD))
        if facts.degraded or facts.breached_prohibitions:
            out.append(Verdict("degraded", _("Suy thoái hoặc vi phạm những điều đảng viên không được làm."), max_level=NOT_DONE))
        return out


PROFILE = QD124()
