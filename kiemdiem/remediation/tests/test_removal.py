import datetime

import pytest
from django.core.exceptions import ValidationError

from kiemdiem.organisations import services as org_services
from kiemdiem.organisations.models import Member
from kiemdiem.remediation import services
from kiemdiem.remediation.choices import RemovalGround
from kiemdiem.remediation.models import RemovalCase
from kiemdiem.remediation.removal import candidates
from kiemdiem.testing import make_member

D = datetime.date


def meetings(cast, org, statuses_by_member, year=2025, months=range(1, 13)):
    for m in months:
        rows = [(member, statuses_by_member(member, m)) for member in Member.objects.filter(organisation=org)]
        services.cell_meeting_record(actor=None, organisation=org, held_on=D(year, m, 5), kind="regular", rows=rows)


def pay_all(member, year=2025, skip=()):
    for m in range(1, 13):
        if m not in skip:
            services.dues_record(actor=None, member=member, month=D(year, m, 1), amount=20000, paid_on=D(year, m, 10))


def by_member(found):
    return {(c["member_id"], c["ground"]): c for c in found}


def test_unexcused_absences_count_excused_do_not(cast):
    an, binh, dave = cast.members["an"], cast.members["binh"], cast.members["dave"]
    for m in (an, binh, dave):
        pay_all(m)

    def status(member, month):
        if member == an and month in (2, 5, 9):
            return "unexcused"
        if member == binh and month in (1, 2, 3, 4):
            return "excused"
        if member == dave and month in (3, 4):
            return "unexcused"
        return "present"

    meetings(cast, cast.C1, status)
    found = by_member(candidates(Member.objects.filter(organisation=cast.C1), 2025))
    assert set(found) == {(an.pk, RemovalGround.ABSENCE)}
    assert [e["month"] for e in found[(an.pk, RemovalGround.ABSENCE)]["evidence"]] == ["02/2025", "05/2025", "09/2025"]


def test_dues_and_the_mix_of_both(cast):
    an, binh, dave = cast.members["an"], cast.members["binh"], cast.members["dave"]
    pay_all(an, skip=(1, 7, 12))
    pay_all(binh, skip=(4,))
    pay_all(dave)
    meetings(cast, cast.C1, lambda m, month: "unexcused" if (m == binh and month in (6, 8)) else "present")
    found = by_member(candidates(Member.objects.filter(organisation=cast.C1), 2025))
    assert set(found) == {(an.pk, RemovalGround.DUES), (binh.pk, RemovalGround.ABSENCE_OR_DUES)}


def test_months_straddling_a_transfer_and_the_year_boundary(cast):
    dung = cast.members["dung"]
    # 2024 December unpaid does not count in 2025
    pay_all(dung, year=2024, skip=(10, 11, 12))
    pay_all(dung, skip=(6,))
    org_services.member_transfer(actor=None, member=dung, to=cast.C2, on_date=D(2025, 6, 15))
    # June is one month even though he was in two cells that month
    meetings(cast, cast.C3, lambda m, month: "present", months=range(1, 6))
    found = candidates(Member.objects.filter(pk=dung.pk), 2025)
    assert found == []
    found_2024 = candidates(Member.objects.filter(pk=dung.pk), 2024)
    assert [c["ground"] for c in found_2024] == [RemovalGround.DUES]
    # the current year only counts months already over
    services.dues_record(actor=None, member=dung, month=D(2025, 6, 1), amount=20000, paid_on=D(2025, 7, 1))
    assert candidates(Member.objects.filter(pk=dung.pk), 2026, today=D(2026, 3, 15)) == []
    assert candidates(Member.objects.filter(pk=dung.pk), 2026, today=D(2026, 4, 15))[0]["ground"] == RemovalGround.DUES


def test_probation_reaching_twelve_months(cast):
    new = make_member(cast.C2, "DV-060", "Lã Văn Mới", status="probationary", admitted_on=D(2024, 9, 2), official_on=None)
    pay_all(new)
    found = by_member(candidates(Member.objects.filter(pk=new.pk), 2025))
    assert found[(new.pk, RemovalGround.PROBATION)]["evidence"][0]["twelve_months_on"] == "2025-09-02"


def test_propose_decide_and_counts(cast):
    an = cast.members["an"]
    pay_all(an, skip=(1, 2, 3))
    probationary = make_member(cast.C1, "DV-061", "Khúc Văn Dự", status="probationary", admitted_on=D(2024, 1, 1), official_on=None)
    pay_all(probationary, skip=(1, 2, 3))
    for m in (cast.members["dave"], cast.members["binh"]):
        pay_all(m)
    assert services.removal_refresh(actor=None, organisation=cast.PX, year=2025) >= 2
    case = RemovalCase.objects.get(member=an, ground=RemovalGround.DUES)
    with pytest.raises(ValidationError, match="chưa đề nghị"):
        services.removal_decide(actor=None, case=case, body=cast.PX, remove=True, decision_number="1", decided_on=D(2026, 1, 10))
    with pytest.raises(ValidationError, match="chi bộ nơi"):
        services.removal_propose(actor=None, case=case, cell=cast.C2, reason="x")
    services.removal_propose(actor=None, case=case, cell=cast.C1, reason="Không đóng đảng phí 3 tháng")
    services.removal_decide(actor=cast.grace, case=case, body=cast.PX, remove=True, decision_number="12-QĐ/ĐU", decided_on=D(2026, 1, 10))
    an.refresh_from_db()
    assert an.status == "removed" and an.memberships.get().end == D(2026, 1, 10)
    other = RemovalCase.objects.get(member=probationary, ground=RemovalGround.DUES)
    services.removal_propose(actor=None, case=other, cell=cast.C1, reason="Không đóng đảng phí")
    services.removal_decide(actor=None, case=other, body=cast.PX, remove=True, decision_number="13-QĐ/ĐU", decided_on=D(2026, 2, 1))
    assert services.removal_counts(cast.TU.path, D(2026, 1, 1), D(2026, 3, 31)) == {"official": 1, "probationary": 1}


def test_months_before_joining_and_months_not_over_do_not_count(cast):
    # joined in October 2025: January–September are not unpaid months, October–December are
    late = make_member(cast.C2, "DV-062", "Đỗ Văn Muộn", admitted_on=D(2025, 10, 3), official_on=None, status="probationary")
    assert [c["ground"] for c in candidates(Member.objects.filter(pk=late.pk), 2025)] == [RemovalGround.DUES]
    services.dues_record(actor=None, member=late, month=D(2025, 11, 1), amount=20000, paid_on=D(2025, 11, 9))
    assert candidates(Member.objects.filter(pk=late.pk), 2025) == []
    # a year not begun yet has no month over; today defaults to the local date, not the year's end
    cuong = cast.members["cuong"]
    assert candidates(Member.objects.filter(pk=cuong.pk), 2025, today=D(2024, 6, 1)) == []
    assert candidates(Member.objects.filter(pk=cuong.pk), 2025, today=D(2025, 1, 20)) == []
    from django.utils import timezone

    this_year = timezone.localdate().year
    pay_all(cuong, year=this_year)
    assert candidates(Member.objects.filter(pk=cuong.pk), this_year) == []


def test_removed_members_and_other_units_are_left_out(cast):
    an, cuong = cast.members["an"], cast.members["cuong"]
    Member.objects.filter(pk=an.pk).update(status="removed")  # nothing paid by either in 2025
    found = by_member(candidates(Member.objects.filter(organisation__path__startswith=cast.C1.path), 2025))
    assert an.pk not in {m for m, _g in found} and cuong.pk not in {m for m, _g in found}
    assert {m for m, _g in found} == {cast.members["dave"].pk, cast.members["binh"].pk}
    # evidence lists every month with its absences (dates) and whether dues were paid
    ev = found[(cast.members["dave"].pk, RemovalGround.DUES)]["evidence"]
    assert len(ev) == 12 and ev[0] == {"month": "01/2025", "unexcused_absences": [], "dues_paid": False}


def test_refresh_is_idempotent_and_keeps_proposed_cases(cast):
    an, binh, dave = cast.members["an"], cast.members["binh"], cast.members["dave"]
    pay_all(an, skip=(2, 3))
    for m in (binh, dave, cast.members["cuong"]):
        pay_all(m)
    meetings(cast, cast.C1, lambda m, month: "unexcused" if (m == an and month == 4) else "present", months=range(1, 5))
    assert services.removal_refresh(actor=None, organisation=cast.PX, year=2025) == 1
    case = RemovalCase.objects.get(member=an)
    assert case.ground == RemovalGround.ABSENCE_OR_DUES and case.org_path == cast.C1.path
    assert [(e["month"], e["unexcused_absences"], e["dues_paid"]) for e in case.evidence] == [
        ("02/2025", [], False), ("03/2025", [], False), ("04/2025", ["2025-04-05"], True)]
    assert services.removal_refresh(actor=None, organisation=cast.PX, year=2025) == 0
    assert RemovalCase.objects.count() == 1
    # new evidence refreshes a candidate, never a case already proposed
    meetings(cast, cast.C1, lambda m, month: "unexcused" if m == an else "present", months=(6,))
    assert services.removal_refresh(actor=None, organisation=cast.PX, year=2025) == 0
    case.refresh_from_db()
    assert [e["month"] for e in case.evidence] == ["02/2025", "03/2025", "04/2025", "06/2025"]
    services.removal_propose(actor=None, case=case, cell=cast.C1, reason="Bỏ sinh hoạt, không đóng đảng phí")
    meetings(cast, cast.C1, lambda m, month: "unexcused" if m == an else "present", months=(7,))
    assert services.removal_refresh(actor=None, organisation=cast.PX, year=2025) == 1  # absent 3 months: a new ground
    case.refresh_from_db()
    assert case.state == "proposed" and [e["month"] for e in case.evidence] == ["02/2025", "03/2025", "04/2025", "06/2025"]
    # a new ground for the same member and year is a new case
    assert RemovalCase.objects.filter(member=an, year=2025).count() == 2
