"""The same flow through the API: meeting, attendance, votes, a secret ballot with its
receipt, closing, calibration and bulk decisions; scoped like the pages."""
import datetime
import json

import pytest
from django.test import Client

from kiemdiem.core.models import ApiToken
from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import services
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date


class Api:
    def __init__(self, user):
        _token, key = ApiToken.issue(user)
        self.client, self.headers = Client(), {"Authorization": f"Bearer {key}"}

    def call(self, method, path, data=None, **query):
        if method == "GET":
            return self.client.get("/api/v1" + path, query, headers=self.headers)
        return self.client.generic(method, "/api/v1" + path, json.dumps(data or {}), content_type="application/json",
                                   headers=self.headers)


@pytest.fixture
def world(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    return campaign, Review.objects.get(campaign=campaign, subject_org=cast.C1)


def test_full_flow_through_the_api(cast, world):
    campaign, collective = world
    staff, voter, committee = Api(cast.alice), Api(cast.dave), Api(cast.grace)
    an, dave, binh = cast.members["an"], cast.members["dave"], cast.members["binh"]

    resp = staff.call("POST", "/meetings", {"review_id": collective.pk, "held_on": "2025-12-15", "place": "Hội trường",
                                            "chair_id": an.pk, "secretary_id": binh.pk})
    assert resp.status_code == 200, resp.content
    meeting_id = resp.json()["id"]
    assert staff.call("POST", "/meetings", {"review_id": collective.pk, "held_on": "2025-12-15"}).status_code == 400

    resp = staff.call("PUT", f"/meetings/{meeting_id}/attendance",
                      {"rows": [{"member_id": m.pk, "present": True} for m in (an, dave, binh)]})
    assert resp.json() == {"official": 3, "present": 3, "required": 2, "ok": True}

    an_review = Review.objects.get(campaign=campaign, member=an)
    resp = staff.call("POST", f"/meetings/{meeting_id}/votes", {"subject_id": an_review.pk, "method": "hands"})
    assert resp.status_code == 400 and "tập thể trước" in resp.json()["detail"]
    vote = staff.call("POST", f"/meetings/{meeting_id}/votes", {"subject_id": collective.pk, "method": "hands"}).json()
    resp = staff.call("POST", f"/votes/{vote['id']}/close", {"counts": {"HTTNV": 3}})
    assert resp.json()["result_level"] == "HTTNV" and resp.json()["status"] == "closed"

    secret = staff.call("POST", f"/meetings/{meeting_id}/votes", {"subject_id": an_review.pk, "method": "secret"}).json()
    resp = voter.call("POST", f"/votes/{secret['id']}/ballots", {"level": "HTTNV"})
    assert resp.status_code == 200
    receipt = resp.json()["receipt"]
    assert voter.call("POST", f"/votes/{secret['id']}/ballots", {"level": "HTNV"}).status_code == 400
    assert voter.call("GET", f"/votes/{secret['id']}/receipt/{receipt}").json()["counted"] is True
    assert voter.call("GET", f"/votes/{secret['id']}/receipt/FFFFFF").json()["counted"] is False
    # staff are not voters of the cell: the ballot box is not theirs
    assert staff.call("POST", f"/votes/{secret['id']}/ballots", {"level": "HTNV"}).status_code == 404
    services.ballot_cast(voter=binh, vote=services.Vote.objects.get(pk=secret["id"]), level="HTXSNV")
    closed = staff.call("POST", f"/votes/{secret['id']}/close", {}).json()
    assert closed["tally"] == {"HTTNV": 1, "HTXSNV": 1} and closed["result_level"] == "HTTNV"

    # calibration: PX decides members of its cells
    discipline_record(actor=None, member=dave, form="reprimand", deciding_body=cast.PX, decision_number="05-QĐ/ĐU",
                      decided_on=D(2025, 5, 1))
    cal = committee.call("GET", f"/campaigns/{campaign.pk}/calibration", body_id=cast.PX.pk).json()
    rows = {r["subject"]: r for r in cal["rows"]}
    assert rows["Nguyễn Thị An"]["unit_level"] == "HTTNV"
    assert any("kỷ luật" in w["reason"] for w in rows["Trần Văn Đức"]["warnings"])
    members = {r["subject"]: r["review_id"] for r in cal["rows"] if r["kind"] == "member"}
    decisions = [{"review_id": pk, "level": "HTTNV"} for pk in members.values()]
    resp = committee.call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": cast.PX.pk, "decisions": decisions})
    # the duty-related reprimand is binding: 422 names the highest level allowed and why
    assert resp.status_code == 422 and any("kỷ luật" in m for m in resp.json()["messages"])
    [refused] = resp.json()["refusals"]
    assert refused["review_id"] == members["Trần Văn Đức"] and refused["max_level"] == "KHTNV" and refused["binding"]
    assert any("kỷ luật" in r for r in refused["reasons"])
    assert not Rating.objects.filter(stage="decision").exists()
    for d in decisions:
        if d["review_id"] == members["Trần Văn Đức"]:
            d["reason"] = "Đồng chí có nhiều đóng góp"  # a typed reason does not get past a binding rule
    resp = committee.call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": cast.PX.pk, "decisions": decisions})
    assert resp.status_code == 422 and resp.json()["refusals"][0]["max_level"] == "KHTNV"
    assert not Rating.objects.filter(stage="decision").exists()
    for d in decisions:
        if d["review_id"] == members["Trần Văn Đức"]:
            d["level"], d["reason"] = "KHTNV", ""
    resp = committee.call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": cast.PX.pk, "decisions": decisions})
    assert resp.status_code == 200 and len(resp.json()["decided"]) == 4
    cal = committee.call("GET", f"/campaigns/{campaign.pk}/calibration", body_id=cast.PX.pk).json()
    assert {r["subject"]: r["decision"] for r in cal["rows"] if r["kind"] == "member"}["Trần Văn Đức"] == "KHTNV"
    assert all(r["decision"] == "HTTNV" for r in cal["rows"] if r["kind"] == "member" and r["subject"] != "Trần Văn Đức")
    # staff cannot decide; outsiders do not see the body
    assert staff.call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": cast.PX.pk,
                                                      "decisions": decisions}).status_code == 403
    assert Api(cast.carol).call("GET", f"/campaigns/{campaign.pk}/calibration", body_id=cast.PX.pk).status_code == 404


def test_api_access(cast, world):
    campaign, collective = world
    meeting = services.meeting_create(actor=cast.alice, review=collective, held_on=D(2025, 12, 15))
    rows = {"rows": [{"member_id": cast.members["an"].pk, "present": True}]}
    assert Api(cast.eve).call("PUT", f"/meetings/{meeting.pk}/attendance", rows).status_code == 404
    assert Api(cast.carol).call("PUT", f"/meetings/{meeting.pk}/attendance", rows).status_code == 404
    assert Api(cast.bob).call("PUT", f"/meetings/{meeting.pk}/attendance", rows).status_code == 403
    assert Api(cast.bob).call("POST", "/meetings", {"review_id": collective.pk, "held_on": "2025-12-16"}).status_code == 403
    assert Client().get(f"/api/v1/campaigns/{campaign.pk}/calibration").status_code == 401
