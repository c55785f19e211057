"""The campaigns API: scoped like the pages (outsiders 404, viewers 403 on writes)."""
from __future__ import annotations

import datetime

import pytest
from django.test import Client

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.campaigns.choices import CampaignKind, Stage
from kiemdiem.campaigns.models import Campaign, StageDeadline
from kiemdiem.core.models import ApiToken, AuditEvent, Job
from kiemdiem.reviews.choices import DONE, Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.testing import make_member

D = datetime.date


@pytest.fixture
def api(cast):
    """api(user) -> a client sending that user's bearer token."""

    def make(user):
        _token, key = ApiToken.issue(user)
        client = Client(headers={"Authorization": f"Bearer {key}"})
        return client

    return make


def annual(cast, issuer, title="Kiểm điểm năm 2025"):
    return campaign_services.campaign_create(
        actor=cast.admin, issuer=issuer, title=title, kind=CampaignKind.ANNUAL, year=2025,
        period_start=D(2025, 1, 1), period_end=D(2025, 12, 31), plan_number="Kế hoạch số 25-KH/HU",
    )


def test_list_and_detail_are_scoped(cast, api):
    qa, qb = annual(cast, cast.QA), annual(cast, cast.QB, "Kiểm điểm Quận ủy B")
    listed = api(cast.bob).get("/api/v1/campaigns").json()
    assert [c["id"] for c in listed["items"]] == [qa.pk] and listed["count"] == 1
    assert api(cast.eve).get("/api/v1/campaigns").json()["count"] == 0
    detail = api(cast.bob).get(f"/api/v1/campaigns/{qa.pk}")
    assert detail.status_code == 200
    assert detail.json()["issuer"] == {"id": cast.QA.pk, "code": "QA", "name": "Quận ủy A"}
    assert detail.json()["plan_number"] == "Kế hoạch số 25-KH/HU"
    hidden = api(cast.bob).get(f"/api/v1/campaigns/{qb.pk}")
    missing = api(cast.admin).get("/api/v1/campaigns/987654")
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert Client().get("/api/v1/campaigns").status_code == 401


def _payload(cast, **extra):
    data = {
        "issuer_id": cast.QA.pk, "title": "Kiểm điểm chuyên đề tự soi, tự sửa", "kind": "thematic", "year": 2025,
        "period_start": "2025-01-01", "period_end": "2025-06-30", "plan_number": "Kế hoạch số 26-KH/HU",
        "deadlines": {"drafts": "2025-06-10", "meetings": "2025-06-20"},
        "focus_contents": ["Suy thoái tư tưởng chính trị, đạo đức, lối sống", "Tinh thần trách nhiệm"],
        "problem_areas": ["Quản lý đất đai", "Trật tự đô thị", "Môi trường", "Cải cách hành chính"],
        "excluded_codes": ["C2"],
    }
    data.update(extra)
    return data


def test_create(cast, api):
    resp = api(cast.alice).post("/api/v1/campaigns", _payload(cast), content_type="application/json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    campaign = Campaign.objects.get()
    assert body["id"] == campaign.pk and campaign.created_by == cast.alice
    assert body["deadlines"] == {"drafts": "2025-06-10", "meetings": "2025-06-20"}
    assert body["problem_areas"] == ["Quản lý đất đai", "Trật tự đô thị", "Môi trường", "Cải cách hành chính"]
    assert [o["code"] for o in body["excluded"]] == ["C2"]


@pytest.mark.parametrize("extra, message", [
    ({"deadlines": {"drafts": "2025-06-20", "meetings": "2025-06-10"}}, "không được trước hạn"),
    ({"deadlines": {"later": "2025-06-20"}}, "later"),
    ({"excluded_codes": ["C3"]}, "Không có tổ chức mang mã “C3”"),
    ({"focus_contents": []}, "ít nhất một nội dung"),
    ({"kind": "weekly"}, "weekly"),
])
def test_create_refuses_invalid_and_saves_nothing(cast, api, extra, message):
    resp = api(cast.alice).post("/api/v1/campaigns", _payload(cast, **extra), content_type="application/json")
    assert resp.status_code == 400
    assert message in resp.json()["detail"]
    assert not Campaign.objects.exists() and not AuditEvent.objects.filter(action="campaign.create").exists()


def test_create_access(cast, api):
    px = _payload(cast, issuer_id=cast.PX.pk, excluded_codes=[])
    assert api(cast.bob).post("/api/v1/campaigns", px, content_type="application/json").status_code == 403
    assert api(cast.carol).post("/api/v1/campaigns", px, content_type="application/json").status_code == 404
    assert api(cast.eve).post("/api/v1/campaigns", px, content_type="application/json").status_code == 404
    assert not Campaign.objects.exists()


def test_launch_and_relaunch(cast, api):
    campaign = annual(cast, cast.QA)
    assert api(cast.bob).post(f"/api/v1/campaigns/{campaign.pk}/launch").status_code == 403
    assert api(cast.carol).post(f"/api/v1/campaigns/{campaign.pk}/launch").status_code == 404
    assert not Review.objects.exists()
    resp = api(cast.alice).post(f"/api/v1/campaigns/{campaign.pk}/launch")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "done" and body["counts"]["individual"] == 4 and body["counts"]["collective"] == 4
    assert Job.objects.get(pk=body["job_id"]).created_by == cast.alice
    make_member(cast.C1, "DV-040", "Vũ Văn Sau", admitted_on=D(2020, 1, 1))
    again = api(cast.alice).post(f"/api/v1/campaigns/{campaign.pk}/launch").json()
    assert again["counts"]["individual"] == 1 and again["counts"]["collective"] == 0


def test_progress(cast, api):
    campaign = annual(cast, cast.TU)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.DRAFTS, due=D(2020, 1, 1))
    launch(actor=cast.admin, campaign=campaign)
    Review.objects.filter(campaign=campaign, unit=cast.C2).update(status=Status.FINAL)
    resp = api(cast.alice).get(f"/api/v1/campaigns/{campaign.pk}/progress", {"org_id": cast.PX.pk})
    assert resp.status_code == 200
    body = resp.json()
    under = Review.objects.filter(campaign=campaign, org_path__startswith=cast.PX.path)
    assert body["organisation"]["id"] == cast.PX.pk
    assert body["tally"]["total"] == under.count() and body["tally"]["done"] == under.filter(status__in=DONE).count()
    assert (body["children_complete"], body["children_total"]) == (1, 2)
    children = {c["code"]: c for c in body["children"]}
    assert children["C2"]["complete"] and children["C2"]["percent_done"] == 100
    assert children["C1"]["total"] == 4 and children["C1"]["overdue"] == 4
    assert {s["stage"]: s["through"] for s in body["stages"]}["drafts"] == 0
    # default: the caller's visible root
    assert api(cast.bob).get(f"/api/v1/campaigns/{campaign.pk}/progress").json()["organisation"]["id"] == cast.PX.pk
    assert api(cast.bob).get(f"/api/v1/campaigns/{campaign.pk}/progress", {"org_id": cast.QA.pk}).status_code == 404
    assert api(cast.carol).get(f"/api/v1/campaigns/{campaign.pk}/progress", {"org_id": cast.C1.pk}).status_code == 404
    assert api(cast.eve).get(f"/api/v1/campaigns/{campaign.pk}/progress").status_code == 404


def test_ineligible(cast, api):
    make_member(cast.C1, "DV-050", "Đỗ Văn Miễn", exempt_since=D(2024, 1, 1))
    make_member(cast.C3, "DV-051", "Ngô Văn Mới", admitted_on=D(2025, 10, 1), official_on=None, status="probationary")
    campaign = annual(cast, cast.TU)
    launch(actor=cast.admin, campaign=campaign)
    alice = api(cast.alice).get(f"/api/v1/campaigns/{campaign.pk}/ineligible").json()
    assert alice["count"] == 1
    assert alice["items"][0] | {"member_id": 0, "unit_id": 0} == {
        "member_id": 0, "member_code": "DV-050", "full_name": "Đỗ Văn Miễn", "unit_id": 0,
        "unit_name": "Chi bộ khu vực 1", "reason": "exempt"}
    admin = api(cast.admin).get(f"/api/v1/campaigns/{campaign.pk}/ineligible", {"reason": "too_new"}).json()
    assert [i["member_code"] for i in admin["items"]] == ["DV-051"]
    assert api(cast.eve).get(f"/api/v1/campaigns/{campaign.pk}/ineligible").status_code == 404
