"""Part B of a report (tự chấm điểm, đề xuất xếp loại) as the campaign's rules profile asks it
for the review's subject type: QĐ 366 the common points by criteria group with their maxima and
the task points; QĐ 124 a grade per criterion; the legacy profile only a proposed level. The
levels offered are the profile's for that kind of subject.

The profiles live in `kiemdiem.ratings.rules`: pure data and functions without models, the one
thing this app reads from the ratings app (the profile is named by the campaign)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _


def profile_of(review):
    from kiemdiem.ratings.rules import get_profile

    return get_profile(review.campaign.rules_profile)


def subject_type(review) -> str:
    from kiemdiem.ratings.rules.base import subject_type_of

    return subject_type_of(review.form)


def spec_for(review):
    """The profile's `FormSpec` for this review. The quarterly self-rating (Mẫu 05) asks only
    for a proposed level: its tasks and their results come from the task register."""
    profile = profile_of(review)
    if review.form == "05":
        from kiemdiem.ratings.rules.base import FormSpec

        return FormSpec(profile_key=profile.key, subject_type="member", levels=profile.levels_for("member"))
    return profile.form_spec(subject_type(review))


def level_name(review, code: str | None = None) -> str:
    """The name of `code` (default: the proposed level) in the review's profile, "" if none."""
    code = review.proposed_level if code is None else code
    if not code:
        return ""
    return profile_of(review).level_name(code, subject_type(review))


@dataclass
class Line:
    """One line of part B as the report, the DOCX and the API show it."""

    code: str
    name: str
    maximum: Decimal | None = None  # points (QĐ 366)
    value: Decimal | None = None  # the points given
    grade: str = ""  # a level code (QĐ 124)
    grade_name: str = ""


def lines(review) -> dict:
    """What part B holds, per the profile: {"scored": bool, "groups": [Line], "tasks": Line,
    "total": (value, maximum), "graded": [Line], "level": code, "level_name": name}."""
    spec = spec_for(review)
    criteria = review.criteria or {}
    out = {"scored": spec.scored, "groups": [], "tasks": None, "total": None, "common": None, "graded": [],
           "level": review.proposed_level, "level_name": level_name(review)}
    if spec.scored:
        out["groups"] = [Line(g.code, g.name, g.max_points, Decimal(criteria[g.code]) if g.code in criteria else None)
                         for g in spec.groups]
        out["common"] = Line("common", _("Tiêu chí chung"), spec.common_max, review.self_score_common)
        out["tasks"] = Line("tasks", _("Kết quả thực hiện nhiệm vụ"), spec.tasks_max, review.self_score_tasks)
        out["total"] = Line("total", _("Tổng cộng"), spec.total_max, review.self_score_total)
    for c in spec.graded:
        grade = criteria.get(c.code, "")
        out["graded"].append(Line(c.code, c.name, grade=grade, grade_name=spec.level_name(grade) if grade else ""))
    return out


def problems(review) -> list[str]:
    """What part B still lacks before the report can be submitted, in Vietnamese."""
    spec = spec_for(review)
    criteria = review.criteria or {}
    out = []
    if spec.scored:
        # the common points are the groups' sum; a total sent without its split (the API's
        # older shape) is accepted as such
        if review.self_score_common is None:
            missing = spec.missing(criteria) if criteria else []
            if missing:
                out += [_("Chưa tự chấm điểm nhóm tiêu chí “%(c)s” (phần B).") % {"c": c.name} for c in missing]
            else:
                out.append(_("Chưa tự chấm điểm (phần B)."))
        if review.self_score_tasks is None:
            out.append(_("Chưa tự chấm điểm kết quả thực hiện nhiệm vụ (phần B)."))
    out += [_("Chưa tự đánh giá tiêu chí “%(c)s” (phần B).") % {"c": c.name} for c in spec.graded if c.code not in criteria]
    if not review.proposed_level:
        out.append(_("Chưa tự đề xuất mức xếp loại (phần B)."))
    elif review.proposed_level not in spec.level_codes():
        out.append(_("Mức tự đề xuất không thuộc các mức xếp loại của quy định áp dụng (phần B)."))
    return out


def clean(review, *, criteria, common, tasks, proposed_level) -> tuple[dict, Decimal | None, Decimal | None, str]:
    """Part B checked against the profile before saving: (criteria, common, tasks, level).
    `criteria` None keeps the saved ones. Under QĐ 366 the common points are the sum of the
    groups once every group is scored (a typed total must agree with it); a total without its
    split is kept as typed. Raises ValidationError in Vietnamese."""
    from django.core.exceptions import ValidationError

    spec = spec_for(review)
    criteria = spec.clean_criteria(review.criteria if criteria is None else criteria)
    problems = []
    if spec.scored:
        if criteria:
            total = spec.common_total(criteria)
            if common is not None and total is not None and Decimal(common) != total:
                problems.append(_("Điểm tiêu chí chung là tổng điểm các nhóm tiêu chí (%(t)s).") % {
                    "t": format(total.normalize(), "f").replace(".", ",")})
            common = total
    elif common is not None or tasks is not None:
        problems.append(_("Quy định áp dụng cho đợt kiểm điểm này không chấm điểm."))
    if proposed_level and proposed_level not in spec.level_codes():
        problems.append(_("Mức xếp loại đề xuất không hợp lệ."))
    if problems:
        raise ValidationError(problems)
    return criteria, common, tasks, proposed_level or ""


def criterion_grades(campaign, wanted: set[int] | None = None) -> dict[int, dict[str, str]]:
    """review id -> {criterion code: level code} of the campaign's self-grades (QĐ 124), for the
    rules' `Facts.grades`. One query over the campaign's reviews with grades; none at all when
    the profile grades nothing."""
    from kiemdiem.ratings.rules import get_profile

    if not get_profile(campaign.rules_profile).graded_criteria:
        return {}
    from .models import Review

    rows = Review.objects.filter(campaign=campaign, criteria__isnull=False).exclude(criteria={}).values_list("id", "criteria")
    return {rid: dict(criteria) for rid, criteria in rows if wanted is None or rid in wanted}
