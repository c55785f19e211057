"""Rules profiles: unit cases from domain.md, and properties that must hold for any input."""
import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from kiemdiem.ratings.rules import PROFILES, DisciplineFact, Facts, get_profile

D = datetime.date
QD366 = get_profile("qd366-2025")
QD124 = get_profile("qd124-2023")


@pytest.mark.parametrize("good,allowed", [(19, 3), (15, 3), (4, 0), (5, 1), (0, 0), (10, 2), (24, 4)])
def test_quota_is_20_percent_of_good_rounded_down(good, allowed):
    assert QD366.quota(good, 0).allowed == allowed
    assert QD124.quota(good, 0).allowed == allowed


def test_quota_can_be_raised_to_25_percent():
    assert QD366.quota(19, 0, raised=True).allowed == 4
    assert QD366.quota(4, 0, raised=True).allowed == 1


def test_quota_verdict_names_the_excess():
    levels = ["HTTNV"] * 10 + ["HTXSNV"] * 4
    [v] = QD366.check_quota(levels)
    assert v.code == "quota" and "2 quá nhiều" in v.reason and "Hoàn thành xuất sắc nhiệm vụ" in v.reason
    assert QD366.check_quota(["HTTNV"] * 10 + ["HTXSNV"] * 2) == []


@pytest.mark.parametrize("common,tasks,level", [
    (30, 60, "HTXSNV"), (27, 63, "HTXSNV"), (25, 64.9, "HTTNV"), (20, 50, "HTTNV"),
    (20, 49.5, "HTNV"), (15, 35, "HTNV"), (10, 39.9, "KHTNV"), (0, 0, "KHTNV"),
])
def test_score_bands_90_70_50(common, tasks, level):
    facts = Facts(score_common=Decimal(str(common)), score_tasks=Decimal(str(tasks)))
    assert QD366.level_for_score(facts) == level
    assert QD366.max_level(facts) == level


def test_excellent_needs_its_extra_conditions():
    base = dict(score_common=Decimal(28), score_tasks=Decimal(65))
    assert QD366.max_level(Facts(**base, tasks_all_on_time=True, tasks_beyond_pct=40)) == "HTXSNV"
    assert QD366.max_level(Facts(**base, tasks_all_on_time=True, tasks_beyond_pct=20)) == "HTTNV"
    # advisory (section III is the subject's own account): it does not cap, it asks for a reason
    assert QD366.max_level(Facts(**base, prior_shortcomings_all_fixed=False)) == "HTXSNV"
    collective = Facts(subject="collective", subordinate_or_leader_disciplined=True, **base)
    assert QD366.max_level(collective) == "HTTNV"
    verdicts = QD366.check(Facts(**base, prior_shortcomings_all_fixed=False), "HTXSNV")
    assert [(v.code, v.binding) for v in verdicts] == [("excellent_prior", False)]
    assert "kỳ trước" in verdicts[0].reason


def test_good_and_done_conditions():
    base = dict(score_common=Decimal(25), score_tasks=Decimal(55))
    assert QD366.max_level(Facts(**base, tasks_all_on_time=False)) == "HTNV"
    assert QD366.max_level(Facts(**base, tasks_late_pct=25)) == "KHTNV"


def test_discipline_in_the_period_triggers_not_done_even_for_an_older_violation():
    old_violation = DisciplineFact(form="reprimand", decided_on=D(2025, 3, 1), violation_on=D(2021, 5, 1), duty_related=True)
    facts = Facts(score_common=Decimal(28), score_tasks=Decimal(65), disciplines=[old_violation])
    assert QD366.max_level(facts) == "KHTNV"
    [v] = [v for v in QD366.check(facts, "HTTNV") if v.code == "disciplined"]
    assert "kỷ luật" in v.reason
    # decided in an earlier period: does not count now
    earlier = DisciplineFact(form="warning", decided_on=D(2024, 12, 1))
    assert QD366.max_level(Facts(score_common=Decimal(28), score_tasks=Decimal(65), disciplines=[earlier])) == "HTXSNV"


def test_self_detected_and_fixed_is_softened(settings):
    d = DisciplineFact(form="reprimand", decided_on=D(2025, 3, 1), self_detected_fixed=True)
    facts = Facts(score_common=Decimal(28), score_tasks=Decimal(65), disciplines=[d])
    assert QD366.max_level(facts) == "HTNV"
    settings.KIEMDIEM_QD366_SOFTENED_CAP = "HTTNV"  # unverified rule: configurable
    assert QD366.max_level(facts) == "HTTNV"


@pytest.mark.parametrize("field,value", [
    ("degraded", True), ("breached_prohibitions", True), ("tasks_failed_pct", 51),
])
def test_member_triggers(field, value):
    facts = Facts(score_common=Decimal(30), score_tasks=Decimal(70), **{field: value})
    assert QD366.max_level(facts) == "KHTNV"


@pytest.mark.parametrize("field,value", [
    ("units_failing_pct", 51), ("low_confidence_pct", 51), ("area_tasks_done_pct", 69), ("corruption_disciplined_in_remit", True),
])
def test_leader_triggers_apply_only_to_leaders(field, value):
    assert QD366.max_level(Facts(score_common=Decimal(30), score_tasks=Decimal(70), is_leader=True, **{field: value})) == "KHTNV"
    assert QD366.max_level(Facts(score_common=Decimal(30), score_tasks=Decimal(70), is_leader=False, **{field: value})) == "HTXSNV"


def test_collective_triggers():
    for kw in ({"member_disciplined_or_degraded": True}, {"disunity": True}):
        assert QD366.max_level(Facts(subject="collective", score_common=Decimal(30), score_tasks=Decimal(70), **kw)) == "KHTNV"


def test_qd124_grades_and_discipline():
    assert QD124.max_level(Facts(grades={"Chính trị tư tưởng": "HTXSNV", "Thực hiện nhiệm vụ": "HTTNV"})) == "HTTNV"
    disciplined = Facts(disciplines=[DisciplineFact(form="reprimand", decided_on=D(2025, 6, 1), duty_related=False)])
    assert QD124.max_level(disciplined) == "KHTNV"
    self_found = Facts(disciplines=[DisciplineFact(form="reprimand", decided_on=D(2025, 6, 1), self_detected_fixed=True)])
    assert QD124.max_level(self_found) == "HTXSNV"


def test_profiles_are_independent_versions():
    # adding the 2025 profile did not change the 2023 one: a duty-unrelated discipline still
    # caps at KHTNV under 124 but not under 366 (which requires duty-related)
    facts = Facts(score_common=Decimal(28), score_tasks=Decimal(65),
                  disciplines=[DisciplineFact(form="reprimand", decided_on=D(2025, 6, 1), duty_related=False)])
    assert QD124.max_level(facts) == "KHTNV"
    assert QD366.max_level(facts) == "HTXSNV"
    assert set(PROFILES) == {"qd366-2025", "qd124-2023", "legacy-tsvm"}
    assert get_profile("legacy-tsvm").check_quota(["TSVM"] * 3) == []


# --- properties -------------------------------------------------------------------------------

LEVELS = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
disciplines = st.lists(st.builds(
    DisciplineFact,
    form=st.sampled_from(["reprimand", "warning", "dismissal", "expulsion"]),
    decided_on=st.dates(D(2024, 1, 1), D(2026, 6, 30)),
    duty_related=st.booleans(),
    self_detected_fixed=st.booleans(),
), max_size=3)
facts_strategy = st.builds(
    Facts,
    subject=st.sampled_from(["member", "collective"]),
    is_leader=st.booleans(),
    score_common=st.decimals(0, 30, places=1),
    score_tasks=st.decimals(0, 70, places=1),
    tasks_all_on_time=st.none() | st.booleans(),
    tasks_beyond_pct=st.none() | st.floats(0, 100),
    tasks_late_pct=st.none() | st.floats(0, 100),
    tasks_failed_pct=st.none() | st.floats(0, 100),
    prior_shortcomings_all_fixed=st.none() | st.booleans(),
    degraded=st.booleans(),
    disciplines=disciplines,
    units_failing_pct=st.none() | st.floats(0, 100),
)


@given(st.lists(st.sampled_from(LEVELS), max_size=80), st.booleans())
def test_no_accepted_set_of_decisions_exceeds_the_quota(levels, raised):
    for profile in (QD366, QD124):
        if not profile.check_quota(levels, raised):
            assert levels.count("HTXSNV") <= (levels.count("HTTNV") * (25 if raised else 20)) // 100


@given(facts_strategy, st.sampled_from(LEVELS))
@hsettings(max_examples=300)
def test_a_level_passes_the_checks_exactly_when_it_is_at_most_the_maximum(facts, level):
    for profile in (QD366, QD124):
        errors = [v for v in profile.check(facts, level) if v.binding]
        assert (not errors) == (profile.rank(level) <= profile.rank(profile.max_level(facts)))
        for v in errors:
            assert v.reason  # every refusal says why, in words


@given(facts_strategy)
@hsettings(max_examples=300)
def test_a_member_disciplined_for_duty_in_the_period_is_never_above_what_the_profile_allows(facts):
    counting = [d for d in facts.disciplines_in_period() if d.duty_related and facts.subject == "member"]
    if counting and not any(d.self_detected_fixed for d in counting):
        assert QD366.max_level(facts) == "KHTNV"
    elif counting:
        assert QD366.rank(QD366.max_level(facts)) <= QD366.rank("HTNV") or QD366.max_level(facts) == "KHTNV"


@given(facts_strategy)
def test_the_maximum_never_exceeds_the_score_band(facts):
    assert QD366.rank(QD366.max_level(facts)) <= QD366.rank(QD366.level_for_score(facts))
