"""Disciplines and conclusions over /api/v1/: scoped like the pages, 400 with Vietnamese
messages for refused writes."""
import json

import pytest
from django.test import Client

from kiemdiem.core.models import ApiToken
from kiemdiem.discipline.models import Conclusion, Discipline


@pytest.fixture
def api():
    def make(user):
        _token, key = ApiToken.issue(user)
        client = Client(headers={"Authorization": f"Bearer {key}"})

        def call(method, path, payload=None, **query):
            if method == "get":
                return client.get(f"/api/v1{path}", query)
            return client.generic(method.upper(), f"/api/v1{path}", json.dumps(payload or {}), content_type="application/json")

        return call

    return make


def _conclusion(cast, **kw):
    data = {"member_id": cast.members["an"].pk, "kind": "prohibitions", "body_id": cast.PX.pk, "number": "12-KL/UBKT",
            "concluded_on": "2025-06-01", "summary": "Nhận quà biếu"}
    data.update(kw)
    return data


def test_conclusions_create_get_list_cancel(cast, api):
    alice, bob = api(cast.alice), api(cast.bob)
    resp = alice("post", "/conclusions", _conclusion(cast, self_detected_fixed=True, self_fix_evidence="Tự nộp lại quà",
                                                     self_fix_reference="BB 03/3/2025"))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["kind_label"] == "Vi phạm những điều đảng viên không được làm" and body["member_name"] == "Nguyễn Thị An"
    assert body["self_fix_evidence"] == "Tự nộp lại quà" and body["unit_id"] == cast.C1.pk and not body["cancelled"]
    assert alice("post", "/conclusions", _conclusion(cast, member_id=None, organisation_id=cast.C2.pk, kind="disunity",
                                                     number="13-KL/UBKT")).status_code == 200
    assert bob("get", f"/conclusions/{body['id']}").json()["number"] == "12-KL/UBKT"
    listed = bob("get", f"/organisations/{cast.PX.pk}/conclusions").json()
    assert {c["number"] for c in listed} == {"12-KL/UBKT", "13-KL/UBKT"}
    assert bob("get", f"/organisations/{cast.C1.pk}/conclusions").json()[0]["id"] == body["id"]
    assert bob("get", f"/organisations/{cast.PX.pk}/conclusions", start="2026-01-01").json() == []
    assert bob("post", f"/conclusions/{body['id']}/cancel", {"reason": "Ghi nhầm"}).status_code == 403
    assert api(cast.carol)("get", f"/conclusions/{body['id']}").status_code == 404
    resp = alice("post", f"/conclusions/{body['id']}/cancel", {"reason": "Ghi nhầm"})
    assert resp.status_code == 200 and resp.json()["cancelled"] and resp.json()["cancel_reason"] == "Ghi nhầm"
    resp = alice("post", f"/conclusions/{body['id']}/cancel", {"reason": "Lần nữa"})
    assert resp.status_code == 400 and "đã bị hủy" in resp.json()["detail"]


@pytest.mark.parametrize("changes, message", [
    ({"kind": "disunity"}, "chỉ kết luận về tổ chức đảng"),
    ({"organisation_id": "C2"}, "member_id (đảng viên) hoặc organisation_id"),
    ({"self_detected_fixed": True}, "cần ghi minh chứng"),
    ({"kind": "bogus"}, "không hợp lệ"),
    ({"body_id": "XY"}, "Không tìm thấy cơ quan kết luận"),  # another branch reads like a missing body
    ({"body_id": "C2"}, "Cơ quan kết luận phải là"),
])
def test_conclusion_refusals_are_400_in_vietnamese(cast, api, changes, message):
    changes = {k: (cast.orgs[v].pk if isinstance(v, str) and k.endswith("_id") else v) for k, v in changes.items()}
    resp = api(cast.alice)("post", "/conclusions", _conclusion(cast, **changes))
    assert resp.status_code == 400 and message in resp.json()["detail"] and resp.json()["messages"]
    assert not Conclusion.objects.exists()


def test_conclusion_subject_outside_the_tree_is_not_found(cast, api):
    assert api(cast.alice)("post", "/conclusions", _conclusion(cast, member_id=cast.members["dung"].pk)).status_code == 404
    assert api(cast.bob)("post", "/conclusions", _conclusion(cast)).status_code == 403
    assert api(cast.eve)("get", f"/organisations/{cast.PX.pk}/conclusions").status_code == 404
    assert not Conclusion.objects.exists()


def test_disciplines_create_get_list(cast, api):
    alice = api(cast.alice)
    data = {"member_id": cast.members["an"].pk, "form": "reprimand", "deciding_body_id": cast.PX.pk,
            "decision_number": "12-QĐ/ĐU", "decided_on": "2025-06-01", "summary": "Chậm đóng đảng phí"}
    resp = alice("post", "/disciplines", {**data, "self_detected_fixed": True})
    assert resp.status_code == 400 and "cần ghi minh chứng" in resp.json()["detail"]
    resp = alice("post", "/disciplines", {**data, "form": "whipping"})
    assert resp.status_code == 400 and "không hợp lệ" in resp.json()["detail"]
    resp = alice("post", "/disciplines", {**data, "self_detected_fixed": True, "self_fix_evidence": "Đã đóng bù",
                                          "self_fix_reference": "Sổ thu đảng phí 05/2025"})
    assert resp.status_code == 200, resp.content
    d = resp.json()
    assert d["form_label"] == "Khiển trách" and d["self_fix_reference"] == "Sổ thu đảng phí 05/2025"
    assert Discipline.objects.get().self_fix_evidence == "Đã đóng bù"
    bob = api(cast.bob)
    assert bob("get", f"/disciplines/{d['id']}").json()["decision_number"] == "12-QĐ/ĐU"
    assert [x["id"] for x in bob("get", f"/organisations/{cast.PX.pk}/disciplines", start="2025-06-01", end="2025-06-01").json()] == [d["id"]]
    assert bob("get", f"/organisations/{cast.C2.pk}/disciplines").json() == []
    assert api(cast.carol)("get", f"/disciplines/{d['id']}").status_code == 404
    assert bob("post", "/disciplines", data).status_code == 403
    assert Discipline.objects.count() == 1
