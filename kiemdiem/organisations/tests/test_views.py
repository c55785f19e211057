"""The pages of the tree and the member register, as their users see them."""
import datetime
import re

import pytest
from django.urls import reverse

from kiemdiem.organisations import services
from kiemdiem.organisations.choices import GrantRole, OrgKind, PositionRole
from kiemdiem.organisations.models import Member, Membership, Organisation, OrgEvent
from kiemdiem.testing import make_member, make_org

D = datetime.date
HTMX = {"HX-Request": "true"}

# given names in Vietnamese alphabet order (a ă â b c d đ e ê … o ô ơ … u ư)
GIVEN = ["An", "Ăn", "Ân", "Bảo", "Cúc", "Dũng", "Đức", "Em", "Hà", "Khoa", "Lan", "Minh", "Ngọc", "Oanh", "Ôn",
         "Ơn", "Phúc", "Quang", "Sơn", "Tâm", "Uyên", "Ưng", "Vy", "Xuân", "Yến"]


def member_names(html: str) -> list[str]:
    return re.findall(r'<a href="/members/\d+/">([^<]+)</a>', html)


def tree_nodes(html: str) -> list[str]:
    return re.findall(r'<li id="node-\d+">\s*<div class="node">.*?<a href="/org/\d+/">([^<]+)</a>', html, re.S)


def grow_members(org, n, prefix):
    for i in range(n):
        make_member(org, f"{prefix}-{i:03d}", f"Nguyễn Văn {GIVEN[i % len(GIVEN)]}")


# Upper bounds per page (session, user, scope, the nav's notifications and own-member
# look-ups included); the tests below also require the count not to change with more rows.
BOUND = {"tree": 10, "children": 10, "detail": 18, "members": 10, "member": 12, "history": 14}


def queries(assert_max, client, url, bound, **kwargs):
    """GET `url` within `bound` queries; the number of queries it took."""
    client.get(url, **kwargs)  # warm up (caches filled once per process)
    with assert_max(bound) as ctx:
        resp = client.get(url, **kwargs)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


# --- the tree ------------------------------------------------------------------------------

def test_it_lists_the_users_roots(cast, client_for):
    assert tree_nodes(client_for(cast.alice).get(reverse("org_tree")).content.decode()) == ["Quận ủy A"]
    assert tree_nodes(client_for(cast.bob).get(reverse("org_tree")).content.decode()) == ["Đảng bộ phường X"]
    assert tree_nodes(client_for(cast.carol).get(reverse("org_tree")).content.decode()) == ["Quận ủy B"]
    assert tree_nodes(client_for(cast.admin).get(reverse("org_tree")).content.decode()) == ["Thành ủy Thử nghiệm"]


def test_it_shows_a_nested_grant_once_and_separate_branches_side_by_side(cast, client_for):
    services.grant_role(actor=None, user=cast.alice, organisation=cast.PX, role=GrantRole.COMMITTEE)
    services.grant_role(actor=None, user=cast.alice, organisation=cast.XY, role=GrantRole.VIEWER)
    html = client_for(cast.alice).get(reverse("org_tree")).content.decode()
    assert sorted(tree_nodes(html)) == ["Quận ủy A", "Đảng bộ xã Y"]


def test_it_tells_users_without_grants_so(cast, client_for):
    for user in (cast.eve, cast.dave):
        html = client_for(user).get(reverse("org_tree")).content.decode()
        assert tree_nodes(html) == []
        assert "Bạn chưa được phân quyền trên tổ chức nào." in html


def test_it_shows_root_member_counts(cast, client_for):
    html = client_for(cast.alice).get(reverse("org_tree")).content.decode()
    assert "4 đảng viên" in html


def test_it_loads_children_lazily(cast, client_for):
    client = client_for(cast.alice)
    tree = client.get(reverse("org_tree")).content.decode()
    assert "Đảng bộ phường X" not in tree  # children come on demand
    assert f'hx-get="{reverse("org_children", args=[cast.QA.pk])}"' in tree

    resp = client.get(reverse("org_children", args=[cast.QA.pk]), headers=HTMX)
    html = resp.content.decode().strip()
    assert resp.status_code == 200
    assert html.startswith("<li") and html.endswith("</li>")
    assert "<html" not in html and "<ul" not in html.replace('<ul id="kids-', "")
    assert sorted(tree_nodes(html)) == ["Ban Tổ chức Quận ủy A", "Đảng bộ phường X"]
    # PX has cells below it: it gets a toggle; the advisory body does not
    assert f'hx-get="{reverse("org_children", args=[cast.PX.pk])}"' in html
    assert f'hx-get="{reverse("org_children", args=[cast.BTCA.pk])}"' not in html


def test_it_lists_children_with_subtree_counts(cast, client_for):
    html = client_for(cast.bob).get(reverse("org_children", args=[cast.PX.pk]), headers=HTMX).content.decode()
    c1 = html[html.index(f'id="node-{cast.C1.pk}"'):html.index(f'id="node-{cast.C2.pk}"')]
    assert "3 đảng viên" in c1
    assert "1 đảng viên" in html[html.index(f'id="node-{cast.C2.pk}"'):]


def test_it_hides_dissolved_children(cast, client_for):
    empty = make_org("C9", "Chi bộ giải thể", OrgKind.CELL, cast.PX)
    services.organisation_dissolve(actor=None, org=empty, on_date=D(2024, 1, 1))
    html = client_for(cast.bob).get(reverse("org_children", args=[cast.PX.pk]), headers=HTMX).content.decode()
    assert "Chi bộ giải thể" not in html


def test_tree_page_queries_do_not_grow_with_roots(cast, client_for, django_assert_max_num_queries):
    grantee = cast.users["alice"]
    client = client_for(grantee)
    services.grant_role(actor=None, user=grantee, organisation=cast.XY, role=GrantRole.VIEWER)
    small = queries(django_assert_max_num_queries, client, reverse("org_tree"), BOUND["tree"])
    for i in range(6):
        district = make_org(f"QN{i}", f"Quận ủy N{i}", OrgKind.DISTRICT, cast.TU)
        cell = make_org(f"QN{i}-C", f"Chi bộ N{i}", OrgKind.CELL, make_org(f"QN{i}-G", f"Đảng bộ N{i}", OrgKind.GRASSROOTS, district))
        grow_members(cell, 2, f"QN{i}")
        services.grant_role(actor=None, user=grantee, organisation=district, role=GrantRole.VIEWER)
    resp = client.get(reverse("org_tree"))
    assert len(tree_nodes(resp.content.decode())) == 8
    assert queries(django_assert_max_num_queries, client, reverse("org_tree"), BOUND["tree"]) == small


def test_tree_page_queries_do_not_grow_for_superusers(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.admin)
    small = queries(django_assert_max_num_queries, client, reverse("org_tree"), BOUND["tree"])
    for i in range(6):
        root = make_org(f"T{i}", f"Tỉnh ủy {i}", OrgKind.PROVINCIAL)
        grow_members(make_org(f"T{i}-C", f"Chi bộ cơ sở {i}", OrgKind.GRASSROOTS_CELL, root), 2, f"T{i}")
    assert queries(django_assert_max_num_queries, client, reverse("org_tree"), BOUND["tree"]) == small


def test_children_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.alice)
    url = reverse("org_children", args=[cast.QA.pk])
    small = queries(django_assert_max_num_queries, client, url, BOUND["children"], headers=HTMX)
    for i in range(8):
        grassroots = make_org(f"G{i}", f"Đảng bộ G{i}", OrgKind.GRASSROOTS, cast.QA)
        grow_members(make_org(f"G{i}-C", f"Chi bộ G{i}", OrgKind.CELL, grassroots), 2, f"G{i}")
    assert queries(django_assert_max_num_queries, client, url, BOUND["children"], headers=HTMX) == small


# --- an organisation -----------------------------------------------------------------------

def test_it_shows_committee_positions(cast, client_for):
    services.position_assign(actor=None, member=cast.members["binh"], organisation=cast.C1,
                             role=PositionRole.DEPUTY_SECRETARY, start=D(2021, 1, 1))
    html = client_for(cast.bob).get(reverse("org_detail", args=[cast.C1.pk])).content.decode()
    section = html[html.index("Cấp ủy và chức vụ"):html.index("Tổ chức trực thuộc")]
    assert section.index("Bí thư") < section.index("Nguyễn Thị An") < section.index("Phó Bí thư") < section.index("Lê Văn Bình")


def test_it_shows_subtree_counts(cast, client_for):
    html = client_for(cast.alice).get(reverse("org_detail", args=[cast.QA.pk])).content.decode()
    assert '<strong id="member-count">4</strong>' in html
    assert "<strong>0</strong>sinh hoạt trực tiếp" in html
    assert "<strong>2</strong>cell" in html and "<strong>1</strong>grassroots" in html
    html = client_for(cast.alice).get(reverse("org_detail", args=[cast.C1.pk])).content.decode()
    assert '<strong id="member-count">3</strong>' in html
    assert "<strong>3</strong>sinh hoạt trực tiếp" in html


def test_it_shows_breadcrumbs_only_within_the_users_part(cast, client_for):
    html = client_for(cast.bob).get(reverse("org_detail", args=[cast.C1.pk])).content.decode()
    crumbs = html[html.index('class="crumbs"'):html.index("<h1>")]
    assert "Đảng bộ phường X" in crumbs
    assert "Quận ủy A" not in crumbs and "Thành ủy" not in crumbs


def test_it_offers_restructuring_to_managers_only(cast, client_for):
    url = reverse("org_detail", args=[cast.C2.pk])
    move = reverse("org_restructure", args=[cast.C2.pk, "move"])
    assert move in client_for(cast.alice).get(url).content.decode()
    assert move not in client_for(cast.bob).get(url).content.decode()


def test_detail_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.alice)
    url = reverse("org_detail", args=[cast.PX.pk])
    small = queries(django_assert_max_num_queries, client, url, BOUND["detail"])
    for i in range(6):
        cell = make_org(f"PX-C{i}", f"Chi bộ mới {i}", OrgKind.CELL, cast.PX)
        grow_members(cell, 2, f"PX{i}")
        member = Member.objects.get(code=f"PX{i}-000")
        services.position_assign(actor=None, member=member, organisation=cast.PX, role=PositionRole.COMMITTEE_MEMBER,
                                 start=D(2022, 1, 1))
        services.organisation_update(actor=None, org=cell, name=f"Chi bộ đổi tên {i}")  # an event each
    services.organisation_merge(actor=None, source=Organisation.objects.get(code="PX-C0"), target=cast.C1, on_date=D(2024, 1, 1))
    assert queries(django_assert_max_num_queries, client, url, BOUND["detail"]) == small


# --- the member list -----------------------------------------------------------------------

@pytest.mark.parametrize("query", ["duc", "DUC", "Đức", "đức", "tran van duc", "  Trần   đuc ", "DV-001"])
def test_it_finds_members_without_regard_to_accents_or_case(cast, client_for, query):
    html = client_for(cast.bob).get(reverse("org_members", args=[cast.PX.pk]), {"q": query}).content.decode()
    assert member_names(html) == ["Trần Văn Đức"]


def test_it_finds_nothing_outside_the_organisation(cast, client_for):
    html = client_for(cast.admin).get(reverse("org_members", args=[cast.C2.pk]), {"q": "duc"}).content.decode()
    assert member_names(html) == []
    assert "Không tìm thấy đảng viên nào." in html


def test_it_sorts_members_the_vietnamese_way(cast, client_for):
    for i, name in enumerate(["Lê Văn Ân", "Đỗ Thị Ăn", "Phan Văn Dũng", "Vũ Thị Ơn", "Bùi Văn Ôn", "Lý Thị Ưng", "Hồ Văn Uy"]):
        make_member(cast.C2, f"S-{i}", name)
    html = client_for(cast.bob).get(reverse("org_members", args=[cast.PX.pk])).content.decode()
    assert member_names(html) == [
        "Nguyễn Thị An", "Đỗ Thị Ăn", "Lê Văn Ân", "Lê Văn Bình", "Phạm Văn Cường", "Phan Văn Dũng", "Trần Văn Đức",
        "Bùi Văn Ôn", "Vũ Thị Ơn", "Hồ Văn Uy", "Lý Thị Ưng",
    ]


def test_it_paginates_members(cast, client_for):
    grow_members(cast.C2, 30, "P")  # 4 + 30 = 34 in PX
    client = client_for(cast.bob)
    url = reverse("org_members", args=[cast.PX.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "34 đảng viên" in first
    assert len(member_names(first)) == 25 and len(member_names(second)) == 9
    assert not set(member_names(first)) & {n for n in member_names(second) if n != "Nguyễn Văn An"}
    assert "Trang 1/2" in first and "?q=&page=2" in first
    # the search survives paging
    filtered = client.get(url, {"q": "nguyen van", "page": 2}).content.decode()
    assert "31 đảng viên" not in filtered  # 30 made + Nguyễn Thị An does not match "nguyen van"
    assert "30 đảng viên" in filtered and len(member_names(filtered)) == 5 and "q=nguyen%20van&page=1" in filtered


def test_it_answers_htmx_with_the_table_only(cast, client_for):
    client = client_for(cast.bob)
    url = reverse("org_members", args=[cast.PX.pk])
    partial = client.get(url, {"q": "thi"}, headers=HTMX).content.decode().strip()
    assert partial.startswith('<div id="member-table"') and "<html" not in partial and "<form" not in partial
    assert member_names(partial) == ["Nguyễn Thị An"]
    full = client.get(url, {"q": "thi"}).content.decode()
    assert "<html" in full and 'id="member-table"' in full and "<form" in full
    boosted = client.get(url, headers={**HTMX, "HX-Boosted": "true"}).content.decode()
    assert "<html" in boosted


def test_member_list_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.bob)
    url = reverse("org_members", args=[cast.PX.pk])
    small = queries(django_assert_max_num_queries, client, url, BOUND["members"])
    small_htmx = queries(django_assert_max_num_queries, client, url, BOUND["members"], headers=HTMX)
    grow_members(cast.C2, 40, "Q")
    assert queries(django_assert_max_num_queries, client, url, BOUND["members"]) == small
    assert queries(django_assert_max_num_queries, client, url, BOUND["members"], headers=HTMX) == small_htmx
    assert queries(django_assert_max_num_queries, client, url + "?page=2&q=van", BOUND["members"]) == small


# --- a member ------------------------------------------------------------------------------

def test_it_shows_membership_history_after_a_transfer(cast, client_for):
    dave = cast.members["dave"]
    services.member_transfer(actor=None, member=dave, to=cast.C2, on_date=D(2024, 3, 1), note="Chuyển nơi ở")
    html = client_for(cast.dave).get(reverse("member_detail", args=[dave.pk])).content.decode()
    table = html[html.index('id="membership-history"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td><td class=\"note\">([^<]*)</td></tr>",
                      table)
    assert rows == [("Chi bộ khu vực 1", "01/03/2005", "01/03/2024", ""),
                    ("Chi bộ khu vực 2", "01/03/2024", "—", "Chuyển nơi ở")]  # the transfer's note
    crumbs = html[html.index('class="crumbs"'):html.index("<h1>")]
    assert "Chi bộ khu vực 2" in crumbs


def test_member_page_shows_membership_notes_and_commitments_escaped_to_allowed_users(cast, client_for):
    from kiemdiem.remediation.models import Commitment

    dave = cast.members["dave"]
    services.member_transfer(actor=None, member=dave, to=cast.C2, on_date=D(2024, 3, 1), note="Chuyển <i>nơi ở</i>")
    Commitment.objects.create(member=dave, year=2025, text="Gương mẫu <b>nơi cư trú</b>", submitted_on=D(2025, 1, 10),
                              org_path=cast.C2.path)
    url = reverse("member_detail", args=[dave.pk])
    for user in (cast.dave, cast.alice, cast.bob):  # himself, staff of QA, the viewer of PX
        html = client_for(user).get(url).content.decode()
        assert "Chuyển &lt;i&gt;nơi ở&lt;/i&gt;" in html and "Ghi chú" in html
        assert 'id="commitments"' in html and "Gương mẫu &lt;b&gt;nơi cư trú&lt;/b&gt;" in html and "10/01/2025" in html
    for outsider in (cast.eve, cast.carol):
        resp = client_for(outsider).get(url)
        assert resp.status_code == 404 and "nơi cư trú" not in resp.content.decode()


def test_it_shows_contact_details_to_managers_and_self_only(cast, client_for):
    services.member_update(actor=None, member=cast.members["dave"], phone="0912345678")
    url = reverse("member_detail", args=[cast.members["dave"].pk])
    assert "0912345678" in client_for(cast.dave).get(url).content.decode()
    assert "0912345678" in client_for(cast.alice).get(url).content.decode()
    assert "0912345678" not in client_for(cast.bob).get(url).content.decode()


def test_member_page_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    dave = cast.members["dave"]
    client = client_for(cast.alice)
    url = reverse("member_detail", args=[dave.pk])
    small = queries(django_assert_max_num_queries, client, url, BOUND["member"])
    cells = [cast.C2, cast.C1]
    for i in range(6):
        services.member_transfer(actor=None, member=dave, to=cells[i % 2], on_date=D(2010 + i, 1, 1))
        services.position_assign(actor=None, member=dave, organisation=cast.PX, role=PositionRole.COMMITTEE_MEMBER,
                                 start=D(2010 + i, 1, 1))
        services.residence_register(actor=None, member=dave, organisation=cells[i % 2], start=D(2010 + i, 1, 1))
    assert queries(django_assert_max_num_queries, client, url, BOUND["member"]) == small


# --- history -------------------------------------------------------------------------------

def _history_rows(html):
    table = html[html.index('id="tree-on-date"'):]
    return re.findall(r'<td class="depth-\d+">([^<]+)</td><td class="num">(\d+)</td>', table[:table.index("</table>")])


def test_history_shows_the_tree_as_of_a_past_date_after_a_move(cast, client_for):
    services.organisation_move(actor=None, org=cast.C2, new_parent=cast.QA, on_date=D(2024, 6, 1), reason="QĐ 5-QĐ/QU")
    client = client_for(cast.alice)
    url = reverse("org_history", args=[cast.PX.pk])
    before = _history_rows(client.get(url, {"date": "2024-05-31"}).content.decode())
    after = _history_rows(client.get(url, {"date": "2024-06-01"}).content.decode())
    assert before == [("Đảng bộ phường X", "4"), ("Chi bộ khu vực 1", "3"), ("Chi bộ khu vực 2", "1")]
    assert after == [("Đảng bộ phường X", "3"), ("Chi bộ khu vực 1", "3")]
    html = client.get(url).content.decode()  # today by default
    assert _history_rows(html) == after
    events = client.get(reverse("org_history", args=[cast.QA.pk])).content.decode()
    assert "Chuyển trực thuộc" in events and "QĐ 5-QĐ/QU" in events


def test_history_before_founding_is_empty_and_bad_dates_are_reported(cast, client_for):
    client = client_for(cast.alice)
    url = reverse("org_history", args=[cast.PX.pk])
    html = client.get(url, {"date": "1999-12-31"}).content.decode()
    assert _history_rows(html) == [] and "Tổ chức chưa tồn tại tại ngày này." in html
    assert "Ngày không hợp lệ." in client.get(url, {"date": "31/31/2024"}).content.decode()


def test_history_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.alice)
    url = reverse("org_history", args=[cast.QA.pk]) + "?date=2024-12-31"
    small = queries(django_assert_max_num_queries, client, url, BOUND["history"])
    for i in range(6):
        grassroots = make_org(f"H{i}", f"Đảng bộ H{i}", OrgKind.GRASSROOTS, cast.QA, founded=D(2020, 1, 1))
        cell = make_org(f"H{i}-C", f"Chi bộ H{i}", OrgKind.CELL, grassroots, founded=D(2020, 1, 1))
        grow_members(cell, 2, f"H{i}")
        services.organisation_move(actor=None, org=cell, new_parent=cast.PX, on_date=D(2023, 1, 1))
    assert len(_history_rows(client.get(url).content.decode())) > 12
    assert queries(django_assert_max_num_queries, client, url, BOUND["history"]) == small


# --- restructuring -------------------------------------------------------------------------

def _post(client, org, operation, **data):
    data.setdefault("on_date", "2024-06-01")
    data.setdefault("reason", "Quyết định 1-QĐ/QU")
    return client.post(reverse("org_restructure", args=[org.pk, operation]), data)


def _tree_state():
    return list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "path", "dissolved")), list(
        Member.objects.order_by("pk").values_list("pk", "organisation_id")
    ), OrgEvent.objects.count()


def test_restructure_forms_render(cast, client_for):
    client = client_for(cast.alice)
    for op, field in (("move", "new_parent"), ("merge", "target"), ("dissolve", "reason")):
        html = client.get(reverse("org_restructure", args=[cast.C2.pk, op])).content.decode()
        assert f'name="{field}"' in html and 'name="on_date"' in html and "csrfmiddlewaretoken" in html


def test_it_moves_an_organisation(cast, client_for):
    client = client_for(cast.alice)
    resp = _post(client, cast.C2, "move", new_parent="QA")
    assert resp.status_code == 302 and resp.url == reverse("org_detail", args=[cast.C2.pk])
    cast.C2.refresh_from_db()
    assert cast.C2.parent_id == cast.QA.pk and cast.C2.path == f"{cast.QA.path}{cast.C2.pk}."
    event = OrgEvent.objects.get(kind="move")
    assert event.actor == cast.alice and event.reason == "Quyết định 1-QĐ/QU" and event.on_date == D(2024, 6, 1)
    page = client.get(resp.url).content.decode()
    assert "Đã cập nhật cơ cấu tổ chức." in page


def test_it_merges_an_organisation(cast, client_for):
    client = client_for(cast.grace)
    resp = _post(client, cast.C2, "merge", target="C1")
    assert resp.status_code == 302 and resp.url == reverse("org_detail", args=[cast.C1.pk])
    cast.C2.refresh_from_db()
    assert cast.C2.dissolved == D(2024, 6, 1) and cast.C2.merged_into_id == cast.C1.pk
    assert Member.objects.get(pk=cast.members["cuong"].pk).organisation_id == cast.C1.pk
    assert "Đã hợp nhất Chi bộ khu vực 2 vào Chi bộ khu vực 1." in client.get(resp.url).content.decode()


def test_it_dissolves_an_empty_organisation(cast, client_for):
    empty = make_org("C9", "Chi bộ trống", OrgKind.CELL, cast.PX)
    resp = _post(client_for(cast.alice), empty, "dissolve")
    assert resp.status_code == 302
    empty.refresh_from_db()
    assert empty.dissolved == D(2024, 6, 1)


@pytest.mark.parametrize(
    "org, operation, data, message",
    [
        ("C1", "dissolve", {}, "Còn 3 đảng viên đang sinh hoạt; hãy chuyển sinh hoạt hoặc hợp nhất trước."),
        ("PX", "dissolve", {}, "Còn 2 tổ chức trực thuộc đang hoạt động; hãy chuyển hoặc hợp nhất trước."),
        ("PX", "move", {"new_parent": "C1"}, "Không thể chuyển một tổ chức vào chính nó hoặc tổ chức trực thuộc nó."),
        ("C2", "move", {"new_parent": "C1"}, "Chi bộ không thể có tổ chức trực thuộc."),
        ("C2", "move", {"new_parent": "PX"}, "Tổ chức đã trực thuộc tổ chức này."),
        ("C2", "merge", {"target": "C2"}, "Không thể hợp nhất một tổ chức vào chính nó."),
        ("PX", "merge", {"target": "C1"}, "Không thể hợp nhất vào một tổ chức trực thuộc."),
        ("C2", "move", {"new_parent": "KHONG-CO"}, "Không có tổ chức mang mã “KHONG-CO”."),
        ("C2", "move", {"new_parent": "QA", "on_date": "2099-01-01"}, "Ngày hiệu lực quá xa trong tương lai."),
        ("C2", "dissolve", {"reason": ""}, "Trường này là bắt buộc."),  # Django's own, in Vietnamese
    ],
)
def test_it_refuses_invalid_restructuring_in_vietnamese(cast, client_for, org, operation, data, message):
    before = _tree_state()
    resp = _post(client_for(cast.alice), cast.orgs[org], operation, **data)
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert _tree_state() == before
