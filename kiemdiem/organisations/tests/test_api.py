"""The JSON API under /api/v1/, with bearer tokens and with the browser session."""
import datetime

import pytest
from django.test import Client

from kiemdiem.core.models import ApiToken
from kiemdiem.organisations import services
from kiemdiem.organisations.choices import GrantRole, OrgKind
from kiemdiem.organisations.models import Member, Organisation, OrgEvent
from kiemdiem.testing import make_member, make_org

D = datetime.date


class Api:
    """A client that sends one user's bearer token."""

    def __init__(self, user):
        self.token, key = ApiToken.issue(user, name="test")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path, params=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def post(self, path, payload):
        return self.client.post(f"/api/v1{path}", payload, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_for(db):
    return Api


def codes(rows):
    return [r["code"] for r in rows]


# --- authentication ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/organisations", "/me", "/members/1", "/organisations/1/members"])
def test_it_requires_authentication(cast, path):
    assert Client().get(f"/api/v1{path}").status_code == 401
    assert Client().get(f"/api/v1{path}", headers={"Authorization": "Bearer kd_wrong"}).status_code == 401
    assert Client().get(f"/api/v1{path}", headers={"Authorization": "Token x"}).status_code == 401


def test_it_refuses_anonymous_writes(cast):
    resp = Client().post(f"/api/v1/organisations/{cast.C2.pk}/dissolve", {}, content_type="application/json")
    assert resp.status_code == 401
    cast.C2.refresh_from_db()
    assert cast.C2.dissolved is None


def test_it_accepts_bearer_tokens_and_records_their_use(cast, api_for):
    api = api_for(cast.alice)
    assert api.token.last_used_at is None
    assert api.get("/organisations").status_code == 200
    api.token.refresh_from_db()
    assert api.token.last_used_at is not None
    assert api.token.prefix == api.headers["Authorization"][7:15]
    assert "kd_" not in api.token.key_hash  # only the hash is kept


def test_it_accepts_the_browser_session(cast, client_for):
    resp = client_for(cast.alice).get("/api/v1/organisations")
    assert resp.status_code == 200 and codes(resp.json()) == ["QA"]


def test_session_writes_need_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    resp = client.post(f"/api/v1/organisations/{cast.C2.pk}/move", {"new_parent_id": cast.QA.pk}, content_type="application/json")
    assert resp.status_code in (401, 403)
    cast.C2.refresh_from_db()
    assert cast.C2.parent_id == cast.PX.pk


def test_it_serves_the_openapi_schema(db):
    resp = Client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    schema = resp.json()
    assert schema["info"]["title"] == "kiemdiem API"
    assert "/api/v1/organisations/{org_id}/members" in schema["paths"]
    assert "/api/v1/me" in schema["paths"]
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


# --- organisations -------------------------------------------------------------------------

def test_it_lists_the_callers_roots(cast, api_for):
    assert codes(api_for(cast.alice).get("/organisations").json()) == ["QA"]
    assert codes(api_for(cast.bob).get("/organisations").json()) == ["PX"]
    assert codes(api_for(cast.carol).get("/organisations").json()) == ["QB"]
    assert codes(api_for(cast.admin).get("/organisations").json()) == ["TU"]
    assert api_for(cast.eve).get("/organisations").json() == []
    assert api_for(cast.dave).get("/organisations").json() == []


def test_it_shows_an_organisation_with_its_counts(cast, api_for):
    data = api_for(cast.alice).get(f"/organisations/{cast.PX.pk}").json()
    assert data["code"] == "PX" and data["name"] == "Đảng bộ phường X" and data["kind"] == "grassroots"
    assert data["parent_id"] == cast.QA.pk and data["path"] == cast.PX.path
    assert data["founded"] == "2000-01-01" and data["dissolved"] is None
    assert data["member_count"] == 4
    assert data["kind_counts"] == {"cell": 2}
    assert api_for(cast.admin).get(f"/organisations/{cast.TU.pk}").json()["member_count"] == 5


def test_it_lists_children(cast, api_for):
    rows = api_for(cast.alice).get(f"/organisations/{cast.QA.pk}/children").json()
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"BTC-A", "PX"}
    assert by_code["PX"]["member_count"] == 4 and by_code["PX"]["has_children"] is True
    assert by_code["BTC-A"]["member_count"] == 0 and by_code["BTC-A"]["has_children"] is False


def test_it_shows_the_tree_on_a_date(cast, api_for):
    services.organisation_move(actor=None, org=cast.C2, new_parent=cast.QA, on_date=D(2024, 6, 1))
    api = api_for(cast.alice)
    before = api.get(f"/organisations/{cast.PX.pk}/tree", {"date": "2024-05-31"}).json()
    after = api.get(f"/organisations/{cast.PX.pk}/tree", {"date": "2024-06-01"}).json()
    assert [(r["name"], r["depth"], r["members"]) for r in before] == [
        ("Đảng bộ phường X", 2, 4), ("Chi bộ khu vực 1", 3, 3), ("Chi bộ khu vực 2", 3, 1)
    ]
    assert before[2]["parent_id"] == cast.PX.pk
    assert [(r["name"], r["members"]) for r in after] == [("Đảng bộ phường X", 3), ("Chi bộ khu vực 1", 3)]
    assert api.get(f"/organisations/{cast.PX.pk}/tree", {"date": "1999-01-01"}).json() == []
    assert api.get(f"/organisations/{cast.PX.pk}/tree").status_code == 422  # the date is required


# --- members -------------------------------------------------------------------------------

def test_it_lists_members_in_vietnamese_order(cast, api_for):
    data = api_for(cast.bob).get(f"/organisations/{cast.PX.pk}/members").json()
    assert data["count"] == 4
    assert [m["full_name"] for m in data["items"]] == ["Nguyễn Thị An", "Lê Văn Bình", "Phạm Văn Cường", "Trần Văn Đức"]
    first = data["items"][0]
    assert first["organisation_id"] == cast.C1.pk and first["gender"] == "female" and first["status"] == "official"
    assert "phone" not in first and "citizen_id" not in first


@pytest.mark.parametrize("q", ["duc", "DUC", "Đức", "tran duc", "dv-001"])
def test_it_searches_members_without_regard_to_accents(cast, api_for, q):
    data = api_for(cast.bob).get(f"/organisations/{cast.PX.pk}/members", {"q": q}).json()
    assert [m["full_name"] for m in data["items"]] == ["Trần Văn Đức"]


def test_it_paginates_members(cast, api_for):
    for i in range(60):
        make_member(cast.C2, f"P-{i:03d}", f"Phan Văn Tâm {i:02d}")
    api = api_for(cast.bob)
    first = api.get(f"/organisations/{cast.PX.pk}/members").json()
    second = api.get(f"/organisations/{cast.PX.pk}/members", {"page": 2}).json()
    assert first["count"] == second["count"] == 64
    assert len(first["items"]) == 50 and len(second["items"]) == 14
    assert not {m["id"] for m in first["items"]} & {m["id"] for m in second["items"]}
    searched = api.get(f"/organisations/{cast.PX.pk}/members", {"q": "tam", "page": 2}).json()
    assert searched["count"] == 60 and len(searched["items"]) == 10


def test_it_shows_a_member_with_history_and_positions(cast, api_for):
    an = cast.members["an"]
    services.member_transfer(actor=None, member=an, to=cast.C2, on_date=D(2024, 3, 1))
    services.member_update(actor=None, member=an, phone="0900000001")
    data = api_for(cast.alice).get(f"/members/{an.pk}").json()
    assert data["full_name"] == "Nguyễn Thị An" and data["code"] == "DV-002" and data["phone"] == "0900000001"
    assert data["organisation_id"] == cast.C2.pk
    assert [(m["organisation_name"], m["kind"], m["start"], m["end"]) for m in data["memberships"]] == [
        ("Chi bộ khu vực 1", "official", "2005-03-01", "2024-03-01"),
        ("Chi bộ khu vực 2", "official", "2024-03-01", None),
    ]
    assert [(p["organisation_name"], p["role"], p["start"], p["end"]) for p in data["positions"]] == [
        ("Chi bộ khu vực 1", "secretary", "2020-01-01", None)
    ]


def test_me_is_the_callers_own_record(cast, api_for):
    data = api_for(cast.dave).get("/me").json()
    assert data["id"] == cast.members["dave"].pk and data["full_name"] == "Trần Văn Đức"
    assert data["memberships"][0]["organisation_name"] == "Chi bộ khu vực 1"
    assert api_for(cast.eve).get("/me").json() is None
    assert api_for(cast.alice).get("/me").json() is None


def test_a_member_sees_only_their_own_record(cast, api_for):
    api = api_for(cast.dave)
    assert api.get(f"/members/{cast.members['dave'].pk}").status_code == 200
    assert api.get(f"/members/{cast.members['an'].pk}").status_code == 404
    assert api.get(f"/organisations/{cast.C1.pk}").status_code == 404
    assert api.get(f"/organisations/{cast.C1.pk}/members").status_code == 404


# --- restructuring -------------------------------------------------------------------------

def test_it_moves_an_organisation(cast, api_for):
    resp = api_for(cast.alice).post(
        f"/organisations/{cast.C2.pk}/move", {"new_parent_id": cast.QA.pk, "on_date": "2024-06-01", "reason": "QĐ 7"}
    )
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["parent_id"] == cast.QA.pk and data["path"] == f"{cast.QA.path}{cast.C2.pk}."
    event = OrgEvent.objects.get(kind="move")
    assert event.actor == cast.alice and event.on_date == D(2024, 6, 1) and event.reason == "QĐ 7"


def test_it_merges_an_organisation(cast, api_for):
    resp = api_for(cast.grace).post(f"/organisations/{cast.C2.pk}/merge", {"target_id": cast.C1.pk, "on_date": "2024-06-01"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["code"] == "C1"
    cast.C2.refresh_from_db()
    assert cast.C2.dissolved == D(2024, 6, 1) and cast.C2.merged_into_id == cast.C1.pk
    assert Member.objects.get(pk=cast.members["cuong"].pk).organisation_id == cast.C1.pk


def test_it_dissolves_an_organisation(cast, api_for):
    empty = make_org("C9", "Chi bộ trống", OrgKind.CELL, cast.XY)
    resp = api_for(cast.carol).post(f"/organisations/{empty.pk}/dissolve", {"on_date": "2024-06-01", "reason": "QĐ 9"})
    assert resp.status_code == 200 and resp.json()["dissolved"] == "2024-06-01"


@pytest.mark.parametrize(
    "org, op, payload, message",
    [
        ("C1", "dissolve", {}, "Còn 3 đảng viên đang sinh hoạt; hãy chuyển sinh hoạt hoặc hợp nhất trước."),
        ("PX", "dissolve", {}, "Còn 2 tổ chức trực thuộc đang hoạt động; hãy chuyển hoặc hợp nhất trước."),
        ("PX", "move", {"new_parent_id": "C1"}, "Không thể chuyển một tổ chức vào chính nó hoặc tổ chức trực thuộc nó."),
        ("C2", "move", {"new_parent_id": "PX"}, "Tổ chức đã trực thuộc tổ chức này."),
        ("C2", "move", {"new_parent_id": "C1"}, "Chi bộ không thể có tổ chức trực thuộc."),
        ("C2", "merge", {"target_id": "C2"}, "Không thể hợp nhất một tổ chức vào chính nó."),
        ("PX", "merge", {"target_id": "C1"}, "Không thể hợp nhất vào một tổ chức trực thuộc."),
    ],
)
def test_it_refuses_invalid_restructuring_with_a_vietnamese_message(cast, api_for, org, op, payload, message):
    payload = {k: cast.orgs[v].pk for k, v in payload.items()}
    before = list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "path", "dissolved"))
    resp = api_for(cast.grace).post(f"/organisations/{cast.orgs[org].pk}/{op}", payload)
    assert resp.status_code == 400
    assert resp.json() == {"detail": message}
    assert list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "path", "dissolved")) == before


def test_it_refuses_malformed_payloads(cast, api_for):
    api = api_for(cast.alice)
    assert api.post(f"/organisations/{cast.C2.pk}/move", {}).status_code == 422
    assert api.post(f"/organisations/{cast.C2.pk}/move", {"new_parent_id": "QA"}).status_code == 422
    assert api.post(f"/organisations/{cast.C2.pk}/dissolve", {"on_date": "hôm qua"}).status_code == 422
    cast.C2.refresh_from_db()
    assert cast.C2.parent_id == cast.PX.pk and cast.C2.dissolved is None


def test_refusals_are_in_vietnamese(cast, api_for):
    assert api_for(cast.bob).post(f"/organisations/{cast.C2.pk}/dissolve", {}).json() == {"detail": "Không có quyền thực hiện."}
    assert api_for(cast.eve).get(f"/organisations/{cast.C2.pk}").json() == {"detail": "Không tìm thấy."}


# --- query counts --------------------------------------------------------------------------

def _count(assert_max, api, path, params, bound):
    api.get(path, params)  # warm up
    with assert_max(bound) as ctx:
        assert api.get(path, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path, params",
    [
        ("/organisations", {}),
        ("/organisations/{QA}", {}),
        ("/organisations/{QA}/children", {}),
        ("/organisations/{QA}/tree", {"date": "2024-12-31"}),
        ("/organisations/{QA}/members", {}),
        ("/organisations/{QA}/members", {"q": "van", "page": 2}),
        ("/members/{dave}", {}),
    ],
)
def test_api_queries_do_not_grow(cast, api_for, django_assert_max_num_queries, path, params):
    services.grant_role(actor=None, user=cast.alice, organisation=cast.XY, role=GrantRole.VIEWER)
    api = api_for(cast.alice)
    path = path.format(QA=cast.QA.pk, dave=cast.members["dave"].pk)
    small = _count(django_assert_max_num_queries, api, path, params, 10)
    dave = cast.members["dave"]
    for i in range(5):
        district = make_org(f"N{i}", f"Quận ủy N{i}", OrgKind.DISTRICT, cast.TU, founded=D(2020, 1, 1))
        services.grant_role(actor=None, user=cast.alice, organisation=district, role=GrantRole.VIEWER)
        grassroots = make_org(f"N{i}-G", f"Đảng bộ N{i}", OrgKind.GRASSROOTS, cast.QA, founded=D(2020, 1, 1))
        cell = make_org(f"N{i}-C", f"Chi bộ N{i}", OrgKind.CELL, grassroots, founded=D(2020, 1, 1))
        for j in range(12):
            make_member(cell, f"N{i}-{j:02d}", f"Đỗ Văn Minh {i}{j:02d}")
        services.member_transfer(actor=None, member=dave, to=cell, on_date=D(2021, 1, 1 + i))
        services.position_assign(actor=None, member=dave, organisation=cell, role="committee_member", start=D(2021, 1, 1))
    assert _count(django_assert_max_num_queries, api, path, params, 10) == small
