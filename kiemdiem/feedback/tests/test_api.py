"""Feedback over the JSON API: scoped like the pages (outsiders 404, beyond the role 403),
refused writes 400 with the Vietnamese messages."""
import datetime
import json

import pytest
from django.test import Client

from kiemdiem.core.models import ApiToken
from kiemdiem.feedback import services
from kiemdiem.feedback.choices import Absorption, PointKind, RequestStatus, SourceType
from kiemdiem.feedback.models import FeedbackPoint, FeedbackRequest
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date
S, W, G = PointKind.STRENGTH, PointKind.SHORTCOMING, PointKind.SUGGESTION


@pytest.fixture
def campaign(cast):
    c = annual(cast, deadlines={"feedback": D(2099, 12, 5)})
    launch(actor=cast.admin, campaign=c)
    return c


@pytest.fixture
def api_for():
    def make(user):
        _token, key = ApiToken.issue(user)
        client = Client(headers={"Authorization": f"Bearer {key}"})

        def call(method, path, payload=None):
            if method == "GET":
                return client.get(f"/api/v1{path}", payload or {})
            return client.generic(method, f"/api/v1{path}", json.dumps(payload or {}), content_type="application/json")

        return call

    return make


def test_it_creates_requests_and_answers_them(cast, campaign, api_for):
    review = Review.objects.get(campaign=campaign, member=cast.members["an"])
    alice = api_for(cast.alice)
    resp = alice("POST", f"/reviews/{review.pk}/feedback/requests",
                 {"source_type": "superior", "source_org_id": cast.PX.pk, "due": "2099-11-30"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["source"] == "Đảng bộ phường X" and body["status"] == RequestStatus.REQUESTED and body["due"] == "2099-11-30"
    again = alice("POST", f"/reviews/{review.pk}/feedback/requests", {"source_type": "superior", "source_org_id": cast.PX.pk})
    assert again.status_code == 400 and "Đã có đề nghị" in again.json()["detail"]
    anonymous = alice("POST", f"/reviews/{review.pk}/feedback/requests", {"source_type": "peers"})
    assert anonymous.status_code == 400 and "ẩn danh" in anonymous.json()["detail"]

    # bob answers for PX (his grant); a second answer is refused
    bob = api_for(cast.bob)
    path = f"/feedback/requests/{body['id']}/respond"
    answer = bob("POST", path, {"points": [{"kind": "strength", "text": "Đoàn kết"}, {"kind": "suggestion", "text": "Học thêm"}],
                                "document_ref": "Số 1-CV"})
    assert answer.status_code == 200 and answer.json() == {"request_id": body["id"], "status": "answered", "points": 2}
    assert bob("POST", path, {"points": [{"kind": "strength", "text": "x"}]}).status_code == 400
    empty = alice("POST", f"/feedback/requests/{body['id']}/respond", {"points": []})
    assert empty.status_code == 400


def test_it_scopes_requests_and_answers(cast, campaign, api_for):
    review = Review.objects.get(campaign=campaign, member=cast.members["an"])
    payload = {"source_type": "person", "source_name": "Cựu chiến binh A"}
    assert api_for(cast.bob)("POST", f"/reviews/{review.pk}/feedback/requests", payload).status_code == 403
    assert api_for(cast.carol)("POST", f"/reviews/{review.pk}/feedback/requests", payload).status_code == 404
    assert api_for(cast.eve)("POST", f"/reviews/{review.pk}/feedback/requests", payload).status_code == 404
    assert api_for(cast.eve)("POST", "/reviews/987654321/feedback/requests", payload).status_code == 404
    assert not FeedbackRequest.objects.exists()
    req = services.request_create(actor=cast.alice, review=review, source_type=SourceType.SUPERIOR, source_org=cast.PX)
    points = {"points": [{"kind": "strength", "text": "Tốt"}]}
    for user, status in ((cast.carol, 404), (cast.eve, 404), (cast.users["dave"], 404)):
        assert api_for(user)("POST", f"/feedback/requests/{req.pk}/respond", points).status_code == status
    req.refresh_from_db()
    assert req.status == RequestStatus.REQUESTED
    # a member named in another branch's request: visible members only
    unseen = api_for(cast.alice)("POST", f"/reviews/{review.pk}/feedback/requests",
                                 {"source_type": "person", "source_member_id": cast.members["dung"].pk})
    assert unseen.status_code == 400


def test_it_lists_visible_points_and_absorbs_them(cast, campaign, api_for):
    review = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    req = services.request_create(actor=cast.alice, review=review, source_type=SourceType.WORKPLACE_CELL, source_org=cast.C1)
    services.respond(actor=cast.alice, request=req, points=[(W, "Chậm đóng đảng phí")])
    for giver in ("a", "b"):
        services.respond_anonymously(giver=giver, review=review, group=SourceType.PEERS, points=[(G, "Bí mật")])
    dave = api_for(cast.users["dave"])
    body = dave("GET", f"/reviews/{review.pk}/feedback").json()
    assert [p["text"] for p in body["points"]] == ["Chậm đóng đảng phí"]
    assert body["points"][0]["source"] == "Chi bộ khu vực 1" and body["points"][0]["anonymous"] is False
    assert body["held_back"] == {"peers": 2} and body["threshold"] == 3
    assert "Bí mật" not in json.dumps(body, ensure_ascii=False)

    point = FeedbackPoint.objects.get(response__request=req)
    bad = dave("POST", f"/feedback/points/{point.pk}/absorb", {"absorption": "accepted", "section": "ZZ"})
    assert bad.status_code == 400 and "mục" in bad.json()["detail"]
    ok = dave("POST", f"/feedback/points/{point.pk}/absorb", {"absorption": "accepted", "section": "II"})
    assert ok.status_code == 200 and ok.json()["absorption"] == Absorption.ACCEPTED and ok.json()["section"] == "II"
    # a held-back point does not exist; others' points are not found; a viewer may not absorb
    hidden = FeedbackPoint.objects.filter(anonymous__isnull=False).first()
    assert dave("POST", f"/feedback/points/{hidden.pk}/absorb", {"absorption": "answered", "explanation": "x"}).status_code == 404
    assert api_for(cast.carol)("GET", f"/reviews/{review.pk}/feedback").status_code == 404
    assert api_for(cast.eve)("POST", f"/feedback/points/{point.pk}/absorb", {"absorption": "pending"}).status_code == 404
    assert api_for(cast.bob)("POST", f"/feedback/points/{point.pk}/absorb", {"absorption": "pending"}).status_code == 403
    assert api_for(cast.bob)("GET", f"/reviews/{review.pk}/feedback").status_code == 403


def test_it_reports_campaign_progress(cast, campaign, api_for):
    an = Review.objects.get(campaign=campaign, member=cast.members["an"])
    dung = Review.objects.get(campaign=campaign, member=cast.members["dung"])
    services.request_create(actor=cast.alice, review=an, source_type=SourceType.WORKPLACE_CELL, source_org=cast.C1,
                            due=D(2000, 1, 1))
    req = services.request_create(actor=cast.admin, review=dung, source_type=SourceType.WORKPLACE_CELL, source_org=cast.C3)
    services.respond(actor=cast.admin, request=req, points=[(S, "Tốt")])
    for giver in ("a", "b"):
        services.respond_anonymously(giver=giver, review=an, group=SourceType.PEERS, points=[(G, "Bí mật")])
    admin = api_for(cast.admin)("GET", f"/campaigns/{campaign.pk}/feedback/progress").json()
    assert admin["org_id"] == cast.TU.pk
    assert (admin["total"]["requested"], admin["total"]["answered"], admin["total"]["overdue"]) == (2, 1, 1)
    assert admin["total"]["held_back"] == 2 and admin["total"]["held_reviews"] == 1
    peers = next(t for t in admin["by_type"] if t["source_type"] == "peers")
    assert peers["held_back"] == 2 and peers["anonymous_shown"] == 0
    assert {c["name"]: c["total"]["requested"] for c in admin["children"]} == {"Quận ủy A": 1, "Quận ủy B": 1}
    alice = api_for(cast.alice)("GET", f"/campaigns/{campaign.pk}/feedback/progress").json()
    assert alice["org_id"] == cast.QA.pk and alice["total"]["requested"] == 1
    assert api_for(cast.carol)("GET", f"/campaigns/{campaign.pk}/feedback/progress",
                               {"org_id": cast.QA.pk}).status_code == 404
    assert api_for(cast.eve)("GET", f"/campaigns/{campaign.pk}/feedback/progress").status_code == 404
