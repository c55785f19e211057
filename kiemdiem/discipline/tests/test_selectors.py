"""The selectors the QĐ 366 rules call: results and a query count that does not grow with the
number of subjects."""
import datetime

from kiemdiem.discipline import selectors
from kiemdiem.discipline.selectors import ConclusionFact, conclusions_in_period, disciplined_under
from kiemdiem.discipline.services import conclusion_cancel, conclusion_record, discipline_record

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 31)


def _world(cast):
    m = cast.members

    def conclude(subject, kind, on, **kw):
        who = {"organisation": subject} if hasattr(subject, "path") else {"member": subject}
        body = cast.XY if subject in (m["dung"], cast.C3) else cast.PX
        return conclusion_record(actor=None, kind=kind, body=body, number=f"{on:%m%d}-KL/UBKT", concluded_on=on, **who, **kw)

    conclude(m["an"], "degraded", D(2025, 8, 1))
    conclude(m["an"], "prohibitions", D(2025, 3, 1), self_detected_fixed=True,
             self_fix_evidence="Tự báo cáo và nộp lại", self_fix_reference="BB 01/3/2025")
    conclude(m["an"], "prohibitions", D(2024, 12, 31))  # before the period
    conclude(m["binh"], "degraded", D(2026, 1, 1))  # after it
    conclude(cast.C2, "disunity", D(2025, 12, 31))  # last day counts
    conclude(m["dung"], "corruption_in_remit", D(2025, 1, 1))  # first day counts
    wrong = conclude(m["cuong"], "degraded", D(2025, 5, 5))
    conclusion_cancel(actor=None, conclusion=wrong, reason="Ghi nhầm")
    return m


def test_conclusions_in_period(cast):
    m = _world(cast)
    an, dung, c2 = ("m", m["an"].pk), ("m", m["dung"].pk), ("o", cast.C2.pk)
    everything = conclusions_in_period(START, END)
    assert everything == {
        an: (ConclusionFact("prohibitions", D(2025, 3, 1), True), ConclusionFact("degraded", D(2025, 8, 1), False)),
        dung: (ConclusionFact("corruption_in_remit", D(2025, 1, 1), False),),
        c2: (ConclusionFact("disunity", D(2025, 12, 31), False),),
    }
    assert conclusions_in_period(START, END, members=[m["an"].pk, m["cuong"].pk], organisations=[]) == {an: everything[an]}
    assert conclusions_in_period(START, END, members=[]) == {c2: everything[c2]}
    assert conclusions_in_period(START, END, organisations=()) == {an: everything[an], dung: everything[dung]}
    assert conclusions_in_period(START, END, members=iter([m["dung"].pk]), organisations=None) == {
        dung: everything[dung], c2: everything[c2]}
    assert conclusions_in_period(START, END, members=[], organisations=[]) == {}
    assert conclusions_in_period(D(2026, 1, 1), D(2026, 12, 31)) == {("m", m["binh"].pk): (
        ConclusionFact("degraded", D(2026, 1, 1), False),)}


def test_conclusions_query_count_does_not_grow_with_the_subjects(cast, django_assert_num_queries, monkeypatch):
    m = _world(cast)
    with django_assert_num_queries(1):
        conclusions_in_period(START, END)
    with django_assert_num_queries(1):
        conclusions_in_period(START, END, members=[m["an"].pk], organisations=[cast.C2.pk])
    with django_assert_num_queries(1):
        got = conclusions_in_period(START, END, members=range(1, 2001), organisations=range(1, 2001))
    assert got == conclusions_in_period(START, END)
    with django_assert_num_queries(0):
        conclusions_in_period(START, END, members=[], organisations=[])
    # over the chunk size: one query per chunk of the longer list, same answer
    monkeypatch.setattr(selectors, "CHUNK", 2)
    ids = [m[k].pk for k in ("an", "binh", "cuong", "dung", "dave")]
    with django_assert_num_queries(3):
        chunked = conclusions_in_period(START, END, members=ids, organisations=[cast.C2.pk])
    assert chunked == conclusions_in_period(START, END)
    with django_assert_num_queries(3):
        assert conclusions_in_period(START, END, members=ids, organisations=None) == chunked


def test_disciplined_under(cast, django_assert_num_queries):
    m = cast.members
    # a member of C2 (under PX, QA, TU) and the organisation C3 (under XY, QB, TU) in the period;
    # An (C1) before it
    discipline_record(actor=None, member=m["cuong"], form="reprimand", deciding_body=cast.PX, decision_number="1-QĐ/ĐU",
                      decided_on=D(2025, 6, 1))
    discipline_record(actor=None, organisation=cast.C3, form="warning", deciding_body=cast.XY, decision_number="2-QĐ/ĐU",
                      decided_on=D(2025, 12, 31))
    discipline_record(actor=None, member=m["an"], form="reprimand", deciding_body=cast.PX, decision_number="3-QĐ/ĐU",
                      decided_on=D(2024, 12, 31))
    every = [o.path for o in cast.orgs.values()]
    with django_assert_num_queries(1):
        found = disciplined_under(START, END, every)
    # strictly below: not C2 (its own member) nor C3 (itself); C1 only had one before the period
    assert found == {cast.TU.path, cast.QA.path, cast.PX.path, cast.QB.path, cast.XY.path}
    assert disciplined_under(START, END, [cast.C1.path, cast.C2.path, cast.C3.path, cast.BTCA.path]) == set()
    assert disciplined_under(START, END, [cast.PX.path]) == {cast.PX.path}
    assert disciplined_under(D(2024, 1, 1), D(2024, 12, 31), [cast.PX.path, cast.C1.path, cast.XY.path]) == {cast.PX.path}
    with django_assert_num_queries(0):
        assert disciplined_under(START, END, []) == set()
    # many paths (most unknown), still one query
    with django_assert_num_queries(1):
        assert disciplined_under(START, END, every + [f"{cast.TU.path}{n}." for n in range(10_000, 15_000)]) == found


def test_disciplined_under_keeps_the_unit_of_the_time(cast):
    """A member disciplined in C2 who then moves to C3 (the other branch) counts under PX, where
    the violation was, not under XY (domain.md section 5: a violation at a former unit counts
    against that unit)."""
    from kiemdiem.organisations.services import member_transfer

    discipline_record(actor=None, member=cast.members["cuong"], form="reprimand", deciding_body=cast.PX,
                      decision_number="1-QĐ/ĐU", decided_on=D(2025, 6, 1))
    member_transfer(actor=None, member=cast.members["cuong"], to=cast.C3, on_date=D(2025, 7, 1))
    assert disciplined_under(START, END, [cast.PX.path, cast.XY.path]) == {cast.PX.path}
