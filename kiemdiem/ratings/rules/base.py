"""Rules profiles: a regulation's levels, scoring scheme and checks, as plain data and pure
functions. No database inside a rule: callers gather the facts (`Facts`) and get back verdicts
that carry a Vietnamese reason, so the same rule runs in a page, an API call, a bulk
calibration and a property-based test.
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    rank: int  # higher is better


# Subject types (the forms of Hướng dẫn 43-HD/BTCTW): a collective (Mẫu 01), a leader (2A), a
# member without a post (2B), a member working outside the political system (2C). The rules see
# only "member" or "collective"; a profile's form (part B) differs by subject type.
SUBJECT_TYPES = ("collective", "leader", "member", "outside")
FORM_SUBJECT_TYPES = {"01": "collective", "2A": "leader", "2B": "member", "2C": "outside"}
HALF = Decimal("0.5")


def subject_type_of(form: str) -> str:
    """The subject type of a review form code ("01", "2A", "2B", "2C")."""
    return FORM_SUBJECT_TYPES.get(form, "member")


def subject_of(subject_type: str) -> str:
    """"member" or "collective": what the levels and the checks tell apart."""
    return "collective" if subject_type == "collective" else "member"


@dataclass(frozen=True)
class Criterion:
    """A line of part B: a criteria group scored up to `max_points` (QĐ 366), or a criterion
    graded by level without points (QĐ 124, `max_points` None)."""

    code: str
    name: str
    max_points: Decimal | None = None


def points_text(value) -> str:
    """Decimal("27.5") -> "27,5", Decimal("6") -> "6" (how the forms print points)."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f").replace(".", ",")


@dataclass(frozen=True)
class FormSpec:
    """What part B of a self-review asks under one profile for one subject type: the common
    points split by criteria group with their maxima and the task points (QĐ 366), or each
    criterion's grade (QĐ 124), and always a proposed level among `levels` (highest first)."""

    profile_key: str
    subject_type: str
    groups: tuple[Criterion, ...] = ()  # scored criteria groups (their maxima sum to common_max)
    tasks_max: Decimal | None = None  # the task points, when the form has points
    graded: tuple[Criterion, ...] = ()  # criteria graded by level
    levels: tuple[Level, ...] = ()

    @property
    def scored(self) -> bool:
        return self.tasks_max is not None

    @property
    def common_max(self) -> Decimal | None:
        return sum((g.max_points for g in self.groups), Decimal(0)) if self.scored else None

    @property
    def total_max(self) -> Decimal | None:
        return self.common_max + self.tasks_max if self.scored else None

    def level_codes(self) -> list[str]:
        return [lv.code for lv in self.levels]

    def level_name(self, code: str) -> str:
        return next((lv.name for lv in self.levels if lv.code == code), code)

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in (*self.groups, *self.graded) if c.code == code), None)

    def clean_criteria(self, raw: dict | None) -> dict[str, str]:
        """The stored form of part B's per-criterion entries: {group code: points as text}
        (each 0..its maximum, in steps of 0.5) or {criterion code: level code}; blanks dropped.
        Raises ValidationError with every problem, in Vietnamese."""
        from django.core.exceptions import ValidationError

        out, problems = {}, []
        for code, value in (raw or {}).items():
            if value is None or str(value).strip() == "":
                continue
            criterion = self.criterion(code)
            if criterion is None:
                problems.append(_("Tiêu chí “%(c)s” không thuộc mẫu kiểm điểm theo quy định áp dụng.") % {"c": code})
                continue
            if criterion.max_points is None:
                if value not in self.level_codes():
                    problems.append(_("Tiêu chí “%(c)s”: mức đánh giá không hợp lệ.") % {"c": criterion.name})
                else:
                    out[code] = value
                continue
            try:
                points = Decimal(str(value).strip().replace(",", "."))
            except ArithmeticError:
                problems.append(_("Nhóm tiêu chí “%(c)s”: điểm phải là một số.") % {"c": criterion.name})
                continue
            if not points.is_finite() or not (0 <= points <= criterion.max_points):
                problems.append(_("Nhóm tiêu chí “%(c)s”: điểm phải từ 0 đến %(max)s.") % {
                    "c": criterion.name, "max": points_text(criterion.max_points)})
            elif points % HALF:
                problems.append(_("Nhóm tiêu chí “%(c)s”: điểm chỉ chấm đến 0,5 (ví dụ 5 hoặc 5,5).") % {"c": criterion.name})
            else:
                out[code] = format(points.normalize(), "f")
        if problems:
            raise ValidationError(problems)
        return out

    def common_total(self, criteria: dict) -> Decimal | None:
        """The common points: the sum of the groups, once every group is scored."""
        if not self.groups or any(g.code not in (criteria or {}) for g in self.groups):
            return None
        return sum((Decimal(criteria[g.code]) for g in self.groups), Decimal(0))

    def missing(self, criteria: dict) -> list[Criterion]:
        """The groups or graded criteria part B still lacks."""
        return [c for c in (*self.groups, *self.graded) if c.code not in (criteria or {})]


@dataclass(frozen=True)
class Verdict:
    """One finding about a subject. A *binding* finding is the regulation itself: it caps the
    level and nothing gets past it (no reason, role or API call). An *advisory* finding rests
    on evidence the deciding body may weigh otherwise: a written reason overrides it, and the
    reason is kept on the rating and in the audit log. Which codes are advisory is profile data
    (`Profile.advisory_codes`, overridable per profile by KIEMDIEM_ADVISORY_RULES)."""

    code: str
    reason: str
    binding: bool = True
    max_level: str | None = None  # the highest level this finding allows

    @property
    def severity(self) -> str:
        return "binding" if self.binding else "advisory"

    def as_dict(self) -> dict:
        return {"code": self.code, "reason": str(self.reason), "binding": self.binding, "max_level": self.max_level}


@dataclass(frozen=True)
class Assessment:
    """What the rules say of one subject rated at one level: the highest level the binding
    findings allow (`cap`), the binding findings the level breaks (nothing overrides them) and
    the advisory ones it goes against (a written reason overrides them)."""

    level: str
    cap: str
    binding: tuple[Verdict, ...]
    advisory: tuple[Verdict, ...]
    cap_reasons: tuple[str, ...]  # why the cap is what it is (the binding findings that set it)

    @property
    def allowed(self) -> bool:
        return not self.binding

    def needs_reason(self) -> bool:
        return bool(self.advisory)


@dataclass(frozen=True)
class DisciplineFact:
    form: str  # reprimand, warning, dismissal, expulsion (or dissolution for organisations)
    decided_on: datetime.date
    violation_on: datetime.date | None = None
    duty_related: bool = True
    self_detected_fixed: bool = False


DISCIPLINE_FORMS = ("reprimand", "warning", "dismissal", "expulsion", "dissolution")


@dataclass
class Facts:
    """What the rules need to know about one subject in one period. None means unknown."""

    subject: str = "member"  # member | collective
    is_leader: bool = False
    period_start: datetime.date = datetime.date(2025, 1, 1)
    period_end: datetime.date = datetime.date(2025, 12, 31)
    score_common: Decimal | None = None  # out of 30
    score_tasks: Decimal | None = None  # out of 70
    grades: dict[str, str] = field(default_factory=dict)  # QĐ 124: criterion -> level code
    tasks_all_on_time: bool | None = None
    tasks_quality_met: bool | None = None
    tasks_beyond_pct: float | None = None  # share of tasks done beyond requirement, 0..100
    tasks_late_pct: float | None = None
    tasks_failed_pct: float | None = None
    tasks_declared: bool = False  # the task shares were declared, not read from a task register
    prior_shortcomings_all_fixed: bool | None = None
    degraded: bool = False  # suy thoái
    breached_prohibitions: bool = False  # "19 điều đảng viên không được làm"
    disciplines: list[DisciplineFact] = field(default_factory=list)
    # leaders
    units_failing_pct: float | None = None  # of units under them rated KHTNV
    low_confidence_pct: float | None = None
    area_tasks_done_pct: float | None = None
    corruption_disciplined_in_remit: bool = False
    # collectives
    member_disciplined_or_degraded: bool = False
    disunity: bool = False
    subordinate_or_leader_disciplined: bool = False
    # trigger codes whose conclusion records that the subject found and fixed the problem
    # themselves (with its evidence): the regulation's softening applies to those
    softened: frozenset = frozenset()

    @property
    def score(self) -> Decimal | None:
        if self.score_common is None or self.score_tasks is None:
            return None
        return Decimal(self.score_common) + Decimal(self.score_tasks)

    def disciplines_in_period(self) -> list[DisciplineFact]:
        """A violation disciplined in this period counts in this period, even if older."""
        return [d for d in self.disciplines if self.period_start <= d.decided_on <= self.period_end]


@dataclass(frozen=True)
class QuotaResult:
    allowed: int
    excellent: int
    good: int
    percent: int

    @property
    def excess(self) -> int:
        return max(0, self.excellent - self.allowed)


class Profile:
    """Base class; a profile module subclasses it and registers an instance."""

    key: str = ""
    name: str = ""
    valid_from: datetime.date = datetime.date.min
    levels: tuple[Level, ...] = ()
    excellent: str | None = None  # the level under quota
    good: str | None = None  # the level the quota is a share of
    quota_percent: int = 20
    quota_raised_percent: int = 25
    # verdict codes that are advisory under this profile (everything else is binding); the
    # setting KIEMDIEM_ADVISORY_RULES = {profile key: [codes]} replaces it where the domain
    # notes mark a rule unverified
    advisory_codes: frozenset[str] = frozenset()
    # comparable groups for the quota (HD 43: "among comparable subjects decided by the
    # competent level"): a rating's subject kind -> its group and the group's Vietnamese name.
    # Unverified in detail (domain.md): the setting KIEMDIEM_QUOTA_GROUPS = {profile key:
    # {subject kind: group}} replaces the mapping
    quota_groups: dict[str, str] = {
        "member": "members", "cell": "cells", "grassroots_cell": "grassroots", "grassroots": "grassroots",
        "intermediate": "intermediate", "district": "committees", "provincial": "committees",
        "bch": "leadership", "btv": "leadership", "tt": "leadership",
    }
    quota_group_names: dict[str, str] = {
        "members": "đảng viên", "cells": "chi bộ", "grassroots": "tổ chức cơ sở đảng", "intermediate": "đảng bộ bộ phận",
        "committees": "đảng bộ cấp trên cơ sở", "leadership": "tập thể lãnh đạo",
    }

    def quota_group(self, subject_kind: str) -> str:
        from django.conf import settings

        configured = (getattr(settings, "KIEMDIEM_QUOTA_GROUPS", None) or {}).get(self.key)
        mapping = configured if configured is not None else self.quota_groups
        return mapping.get(subject_kind, subject_kind)
    # Part B of the self-review (profile data, see FormSpec), per subject type: the common points
    # split by criteria group with their maxima, and the task points (QĐ 366); criteria graded
    # by level without points (QĐ 124); nothing but a proposed level (legacy)
    criteria_groups: dict[str, tuple[Criterion, ...]] = {}
    tasks_max: Decimal | None = None
    graded_criteria: dict[str, tuple[Criterion, ...]] = {}
    # the levels each kind of subject may be given ("member", "collective"), codes from `levels`
    # (names may differ by subject); absent: every level
    subject_levels: dict[str, tuple[Level, ...]] = {}

    def levels_for(self, subject: str) -> tuple[Level, ...]:
        """The levels of "member" or "collective" (a subject type also works), highest first."""
        found = self.subject_levels.get(subject_of(subject)) or self.levels
        return tuple(sorted(found, key=lambda lv: -lv.rank))

    def codes_for(self, subject: str) -> list[str]:
        return [lv.code for lv in self.levels_for(subject)]

    def level_name(self, code: str, subject: str | None = None) -> str:
        """A level's name for the subject (legacy: members and organisations name them apart)."""
        if subject:
            for lv in self.levels_for(subject):
                if lv.code == code:
                    return lv.name
        for lv in self.levels:
            if lv.code == code:
                return lv.name
        return code

    def form_spec(self, subject_type: str) -> FormSpec:
        """What part B asks of a subject type ("collective", "leader", "member", "outside")."""
        if subject_type not in SUBJECT_TYPES:
            raise KeyError(subject_type)
        return FormSpec(profile_key=self.key, subject_type=subject_type,
                        groups=self.criteria_groups.get(subject_type, ()) if self.tasks_max is not None else (),
                        tasks_max=self.tasks_max, graded=self.graded_criteria.get(subject_type, ()),
                        levels=self.levels_for(subject_type))

    def criterion_name(self, code: str) -> str:
        """The name of a criterion or group code under any subject type (else the code)."""
        for table in (self.graded_criteria, self.criteria_groups):
            for criteria in table.values():
                for c in criteria:
                    if c.code == code:
                        return c.name
        return code

    def is_advisory(self, code: str) -> bool:
        from django.conf import settings

        configured = (getattr(settings, "KIEMDIEM_ADVISORY_RULES", None) or {}).get(self.key)
        return code in (frozenset(configured) if configured is not None else self.advisory_codes)

    def classify(self, verdicts: list[Verdict]) -> list[Verdict]:
        """The profile's verdicts with `binding` set from its advisory codes."""
        return [v if v.binding != self.is_advisory(v.code) else Verdict(v.code, v.reason, not v.binding, v.max_level)
                for v in verdicts]

    def level(self, code: str) -> Level:
        for lv in self.levels:
            if lv.code == code:
                return lv
        raise KeyError(code)

    def codes(self) -> list[str]:
        return [lv.code for lv in self.levels]

    def rank(self, code: str) -> int:
        return self.level(code).rank

    def lowest(self) -> str:
        return min(self.levels, key=lambda lv: lv.rank).code

    def level_for_score(self, facts: Facts) -> str | None:
        return None

    def findings(self, facts: Facts) -> list[Verdict]:
        """Everything that caps the subject's level, each with its reason."""
        return []

    def best(self) -> str:
        return max(self.levels, key=lambda lv: lv.rank).code

    def max_level(self, facts: Facts) -> str:
        """The highest level the binding findings allow."""
        return self._cap(self.classify(self.findings(facts)), facts.subject)[0]

    def _cap(self, verdicts: list[Verdict], subject: str = "member") -> tuple[str, list[Verdict]]:
        caps = [v for v in verdicts if v.max_level and v.binding]
        cap = min([self.levels_for(subject)[0].code, *(v.max_level for v in caps)], key=self.rank)
        return cap, [v for v in caps if v.max_level == cap]

    def check(self, facts: Facts, level: str) -> list[Verdict]:
        """Verdicts on rating `facts` at `level`: binding ones where the level is above what the
        regulation allows, advisory ones where it is above what the evidence suggests. A level
        of another kind of subject (legacy: "trong sạch vững mạnh" for a member) is unknown."""
        if level not in self.codes_for(facts.subject):
            return [Verdict("unknown_level", str(_("Mức xếp loại không thuộc quy định này.")))]
        return [v for v in self.classify(self.findings(facts)) if v.max_level and self.rank(level) > self.rank(v.max_level)]

    def assess(self, facts: Facts, level: str) -> Assessment:
        """`check` split into binding and advisory, with the cap and the reasons for it."""
        findings = self.classify(self.findings(facts))
        cap, setting = self._cap(findings, facts.subject)
        if level not in self.codes_for(facts.subject):
            unknown = Verdict("unknown_level", str(_("Mức xếp loại không thuộc quy định này.")))
            return Assessment(level, cap, (unknown,), (), tuple(str(v.reason) for v in setting))
        over = [v for v in findings if v.max_level and self.rank(level) > self.rank(v.max_level)]
        return Assessment(level=level, cap=cap, binding=tuple(v for v in over if v.binding),
                          advisory=tuple(v for v in over if not v.binding), cap_reasons=tuple(str(v.reason) for v in setting))

    def quota(self, good: int, excellent: int, raised: bool = False) -> QuotaResult:
        """Excellent may be at most quota_percent of those rated good (rounded down: the
        quota is an upper bound); raised to quota_raised_percent for outstanding units."""
        percent = self.quota_raised_percent if raised else self.quota_percent
        return QuotaResult(allowed=math.floor(good * percent / 100), excellent=excellent, good=good, percent=percent)

    def check_quota(self, levels: list[str], raised: bool = False, group: str = "", body: str = "") -> list[Verdict]:
        """Quota over the decisions of one deciding body (`body`, its name) for one group of
        comparable subjects (`group`, a key of quota_group_names)."""
        if not self.excellent:
            return []
        result = self.quota(levels.count(self.good), levels.count(self.excellent), raised)
        if result.excess:
            where = ", ".join(x for x in (self.quota_group_names.get(group, group), body) if x)
            return [Verdict(
                "quota",
                str(_("Vượt tỷ lệ: %(excess)d quá nhiều ở mức “%(level)s” (tối đa %(allowed)d, bằng %(pct)d%% của %(good)d "
                      "được xếp loại “%(good_name)s”).") % {
                    "excess": result.excess, "level": self.level(self.excellent).name, "allowed": result.allowed,
                    "pct": result.percent, "good": result.good, "good_name": self.level(self.good).name})
                .rstrip(".") + (f" — {where}." if where else "."),
            )]
        return []


def discipline_form_label(form: str) -> str:
    """The Vietnamese name of a discipline form code ("reprimand" → "Khiển trách"), for reasons."""
    from kiemdiem.discipline.choices import DisciplineForm  # plain choices, no database

    try:
        return str(DisciplineForm(form).label).lower()
    except ValueError:
        return form
