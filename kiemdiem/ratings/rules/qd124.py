"""Quy định 124-QĐ/TW (2023) with Hướng dẫn 25: the same four levels, criteria graded without
points, the same 20% quota; a member disciplined in the period is "không hoàn thành nhiệm
vụ" unless they found and fixed the problem themselves."""
from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from .base import Criterion, discipline_form_label, Facts, Level, Profile, Verdict

EXCELLENT, GOOD, DONE, NOT_DONE = "HTXSNV", "HTTNV", "HTNV", "KHTNV"


def _criteria(*rows: tuple[str, str]) -> tuple[Criterion, ...]:
    return tuple(Criterion(code, name) for code, name in rows)


# Part B: each criterion graded by level, no points. UNVERIFIED: the criteria of QĐ 124 / HD 25
# per subject type are our reading of the forms' part A (not checked against the text); data,
# not code. The level cannot exceed the weakest grade (check `criterion`).
_INDIVIDUAL = (
    ("chinh_tri", "Tư tưởng chính trị"),
    ("dao_duc", "Phẩm chất đạo đức, lối sống"),
    ("ky_luat", "Ý thức tổ chức kỷ luật, tác phong, lề lối làm việc"),
    ("nhiem_vu", "Kết quả thực hiện chức trách, nhiệm vụ được giao"),
)
GRADED_CRITERIA = {
    "collective": _criteria(
        ("tt_chinh_tri", "Lãnh đạo, chỉ đạo công tác chính trị, tư tưởng"),
        ("tt_quy_che", "Thực hiện quy chế làm việc, nguyên tắc tập trung dân chủ"),
        ("tt_xay_dung", "Công tác xây dựng Đảng, hệ thống chính trị"),
        ("tt_nhiem_vu", "Lãnh đạo thực hiện các chỉ tiêu, nhiệm vụ"),
        ("tt_kiem_tra", "Công tác kiểm tra, giám sát, kỷ luật đảng"),
    ),
    "leader": _criteria(*_INDIVIDUAL, ("lanh_dao", "Kết quả lãnh đạo, quản lý lĩnh vực, đơn vị phụ trách")),
    "member": _criteria(*_INDIVIDUAL),
    "outside": _criteria(*_INDIVIDUAL[:3], ("nhiem_vu_dv", "Thực hiện nhiệm vụ đảng viên nơi làm việc và nơi cư trú")),
}
# a code names one criterion whatever the subject type (the check's reason names it from the code)
assert len({c.code: c.name for cs in GRADED_CRITERIA.values() for c in cs}) == len(
    {(c.code, c.name) for cs in GRADED_CRITERIA.values() for c in cs})


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
    graded_criteria = GRADED_CRITERIA

    def findings(self, facts: Facts) -> list[Verdict]:
        out: list[Verdict] = []
        # no points: the level cannot exceed the weakest graded criterion
        for criterion, grade in facts.grades.items():
            if grade in self.codes() and grade != EXCELLENT:
                out.append(Verdict("criterion", _("Tiêu chí “%(c)s” chỉ đạt mức “%(l)s”.") % {
                    "c": self.criterion_name(criterion), "l": self.level(grade).name}, max_level=grade))
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
