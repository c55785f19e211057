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


@dataclass(frozen=True)
class Verdict:
    code: str
    reason: str
    severity: str = "error"  # "error" blocks; "warning" needs a written reason to override
    max_level: str | None = None  # the highest level this finding allows


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

    def max_level(self, facts: Facts) -> str:
        caps = [v.max_level for v in self.findings(facts) if v.max_level and v.severity == "error"]
        best = max(self.levels, key=lambda lv: lv.rank).code
        return min([best, *caps], key=self.rank)

    def check(self, facts: Facts, level: str) -> list[Verdict]:
        """Verdicts on rating `facts` at `level`: errors where the level is above what the
        regulation allows, warnings where it is above what the evidence suggests."""
        if level not in self.codes():
            return [Verdict("unknown_level", str(_("Mức xếp loại không thuộc quy định này.")))]
        out = []
        for v in self.findings(facts):
            if v.max_level and self.rank(level) > self.rank(v.max_level):
                out.append(v)
        return out

    def quota(self, good: int, excellent: int, raised: bool = False) -> QuotaResult:
        """Excellent may be at most quota_percent of those rated good (rounded down: the
        quota is an upper bound); raised to quota_raised_percent for outstanding units."""
        percent = self.quota_raised_percent if raised else self.quota_percent
        return QuotaResult(allowed=math.floor(good * percent / 100), excellent=excellent, good=good, percent=percent)

    def check_quota(self, levels: list[str], raised: bool = False) -> list[Verdict]:
        """Quota over the decisions of one deciding body for comparable subjects."""
        if not self.excellent:
            return []
        result = self.quota(levels.count(self.good), levels.count(self.excellent), raised)
        if result.excess:
            return [Verdict(
                "quota",
                str(_("Vượt tỷ lệ: %(excess)d quá nhiều ở mức “%(level)s” (tối đa %(allowed)d, bằng %(pct)d%% của %(good)d "
                      "được xếp loại “%(good_name)s”).") % {
                    "excess": result.excess, "level": self.level(self.excellent).name, "allowed": result.allowed,
                    "pct": result.percent, "good": result.good, "good_name": self.level(self.good).name}),
            )]
        return []


def discipline_form_label(form: str) -> str:
    """The Vietnamese name of a discipline form code ("reprimand" → "Khiển trách"), for reasons."""
    from kiemdiem.discipline.choices import DisciplineForm  # plain choices, no database

    try:
        return str(DisciplineForm(form).label).lower()
    except ValueError:
        return form
