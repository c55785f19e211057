"""Services and selectors of the task register, declarations and confidence votes."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kiemdiem.core.models import AuditEvent
from kiemdiem.performance import selectors, services
from kiemdiem.performance.models import ConfidenceVote, TaskAssignment, TaskDeclaration
from kiemdiem.testing import make_member

D = datetime.date
Y0, Y1 = D(2025, 1, 1), D(2025, 12, 31)


def task(cast, subject, status="pending", deadline=D(2025, 6, 30), completed_on=None, quality_met=True, title=None):
    kw = {"member": subject} if hasattr(subject, "full_name") else {"organisation": subject}
    if completed_on is None and status in ("on_time", "beyond"):
        completed_on = deadline
    if completed_on is None and status == "late":
        completed_on = deadline + datetime.timedelta(days=3)
    return services.task_create(actor=cast.alice, title=title or f"Nhiệm vụ {status}", deadline=deadline, status=status,
                                completed_on=completed_on, quality_met=quality_met, **kw)


def test_task_create_snapshots_path_normalises_and_audits(cast):
    t = services.task_create(actor=cast.alice, member=cast.an, title="  Hoàn thành  báo cáo ", deadline=D(2025, 6, 30),
                             assigned_by="Chi ủy", assigned_on=D(2025, 1, 5))
    assert t.org_path == cast.C1.path and t.title == "Hoàn thành báo cáo" and t.status == "pending"
    assert AuditEvent.objects.filter(action="performance.task_create", org_path=cast.C1.path).exists()
    o = services.task_create(actor=cast.alice, organisation=cast.PX, title="Nghị quyết", deadline=D(2025, 3, 1))
    assert o.org_path == cast.PX.path


@pytest.mark.parametrize("kw, message", [
    ({"status": "on_time"}, "cần ngày hoàn thành"),
    ({"status": "late"}, "cần ngày hoàn thành"),
    ({"status": "pending", "completed_on": D(2025, 6, 1)}, "chưa có ngày hoàn thành"),
    ({"status": "on_time", "completed_on": D(2025, 7, 1)}, "chậm tiến độ"),
    ({"status": "beyond", "completed_on": D(2025, 7, 1)}, "chậm tiến độ"),
    ({"status": "late", "completed_on": D(2025, 6, 30)}, "không phải"),
    ({"status": "on_time", "completed_on": D(2099, 1, 1)}, "sau ngày hôm nay"),
    ({"assigned_on": D(2025, 7, 1)}, "trước ngày giao"),
    ({"status": "wrong"}, "không hợp lệ"),
    ({"title": " "}, "nội dung nhiệm vụ"),
])
def test_task_rules(cast, kw, message):
    args = {"title": "Nhiệm vụ", "deadline": D(2025, 6, 30), **kw}
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=cast.alice, member=cast.an, **args)
    assert message in " ".join(exc.value.messages)
    assert not TaskAssignment.objects.exists()


def test_task_needs_exactly_one_subject(cast):
    with pytest.raises(ValidationError):
        services.task_create(actor=cast.alice, title="x", deadline=D(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.task_create(actor=cast.alice, member=cast.an, organisation=cast.C1, title="x", deadline=D(2025, 1, 1))


def test_not_done_may_carry_a_date_and_update_then_delete(cast):
    t = task(cast, cast.an)
    services.task_update(actor=cast.alice, task=t, status="not_done")
    t = services.task_update(actor=cast.alice, task=t, status="late", completed_on=D(2025, 7, 5), quality_met=False,
                             evidence="Biên bản  số 3")
    assert (t.status, t.completed_on, t.quality_met, t.evidence) == ("late", D(2025, 7, 5), False, "Biên bản số 3")
    with pytest.raises(ValidationError):
        services.task_update(actor=cast.alice, task=t, status="pending")  # still has a completion date
    services.task_update(actor=cast.alice, task=t, status="pending", completed_on=None)
    assert TaskAssignment.objects.get(pk=t.pk).completed_on is None
    services.task_delete(actor=cast.alice, task=t)
    assert not TaskAssignment.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="performance.task").values_list("action", flat=True)
                .order_by("seq")) == ["performance.task_create"] + ["performance.task_update"] * 3 + ["performance.task_delete"]


def test_declaration_rules_and_upsert(cast):
    base = dict(actor=cast.alice, member=cast.an, period_start=Y0, period_end=Y1, basis="Báo cáo tổng kết năm")
    with pytest.raises(ValidationError, match="100%"):
        services.declaration_set(**base, on_time_pct=80, late_pct=10)
    with pytest.raises(ValidationError, match="vượt yêu cầu"):
        services.declaration_set(**base, on_time_pct=80, beyond_pct=90, late_pct=20)
    with pytest.raises(ValidationError, match="từ 0 đến 100"):
        services.declaration_set(**base, on_time_pct=120)
    with pytest.raises(ValidationError, match="căn cứ"):
        services.declaration_set(**{**base, "basis": "  "}, on_time_pct=100)
    d = services.declaration_set(**base, on_time_pct="33.33", late_pct="33.33", failed_pct="33.34")
    d2 = services.declaration_set(**base, on_time_pct=100, beyond_pct=40)
    assert d.pk == d2.pk and TaskDeclaration.objects.count() == 1
    assert TaskDeclaration.objects.get().beyond_pct == Decimal("40.00")


def test_confidence_vote_rules(cast):
    v = services.confidence_vote_record(actor=cast.alice, member=cast.an, body=cast.PX, held_on=D(2025, 11, 1), total=20,
                                        high=10, medium=4, low=6)
    assert v.low_pct == 30 and v.org_path == cast.C1.path
    for bad in ({"total": 0, "high": 0, "medium": 0, "low": 0}, {"total": 5, "high": 3, "medium": 2, "low": 1},
                {"total": 5, "high": -1, "medium": 0, "low": 0}):
        with pytest.raises(ValidationError):
            services.confidence_vote_record(actor=cast.alice, member=cast.an, body=cast.PX, held_on=D(2025, 11, 1), **bad)
    with pytest.raises(ValidationError, match="quản lý"):  # C3 is not above An
        services.confidence_vote_record(actor=cast.alice, member=cast.an, body=cast.C3, held_on=D(2025, 11, 1),
                                        total=5, high=5, medium=0, low=0)
    assert ConfidenceVote.objects.count() == 1


# --- selectors -----------------------------------------------------------------------------

def test_task_facts_shares_and_score(cast):
    for status in ("on_time", "on_time", "beyond", "late", "not_done", "pending"):
        task(cast, cast.an, status)
    task(cast, cast.an, "on_time", quality_met=False, title="Chất lượng chưa đạt")
    task(cast, cast.an, "not_done", deadline=D(2024, 12, 31))  # another period
    facts = selectors.task_facts(Y0, Y1, members=[cast.an.pk], organisations=[])
    f = facts[("m", cast.an.pk)]
    assert f.total == 7 and not f.declared
    assert f.on_time_pct == round(4 * 100 / 7, 2) and f.beyond_pct == round(100 / 7, 2)
    assert f.late_pct == round(100 / 7, 2) and f.failed_pct == round(200 / 7, 2)
    assert f.all_quality_met is False
    # 70 × (4 × 1 + 0.5) / 7 = 45.0
    assert f.score_tasks == Decimal("45.0")
    assert set(facts) == {("m", cast.an.pk)}


def test_score_rounds_to_half_points_and_credits_are_a_setting(cast, settings):
    for status in ("on_time", "on_time", "late"):
        task(cast, cast.binh, status)
    f = selectors.task_facts(Y0, Y1, members=[cast.binh.pk])[("m", cast.binh.pk)]
    assert f.score_tasks == Decimal("58.5")  # 70 × 2.5 / 3 = 58.33 -> 58.5
    assert f.all_quality_met is True and f.failed_pct == 0
    settings.KIEMDIEM_TASK_CREDITS = {"late": 0}
    f = selectors.task_facts(Y0, Y1, members=[cast.binh.pk])[("m", cast.binh.pk)]
    assert f.score_tasks == Decimal("46.5")  # 70 × 2 / 3 = 46.67 -> 46.5


def test_declaration_is_used_without_a_register_and_the_register_wins(cast):
    services.declaration_set(actor=cast.alice, member=cast.an, period_start=Y0, period_end=Y1, on_time_pct=90,
                             beyond_pct=35, late_pct=10, all_quality_met=True, basis="Báo cáo của chi bộ")
    services.declaration_set(actor=cast.alice, organisation=cast.C1, period_start=D(2024, 1, 1), period_end=D(2026, 12, 31),
                             on_time_pct=100, basis="Báo cáo nhiệm kỳ")
    facts = selectors.task_facts(Y0, Y1)
    an = facts[("m", cast.an.pk)]
    assert an.declared and an.total == 0 and an.score_tasks is None
    assert (an.on_time_pct, an.beyond_pct, an.late_pct, an.failed_pct, an.all_quality_met) == (90, 35, 10, 0, True)
    assert facts[("o", cast.C1.pk)].declared  # a declaration containing the period
    task(cast, cast.an, "late")
    an = selectors.task_facts(Y0, Y1, members=[cast.an.pk])[("m", cast.an.pk)]
    assert not an.declared and an.total == 1 and an.late_pct == 100 and an.score_tasks == Decimal(35)


def test_task_facts_query_count_does_not_grow_with_subjects(cast, django_assert_max_num_queries):
    extra = [make_member(cast.C2, f"DV-9{i:02d}", f"Đảng viên {i}") for i in range(12)]
    for i, m in enumerate(extra):
        task(cast, m, ("on_time", "late", "pending")[i % 3])
        if i % 2:
            services.declaration_set(actor=cast.alice, member=m, period_start=Y0, period_end=Y1, on_time_pct=100, basis="x")
    task(cast, cast.PX, "beyond")
    with django_assert_max_num_queries(4):
        few = selectors.task_facts(Y0, Y1, members=[extra[0].pk], organisations=[])
    with CaptureQueriesContext(connection) as many:
        everyone = selectors.task_facts(Y0, Y1, members=[m.pk for m in extra], organisations=[cast.PX.pk, cast.C1.pk])
    assert len(many.captured_queries) == 4 and len(everyone) == 13 and len(few) == 1
    with CaptureQueriesContext(connection) as unfiltered:
        assert selectors.task_facts(Y0, Y1) == everyone
    assert len(unfiltered.captured_queries) == 4


def test_id_lists_are_chunked(cast, monkeypatch):
    monkeypatch.setattr(selectors, "CHUNK", 2)
    members = [cast.an, cast.binh, cast.cuong, cast.members["dave"], cast.dung]
    for m in members:
        task(cast, m, "on_time")
    facts = selectors.task_facts(Y0, Y1, members=[m.pk for m in members], organisations=[])
    assert len(facts) == 5


def test_low_confidence_takes_the_latest_vote_in_the_period(cast):
    vote = lambda m, day, low: services.confidence_vote_record(  # noqa: E731
        actor=cast.alice, member=m, body=cast.PX, held_on=day, total=10, high=10 - low, medium=0, low=low)
    vote(cast.an, D(2025, 3, 1), 6)
    vote(cast.an, D(2025, 10, 1), 2)
    vote(cast.an, D(2026, 2, 1), 9)  # after the period
    vote(cast.binh, D(2025, 5, 1), 7)
    assert selectors.low_confidence(Y0, Y1) == {cast.an.pk: 20.0, cast.binh.pk: 70.0}
    assert selectors.low_confidence(Y0, Y1, members=[cast.binh.pk]) == {cast.binh.pk: 70.0}


def test_area_tasks_done_pct(cast):
    for status in ("on_time", "late", "not_done", "pending"):
        task(cast, cast.PX, status)
    task(cast, cast.C1, "beyond")
    task(cast, cast.an, "not_done")  # a member's task is not the organisation's own
    assert selectors.area_tasks_done_pct(Y0, Y1, [cast.PX.pk, cast.C1.pk, cast.C2.pk]) == {cast.PX.pk: 50.0, cast.C1.pk: 100.0}
