import datetime
import json

from django.test import Client

from kiemdiem.core.models import ApiToken
from kiemdiem.remediation import services
from kiemdiem.remediation.choices import ItemState
from kiemdiem.remediation.models import RemovalCase
from kiemdiem.remediation.tests.test_views import make_items

D = datetime.date


def api(user):
    _token, key = ApiToken.issue(user)
    client = Client(headers={"Authorization": f"Bearer {key}"})

    def call(method, path, body=None, **query):
        url = f"/api/v1{path}"
        if method == "GET":
            return client.get(url, query)
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")

    return call


def test_items_plan_complete_verify_over_the_api(cast):
    item = make_items(cast, ["Chậm đóng đảng phí"])[0]
    dave = api(cast.users["dave"])
    mine = dave("GET", "/remediation/items").json()
    assert [i["id"] for i in mine] == [item.pk] and mine[0]["state"] == "new"
    assert dave("GET", f"/remediation/items/{item.pk}").json()["text"] == "Chậm đóng đảng phí"
    resp = dave("POST", f"/remediation/items/{item.pk}/actions", {"what": "", "who": "", "deadline": "2099-01-01"})
    assert resp.status_code == 400 and "nội dung và người thực hiện" in resp.json()["detail"]
    resp = dave("POST", f"/remediation/items/{item.pk}/actions",
                {"what": "Đóng đủ đảng phí", "who": "Trần Văn Đức", "deadline": "2099-01-01", "expected_evidence": "Sổ thu"})
    assert resp.status_code == 200
    action_id = resp.json()["id"]
    resp = dave("POST", f"/remediation/actions/{action_id}/complete", {})
    assert resp.status_code == 400 and "minh chứng" in resp.json()["detail"]
    resp = dave("POST", f"/remediation/actions/{action_id}/complete", {"link": "https://example.org/so-thu"})
    assert resp.status_code == 200 and resp.json()["state"] == "done"
    assert dave("POST", f"/remediation/items/{item.pk}/verify", {"effective": True, "note": "x"}).status_code == 403
    assert api(cast.alice)("POST", f"/remediation/items/{item.pk}/verify", {"effective": True, "note": "x"}).status_code == 403
    grace = api(cast.grace)
    resp = grace("POST", f"/remediation/items/{item.pk}/verify", {"effective": True, "note": ""})
    assert resp.status_code == 400 and "nhận xét" in resp.json()["detail"]
    resp = grace("POST", f"/remediation/items/{item.pk}/verify", {"effective": True, "note": "Đã đóng đủ"})
    assert resp.status_code == 200 and resp.json()["state"] == ItemState.VERIFIED


def test_scoping(cast):
    item = make_items(cast, ["Chậm đóng đảng phí"])[0]
    eve, carol, bob = api(cast.users["eve"]), api(cast.carol), api(cast.bob)
    assert eve("GET", f"/remediation/items/{item.pk}").status_code == 404
    assert carol("GET", f"/remediation/items/{item.pk}").status_code == 404
    assert eve("GET", "/remediation/items").json() == []
    assert bob("GET", f"/remediation/items/{item.pk}").status_code == 200
    body = {"what": "x y", "who": "z", "deadline": "2099-01-01"}
    assert bob("POST", f"/remediation/items/{item.pk}/actions", body).status_code == 403
    assert eve("POST", f"/remediation/items/{item.pk}/actions", body).status_code == 404
    assert eve("GET", f"/organisations/{cast.PX.pk}/remediation/progress").status_code == 404
    assert eve("GET", f"/organisations/{cast.PX.pk}/removal").status_code == 404


def test_progress_and_removal(cast):
    items = make_items(cast, ["Chậm đóng đảng phí", "Ngại va chạm"])
    services.action_add(actor=None, item=items[0], what="Đóng bù", who="Đức", deadline=D(2020, 1, 1))
    bob = api(cast.bob)
    rows = {r["organisation_id"]: r["counts"] for r in bob("GET", f"/organisations/{cast.PX.pk}/remediation/progress").json()}
    assert rows[cast.PX.pk]["total"] == 2 and rows[cast.C1.pk]["overdue"] == 1
    assert rows[cast.C1.pk]["planned"] == 1 and rows[cast.C1.pk]["new"] == 1
    services.removal_refresh(actor=None, organisation=cast.PX, year=2025)
    case = RemovalCase.objects.get(member=cast.members["binh"], year=2025)
    services.removal_propose(actor=None, case=case, cell=cast.C1, reason="x")
    services.removal_decide(actor=None, case=case, body=cast.PX, remove=True, decision_number="12-QĐ/ĐU", decided_on=D(2025, 6, 1))
    data = bob("GET", f"/organisations/{cast.PX.pk}/removal", year=2025).json()
    assert data["counts"] == {"official": 1}
    assert data["counts_text"] == "xóa tên 0 đảng viên dự bị, 1 đảng viên chính thức"
    decided = [c for c in data["cases"] if c["state"] == "decided"]
    assert decided[0]["member_name"] == "Lê Văn Bình" and decided[0]["evidence"]
