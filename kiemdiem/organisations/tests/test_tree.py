"""The tree and its restructuring: move, merge, dissolve keep history; the past can be shown."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from kiemdiem.core.models import AuditEvent
from kiemdiem.organisations import selectors, services
from kiemdiem.organisations.choices import MembershipKind, OrgKind
from kiemdiem.organisations.models import Member, Membership, Organisation, OrgEvent, OrgPlacement
from kiemdiem.testing import make_member, make_org

D = datetime.date


def names(rows):
    return [r["organisation"].code for r in rows]


def test_it_builds_paths_and_depths(cast):
    c1 = cast.orgs["C1"]
    assert c1.path == f"{cast.TU.pk}.{cast.QA.pk}.{cast.PX.pk}.{c1.pk}."
    assert c1.depth == 3
    subtree = Organisation.objects.filter(path__startswith=cast.QA.path).values_list("code", flat=True)
    assert set(subtree) == {"QA", "BTC-A", "PX", "C1", "C2"}


def test_member_counts_roll_up(cast):
    counts = selectors.member_counts()
    assert counts[cast.C1.pk] == 3
    assert counts[cast.PX.pk] == 4
    assert counts[cast.QA.pk] == 4
    assert counts[cast.QB.pk] == 1
    assert counts[cast.TU.pk] == 5
    assert selectors.member_counts(cast.QB) == {cast.TU.pk: 1, cast.QB.pk: 1, cast.XY.pk: 1, cast.C3.pk: 1}


def test_it_moves_a_subtree_and_keeps_the_past(cast, django_assert_max_num_queries):
    px = cast.PX
    with django_assert_max_num_queries(20):
        services.organisation_move(actor=cast.admin, org=px, new_parent=cast.QB, on_date=D(2024, 6, 1), reason="Quyết định 12-QĐ/TU")
    px.refresh_from_db()
    cast.C1.refresh_from_db()
    assert px.parent_id == cast.QB.pk
    assert cast.C1.path == f"{cast.TU.pk}.{cast.QB.pk}.{px.pk}.{cast.C1.pk}."
    assert cast.C1.depth == 3

    before = selectors.tree_on(cast.admin, D(2024, 5, 31), cast.QA)
    after = selectors.tree_on(cast.admin, D(2024, 6, 1), cast.QA)
    assert "PX" in names(before) and "C1" in names(before)
    assert "PX" not in names(after)
    assert "PX" in names(selectors.tree_on(cast.admin, D(2024, 6, 1), cast.QB))
    # counts as of the past date still roll up to the old parent
    assert selectors.member_counts_on(D(2024, 5, 31))[cast.QA.pk] == 4
    assert selectors.member_counts_on(D(2024, 6, 1))[cast.QB.pk] == 5
    assert selectors.member_counts_on(D(2024, 6, 1)).get(cast.QA.pk, 0) == 0
    # audited
    assert OrgEvent.objects.filter(kind="move", organisation=px).count() == 1
    event = AuditEvent.objects.get(action="organisation.move")
    assert event.reason == "Quyết định 12-QĐ/TU" and event.actor == cast.admin


def test_it_refuses_to_move_into_its_own_subtree(cast):
    with pytest.raises(ValidationError, match="chính nó"):
        services.organisation_move(actor=None, org=cast.QA, new_parent=cast.PX)
    with pytest.raises(ValidationError, match="Chi bộ"):
        services.organisation_move(actor=None, org=cast.XY, new_parent=cast.C1)


def test_merge_moves_current_members_and_keeps_past_records_with_the_source(cast):
    c1, c2 = cast.C1, cast.C2
    services.organisation_merge(actor=cast.admin, source=c2, target=c1, on_date=D(2025, 7, 1), reason="Sáp nhập")
    c2.refresh_from_db()
    assert c2.dissolved == D(2025, 7, 1) and c2.merged_into_id == c1.pk
    cuong = Member.objects.get(pk=cast.cuong.pk)
    assert cuong.organisation_id == c1.pk
    history = list(Membership.objects.filter(member=cuong).order_by("start"))
    assert [(m.organisation_id, m.end) for m in history] == [(c2.pk, D(2025, 7, 1)), (c1.pk, None)]
    # the past still shows under the source
    past = selectors.tree_on(cast.admin, D(2025, 6, 30), cast.PX)
    assert {r["organisation"].code: r["members"] for r in past} == {"PX": 4, "C1": 3, "C2": 1}
    now = selectors.tree_on(cast.admin, D(2025, 7, 1), cast.PX)
    assert {r["organisation"].code: r["members"] for r in now} == {"PX": 4, "C1": 4}


def test_merge_of_organisations_with_children_moves_the_children(cast):
    services.organisation_merge(actor=None, source=cast.QB, target=cast.QA, on_date=D(2025, 7, 1))
    cast.XY.refresh_from_db()
    cast.C3.refresh_from_db()
    assert cast.XY.parent_id == cast.QA.pk
    assert cast.C3.path.startswith(cast.QA.path)
    assert selectors.member_counts()[cast.QA.pk] == 5


def test_dissolve_needs_an_empty_unit(cast):
    with pytest.raises(ValidationError, match="đảng viên"):
        services.organisation_dissolve(actor=None, org=cast.C2)
    with pytest.raises(ValidationError, match="trực thuộc"):
        services.organisation_dissolve(actor=None, org=cast.PX)
    services.member_transfer(actor=None, member=cast.cuong, to=cast.C1, on_date=D(2025, 1, 1))
    services.organisation_dissolve(actor=cast.admin, org=cast.C2, on_date=D(2025, 2, 1), reason="Không còn đảng viên")
    cast.C2.refresh_from_db()
    assert cast.C2.dissolved == D(2025, 2, 1)
    assert not OrgPlacement.objects.filter(organisation=cast.C2, valid_to__isnull=True).exists()
    assert "C2" in names(selectors.tree_on(cast.admin, D(2025, 1, 31), cast.PX))
    assert "C2" not in names(selectors.tree_on(cast.admin, D(2025, 2, 1), cast.PX))


def test_tree_before_an_organisation_was_founded(cast):
    new = make_org("C9", "Chi bộ mới", OrgKind.CELL, cast.PX, founded=D(2024, 1, 1))
    assert "C9" not in names(selectors.tree_on(cast.admin, D(2023, 12, 31), cast.PX))
    assert "C9" in names(selectors.tree_on(cast.admin, D(2024, 1, 1), cast.PX))
    assert new.placements.count() == 1


def test_transfer_keeps_history(cast):
    dung = cast.dung
    services.member_transfer(actor=cast.admin, member=dung, to=cast.C1, on_date=D(2024, 3, 1), note="Chuyển công tác")
    rows = list(dung.memberships.order_by("start").values_list("organisation__code", "end"))
    assert rows == [("C3", D(2024, 3, 1)), ("C1", None)]
    with pytest.raises(ValidationError):
        services.member_transfer(actor=None, member=dung, to=cast.C1)
    with pytest.raises(ValidationError, match="chi bộ"):
        services.member_transfer(actor=None, member=dung, to=cast.PX)


def test_a_member_has_one_open_official_membership(cast):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(member=cast.an, organisation=cast.C2, kind=MembershipKind.OFFICIAL, start=D(2024, 1, 1), org_path=cast.C2.path)
    # temporary attachments may overlap the official one
    services.member_attach_temporary(actor=None, member=cast.an, to=cast.C3, start=D(2024, 1, 1), end=D(2024, 6, 30))


def test_member_names_are_normalised_and_searchable(cast):
    import unicodedata

    m = make_member(cast.C1, "DV-100", unicodedata.normalize("NFD", "Nguyễn Hồng Hà"))
    assert m.full_name == "Nguyễn Hồng Hà"
    found = selectors.search_members(cast.admin, "nguyen hong ha")
    assert list(found) == [m]
    assert list(selectors.search_members(cast.admin, "HỒNG hà")) == [m]


def test_every_write_is_audited(cast):
    assert AuditEvent.objects.filter(action="member.create").count() == 5
    services.member_update(actor=cast.alice, member=cast.an, phone="0912345678")
    event = AuditEvent.objects.filter(action="member.update").get()
    assert event.actor == cast.alice
    assert event.changes == {"phone": ["", "0912345678"]}
    assert event.org_path == cast.C1.path


def test_history_of_a_moved_unit_shows_its_past_to_those_who_see_it_now(cast):
    services.organisation_move(actor=None, org=cast.PX, new_parent=cast.QB, on_date=D(2024, 6, 1))
    # bob (viewer on PX) sees what stood under PX before the move
    assert names(selectors.tree_on(cast.bob, D(2024, 5, 1), cast.PX)) == ["PX", "C1", "C2"]
