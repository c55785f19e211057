"""Pages and API of the task register: staff write, viewers read, outsiders get 404."""
from __future__ import annotations

import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kiemdiem.core.models import ApiToken
from kiemdiem.performance import services
from kiemdiem.performance.models import ConfidenceVote, TaskAssignment, TaskDeclaration

D = datetime.date


def _task(cast, **kw):
    return services.task_create(actor=cast.alice, member=cast.an, title="Viết báo cáo <b>chuyên đề</b>",
                                deadline=D(2025, 6, 30), **kw)


def test_member_register_reads_and_writes(cast, client_for):
    t = _task(cast, evidence="Biên bản họp")
    url = reverse("task_register_member", args=[cast.an.pk])
    staff = client_for(cast.alice)
    page = staff.get(url, {"year": "2025"})
    html = page.content.decode()
    assert page.status_code == 200 and "Viết báo cáo &lt;b&gt;chuyên đề&lt;/b&gt;" in html and "Biên bản họp" in html
    assert 'id="task-form"' in html and 'id="task-facts"' in html
    resp = staff.post(url, {"title": "Nhiệm vụ mới", "deadline": "2025-09-30", "status": "on_time",
                            "completed_on": "2025-09-01", "quality_met": "on", "assigned_by": "Chi ủy"})
    assert resp.status_code == 302 and TaskAssignment.objects.filter(member=cast.an, status="on_time").count() == 1
    resp = staff.post(url, {"title": "Sai", "deadline": "2025-09-30", "status": "late"})  # late needs a date
    assert resp.status_code == 200 and "cần ngày hoàn thành" in resp.content.decode()
    resp = staff.post(reverse("task_update", args=[t.pk]), {f"t{t.pk}-status": "late", f"t{t.pk}-completed_on": "2025-07-02",
                                                           f"t{t.pk}-evidence": "Báo cáo 7"})
    assert resp.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.completed_on, t.quality_met, t.evidence) == ("late", D(2025, 7, 2), False, "Báo cáo 7")
    assert staff.post(reverse("task_delete", args=[t.pk])).status_code == 302
    assert not TaskAssignment.objects.filter(pk=t.pk).exists()


def test_viewer_reads_member_reads_own_outsider_gets_404(cast, client_for):
    t = _task(cast)
    url = reverse("task_register_member", args=[cast.an.pk])
    viewer = client_for(cast.bob)
    html = viewer.get(url).content.decode()
    assert "chuyên đề" in html and 'id="task-form"' not in html
    assert viewer.post(url, {"title": "x", "deadline": "2025-09-30", "status": "pending"}).status_code == 403
    assert viewer.post(reverse("task_update", args=[t.pk]), {"status": "pending"}).status_code == 403
    assert viewer.post(reverse("task_delete", args=[t.pk])).status_code == 403
    for user in (cast.carol, cast.eve, cast.users["dave"]):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(reverse("task_delete", args=[t.pk])).status_code == 404
    own = reverse("task_register_member", args=[cast.members["dave"].pk])
    assert client_for(cast.users["dave"]).get(own).status_code == 200
    assert TaskAssignment.objects.count() == 1


def test_org_register_declaration_import_and_votes(cast, client_for):
    staff = client_for(cast.alice)
    org_url = reverse("task_register_org", args=[cast.PX.pk])
    assert staff.post(org_url, {"title": "Kế hoạch", "deadline": "2025-03-31", "status": "pending"}).status_code == 302
    assert TaskAssignment.objects.get().organisation == cast.PX
    assert 'id="task-import"' in staff.get(org_url).content.decode()

    decl = reverse("task_declaration_member", args=[cast.binh.pk])
    assert staff.get(decl).status_code == 200
    resp = staff.post(decl, {"period_start": "2025-01-01", "period_end": "2025-12-31", "on_time_pct": "95", "beyond_pct": "30",
                             "late_pct": "5", "failed_pct": "0", "all_quality_met": "on", "basis": "Nhận xét của chi ủy"})
    assert resp.status_code == 302 and TaskDeclaration.objects.get().member == cast.binh
    html = staff.get(reverse("task_register_member", args=[cast.binh.pk]), {"year": "2025"}).content.decode()
    assert "Nhận xét của chi ủy" in html and "Tự kê khai (không có sổ theo dõi)" in html
    resp = staff.post(decl, {"period_start": "2025-01-01", "period_end": "2025-12-31", "on_time_pct": "50", "beyond_pct": "0",
                             "late_pct": "0", "failed_pct": "0", "basis": "x"})
    assert resp.status_code == 200 and "100%" in resp.content.decode()

    body = "Mã đảng viên,Nhiệm vụ,Hạn hoàn thành,Tình trạng\nDV-002,Một,01/05/2025,pending\nDV-005,Hai,01/05/2025,pending\n"
    imp = reverse("task_import", args=[cast.PX.pk])
    resp = staff.post(imp, {"file": SimpleUploadedFile("nv.csv", body.encode(), content_type="text/csv")})
    assert resp.status_code == 200 and "DV-005" in resp.content.decode() and TaskAssignment.objects.count() == 1
    resp = staff.post(imp, {"file": SimpleUploadedFile("nv.csv", body.rsplit("DV-005", 1)[0].encode(), content_type="text/csv")}, follow=True)
    assert "Đã nhập 1 nhiệm vụ" in resp.content.decode() and TaskAssignment.objects.count() == 2
    assert client_for(cast.bob).get(imp).status_code == 403

    votes = reverse("confidence_votes", args=[cast.PX.pk])
    resp = staff.post(votes, {"member_code": "DV-002", "held_on": "2025-11-20", "total": "12", "high": "8", "medium": "2",
                              "low": "2", "note": "Hội nghị <i>giữa kỳ</i>"})
    assert resp.status_code == 302 and ConfidenceVote.objects.get().body == cast.PX
    html = client_for(cast.bob).get(votes).content.decode()
    assert "Nguyễn Thị An" in html and "&lt;i&gt;giữa kỳ" in html and 'id="vote-form"' not in html
    resp = staff.post(votes, {"member_code": "DV-005", "held_on": "2025-11-20", "total": "1", "high": "1", "medium": "0", "low": "0"})
    assert resp.status_code == 200 and ConfidenceVote.objects.count() == 1
    assert client_for(cast.carol).get(votes).status_code == 404
    assert client_for(cast.alice).get(reverse("task_import_template")).status_code == 200


def test_links_from_member_and_organisation_pages(cast, client_for):
    staff = client_for(cast.alice)
    assert reverse("task_register_member", args=[cast.an.pk]) in staff.get(reverse("member_detail", args=[cast.an.pk])).content.decode()
    assert reverse("task_register_org", args=[cast.PX.pk]) in staff.get(reverse("org_detail", args=[cast.PX.pk])).content.decode()


def _api(user):
    _token, key = ApiToken.issue(user)
    return {"Authorization": f"Bearer {key}"}


def test_api_tasks(cast, client):
    alice, bob, carol = _api(cast.alice), _api(cast.bob), _api(cast.carol)
    payload = {"member_id": cast.an.pk, "title": "Nhiệm vụ API", "deadline": "2025-06-30", "status": "on_time",
               "completed_on": "2025-06-01"}
    post = lambda url, data, h: client.post(url, json.dumps(data), content_type="application/json", headers=h)  # noqa: E731
    resp = post("/api/v1/tasks", payload, alice)
    assert resp.status_code == 200, resp.content
    task_id = resp.json()["id"]
    assert post("/api/v1/tasks", payload, bob).status_code == 403
    assert post("/api/v1/tasks", payload, carol).status_code == 404
    bad = post("/api/v1/tasks", {**payload, "completed_on": "2025-07-01"}, alice)
    assert bad.status_code == 400 and "chậm tiến độ" in bad.json()["messages"][0]
    listed = client.get(f"/api/v1/members/{cast.an.pk}/tasks", {"year": 2025}, headers=bob).json()
    assert [t["title"] for t in listed] == ["Nhiệm vụ API"]
    assert client.get(f"/api/v1/members/{cast.an.pk}/tasks", headers=carol).status_code == 404
    resp = client.patch(f"/api/v1/tasks/{task_id}", json.dumps({"status": "not_done", "clear_completed_on": True}),
                        content_type="application/json", headers=alice)
    assert resp.status_code == 200 and resp.json()["status"] == "not_done" and resp.json()["completed_on"] is None
    assert client.patch(f"/api/v1/tasks/{task_id}", "{}", content_type="application/json", headers=bob).status_code == 403
    assert client.delete(f"/api/v1/tasks/{task_id}", headers=carol).status_code == 404
    assert client.delete(f"/api/v1/tasks/{task_id}", headers=alice).json()["deleted"]
    assert not TaskAssignment.objects.exists()


def test_api_import_declaration_and_votes(cast, client):
    alice, bob = _api(cast.alice), _api(cast.bob)
    body = "Mã đảng viên,Nhiệm vụ,Hạn hoàn thành,Tình trạng\nDV-002,Một,01/05/2025,pending\nDV-404,Hai,,pending\n"
    url = f"/api/v1/organisations/{cast.PX.pk}/tasks/import"
    resp = client.post(url, {"file": SimpleUploadedFile("nv.csv", body.encode())}, headers=alice)
    assert resp.status_code == 400
    assert resp.json()["messages"] == ["Dòng 3: Cột “Hạn hoàn thành”: thiếu giá trị bắt buộc."]
    good = body.rsplit("DV-404", 1)[0]
    assert client.post(url, {"file": SimpleUploadedFile("nv.csv", good.encode())}, headers=bob).status_code == 403
    resp = client.post(url, {"file": SimpleUploadedFile("nv.csv", good.encode())}, headers=alice)
    assert resp.status_code == 200 and resp.json()["created"] == 1
    assert len(client.get(f"/api/v1/organisations/{cast.PX.pk}/tasks", headers=bob).json()) == 0  # PX's own tasks

    decl = {"organisation_id": cast.C1.pk, "period_start": "2025-01-01", "period_end": "2025-12-31", "on_time_pct": 80,
            "late_pct": 20, "basis": "Báo cáo tổng kết"}
    resp = client.post("/api/v1/task-declarations", json.dumps(decl), content_type="application/json", headers=alice)
    assert resp.status_code == 200 and resp.json()["late_pct"] == 20
    resp = client.post("/api/v1/task-declarations", json.dumps({**decl, "late_pct": 0}), content_type="application/json",
                       headers=alice)
    assert resp.status_code == 400

    vote = {"member_id": cast.an.pk, "body_id": cast.PX.pk, "held_on": "2025-11-20", "total": 10, "high": 3, "medium": 1, "low": 6}
    resp = client.post("/api/v1/confidence-votes", json.dumps(vote), content_type="application/json", headers=alice)
    assert resp.status_code == 200 and resp.json()["low_pct"] == 60
    assert client.post("/api/v1/confidence-votes", json.dumps(vote), content_type="application/json",
                       headers=bob).status_code == 403
    assert client.get(f"/api/v1/organisations/{cast.PX.pk}/confidence-votes", headers=bob).json()[0]["low"] == 6
    assert client.get(f"/api/v1/organisations/{cast.PX.pk}/confidence-votes", headers=_api(cast.carol)).status_code == 404
