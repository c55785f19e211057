"""seed_demo (the articles' organisations and people) and seed_synthetic (the national-shaped
tree used by the benchmarks)."""
from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from kiemdiem.core.text import name_sort_key, search_key
from kiemdiem.organisations import selectors, services
from kiemdiem.organisations.choices import (
    MEMBER_HOLDING_KINDS,
    MembershipKind,
    Occupation,
    OrgKind,
    PartyStatus,
    PositionRole,
)
from kiemdiem.organisations.demo_data import DEMO_PASSWORD, PROVINCES_2025, REAL_NAMES, REAL_PEOPLE
from kiemdiem.organisations.models import (
    Member,
    Membership,
    Organisation,
    OrgPlacement,
    Position,
    ResidenceRegistration,
    RoleGrant,
)

STANDING = (PositionRole.SECRETARY, PositionRole.DEPUTY_SECRETARY, PositionRole.STANDING_MEMBER)


def seed_demo(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def assert_consistent_tree():
    """Paths and depths follow the parents; every member sits in a cell with one open official
    membership carrying that cell's path; every organisation has an open placement."""
    orgs = {o.pk: o for o in Organisation.objects.all()}
    for org in orgs.values():
        parent_path = orgs[org.parent_id].path if org.parent_id else ""
        assert org.path == f"{parent_path}{org.pk}.", org.code
        assert org.depth == org.path.count(".") - 1
    placements = dict(OrgPlacement.objects.filter(valid_to__isnull=True).values_list("organisation_id", "path"))
    assert placements == {pk: o.path for pk, o in orgs.items()}
    assert not Member.objects.exclude(organisation__kind__in=MEMBER_HOLDING_KINDS).exists()
    open_official = Membership.objects.filter(kind=MembershipKind.OFFICIAL, end__isnull=True)
    assert open_official.count() == Member.objects.count()
    rows = open_official.values_list("member__organisation_id", "organisation_id", "org_path", "start", "member__admitted_on")
    for member_org, org_id, org_path, start, admitted in rows:
        assert member_org == org_id
        assert org_path == orgs[org_id].path
        assert start >= admitted


def test_seed_demo_builds_the_articles_tree_once(db):
    # one test, one seeding: the seeding is the slow part
    output = seed_demo("--if-empty")
    for username in ("admin", "btc.binhthuy", "bt.yenlac", "cb.anthoi", "dangvien"):
        assert username in output
    assert DEMO_PASSWORD in output

    # Thành ủy Cần Thơ > Quận ủy Bình Thủy with its advisory bodies and units
    binh_thuy = Organisation.objects.get(code="CT-BT")
    assert binh_thuy.parent.name == "Thành ủy Cần Thơ" and binh_thuy.kind == OrgKind.DISTRICT
    bodies = set(binh_thuy.children.filter(kind=OrgKind.ADVISORY).values_list("name", flat=True))
    assert bodies == {
        "Ban Tổ chức Quận ủy Bình Thủy", "Ban Tuyên giáo Quận ủy Bình Thủy", "Ban Dân vận Quận ủy Bình Thủy",
        "Ủy ban Kiểm tra Quận ủy Bình Thủy", "Văn phòng Quận ủy Bình Thủy",
    }
    assert Organisation.objects.get(code="CT-BT-AT").name == "Đảng bộ phường An Thới"
    assert Organisation.objects.get(code="CT-BT-QS").parent == binh_thuy
    assert Organisation.objects.get(code="CT-NK-CK").parent.name == "Quận ủy Ninh Kiều"
    assert Organisation.objects.get(code="BTH-PT").parent.name == "Tỉnh ủy Bình Thuận"

    # the standing committee of 11, headed by Lê Hoàng Nam (also Thành ủy viên)
    btv = Position.objects.filter(organisation=binh_thuy, role__in=STANDING, end__isnull=True)
    assert btv.values("member").distinct().count() == 11
    secretary = btv.get(role=PositionRole.SECRETARY).member
    assert secretary.full_name == "Lê Hoàng Nam"
    assert secretary.positions.filter(organisation__code="CT", role=PositionRole.COMMITTEE_MEMBER, title="Thành ủy viên").exists()
    assert Organisation.objects.get(code="CT-BT-AT").positions.get(role=PositionRole.SECRETARY).member.full_name == "Nguyễn Hồng Hà"
    cai_khe = Organisation.objects.get(code="CT-NK-CK")
    assert cai_khe.positions.get(role=PositionRole.SECRETARY).member.full_name == "Mai Xuân Bình"
    assert cai_khe.positions.get(role=PositionRole.DEPUTY_SECRETARY).member.full_name == "Nguyễn Thanh Phong"
    hung = Member.objects.get(full_name="Lê Văn Hưng")
    assert hung.positions.filter(role=PositionRole.HEAD_OF_BODY, title="Trưởng Ban Tuyên giáo Thành ủy").exists()

    # real people: once each, only in the roles the articles give them, nothing else about them
    assert Member.objects.filter(full_name__in=REAL_NAMES).count() == len(REAL_PEOPLE)
    for person in REAL_PEOPLE:
        member = Member.objects.get(full_name=person.full_name)
        assert member.organisation.code == person.cell
        roles = set(member.positions.values_list("organisation__code", "role", "title"))
        assert roles == {(o, str(r), t) for o, r, t in person.positions}
        assert not member.residences.exists() and member.citizen_id is None
        assert member.status == PartyStatus.OFFICIAL and member.user is None

    # Yên Lạc: 61 grassroots units (17 xã, thị trấn), about 6,600 members
    yen_lac = Organisation.objects.get(code="VP-YL")
    grassroots = yen_lac.children.filter(kind__in=[OrgKind.GRASSROOTS, OrgKind.GRASSROOTS_CELL])
    assert grassroots.count() == 61
    communes = grassroots.filter(Q(name__startswith="Đảng bộ xã") | Q(name__startswith="Đảng bộ thị trấn"))
    assert communes.count() == 17
    assert grassroots.filter(kind=OrgKind.GRASSROOTS_CELL).count() > 30
    for commune in communes:
        assert commune.children.filter(kind=OrgKind.CELL, name__startswith="Chi bộ t").count() >= 8
    counts = selectors.member_counts(yen_lac)
    assert 6_600 <= counts[yen_lac.pk] <= 6_700
    cell_sizes = Member.objects.filter(organisation__path__startswith=yen_lac.path).values("organisation").annotate(n=Count("id"))
    average = counts[yen_lac.pk] / len(cell_sizes)
    assert 14 <= average <= 20

    # the generated population
    today = timezone.localdate()
    total = Member.objects.count()
    assert 6_900 <= total <= 9_000
    probationary = Member.objects.filter(status=PartyStatus.PROBATIONARY)
    assert probationary.exists()
    assert not probationary.filter(admitted_on__lte=today - datetime.timedelta(days=365)).exists()
    assert not Member.objects.filter(status=PartyStatus.OFFICIAL, admitted_on__gt=today - datetime.timedelta(days=365)).exists()
    assert 0 < Member.objects.filter(exempt_since__isnull=False).count() < total * 0.05
    for occupation in (Occupation.RETIRED, Occupation.STUDENT, Occupation.PRIVATE_BUSINESS):
        assert Member.objects.filter(occupation=occupation).exists()
    assert Member.objects.filter(gender="female").count() > total * 0.25
    assert ResidenceRegistration.objects.filter(end__isnull=True).exists()
    member = Member.objects.order_by("?").first()
    assert member.search_key == search_key(member.full_name, member.code)
    assert member.sort_key == name_sort_key(member.full_name)
    assert_consistent_tree()

    # accounts
    for username in ("admin", "btc.binhthuy", "bt.yenlac", "cb.anthoi", "dangvien"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    grants = set(RoleGrant.objects.values_list("user__username", "organisation__code", "role"))
    assert grants == {
        ("btc.binhthuy", "CT-BT", "staff"), ("bt.yenlac", "VP-YL", "committee"), ("cb.anthoi", "CT-BT-AT", "staff"),
    }
    dangvien = Member.objects.get(user__username="dangvien")
    assert dangvien.organisation.code == "CT-BT-AT-KV4" and not dangvien.positions.exists()
    assert dangvien.full_name not in REAL_NAMES
    assert Member.objects.get(user__username="bt.yenlac").positions.filter(
        organisation=yen_lac, role=PositionRole.SECRETARY
    ).exists()

    # --if-empty leaves a seeded database alone; without it the command refuses
    before = (Organisation.objects.count(), Member.objects.count(), Position.objects.count(), Membership.objects.count())
    assert "bỏ qua" in seed_demo("--if-empty")
    assert (Organisation.objects.count(), Member.objects.count(), Position.objects.count(), Membership.objects.count()) == before
    with pytest.raises(CommandError):
        seed_demo()


def test_seed_synthetic_builds_a_consistent_tree(db):
    out = io.StringIO()
    call_command("seed_synthetic", members=3_000, provinces=3, seed=1, stdout=out)
    roots = Organisation.objects.filter(parent__isnull=True)
    assert sorted(roots.values_list("name", flat=True)) == sorted(
        ["Thành ủy Hà Nội", "Thành ủy Hải Phòng", "Thành ủy Huế"]
    )
    assert len(PROVINCES_2025) == 34
    kinds = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[OrgKind.PROVINCIAL] == 3 and OrgKind.DISTRICT not in kinds
    assert kinds[OrgKind.GRASSROOTS] + kinds[OrgKind.GRASSROOTS_CELL] >= 20
    units = kinds[OrgKind.CELL] + kinds[OrgKind.GRASSROOTS_CELL]
    assert 150 <= units <= 200  # cells of ~17
    assert_consistent_tree()

    counts = selectors.member_counts()
    assert sum(counts[r.pk] for r in roots) == Member.objects.count() == 3_000
    assert counts == selectors.member_counts(None)
    assert not Member.objects.filter(Q(search_key="") | Q(sort_key="")).exists()
    member = Member.objects.order_by("?").first()
    assert member.search_key == search_key(member.full_name, member.code)
    assert member.sort_key == name_sort_key(member.full_name)

    # a second run needs --force and then adds a tree beside the first
    with pytest.raises(CommandError):
        call_command("seed_synthetic", members=1_000, provinces=1, stdout=io.StringIO())
    call_command("seed_synthetic", members=1_000, provinces=1, seed=2, force=True, stdout=io.StringIO())
    assert Member.objects.count() == 4_000
    assert_consistent_tree()

    # ids handed out afterwards do not collide with the ones the command assigned
    province = roots.first()
    cell = services.organisation_create(actor=None, code="NEW-C", name="Chi bộ mới", kind=OrgKind.CELL, parent=province)
    new = services.member_create(
        actor=None, organisation=cell, code="NEW-1", full_name="Ngô Thị Mới", gender="female",
        birth_date=datetime.date(1990, 1, 1), admitted_on=datetime.date(2015, 1, 1),
    )
    assert new.pk > 4_000 and selectors.member_counts(province)[province.pk] == counts[province.pk] + 1
