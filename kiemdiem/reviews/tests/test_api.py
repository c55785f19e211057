"""The review API: the same workflow and the same scoping as the pages."""
import datetime
import json

import pytest
from django.test import Client

from kiemdiem.campaigns.models import StageDeadline
from kiemdiem.core.models import ApiToken
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, ReviewVersion
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date
CONTENT = {
    "I.1": "<p>Giữ vững lập trường</p>", "I.2": "<p>Hoàn thành nhiệm vụ</p><ul><li>Dân vận</li></ul>",
    "I.3": "<p>Thực hiện cam kết</p>", "II": "<p>Còn chậm</p>", "VI": "<p>Khắc phục <script>x()</script></p>",
}


class Api:
    def __init__(self, user):
        _token, key = ApiToken.issue(user)
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def _send(self, method, path, data=None):
        resp = self.client.generic(method, f"/api/v1{path}", json.dumps(data or {}), content_type="application/json",
                                   headers=self.headers)
        return resp.status_code, (resp.json() if resp.content else None)

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, data=None):
        return self._send("POST", path, data)

    def put(self, path, data):
        return self._send("PUT", path, data)


@pytest.fixture
def review(cast):
    campaign = annual(cast)
    StageDeadline.objects.create(campaign=campaign, stage="drafts", due=D(2099, 12, 15))
    launch(actor=cast.admin, campaign=campaign)
    return Review.objects.get(campaign=campaign, member=cast.members["dave"])


def body(version, **kw):
    data = {"base_version": version, "content": CONTENT, "self_score_common": 27, "self_score_tasks": "60.5",
            "proposed_level": "HTTNV", "shortcomings": ["Chậm đóng đảng phí"]}
    data.update(kw)
    return data


def test_my_reviews(cast, review):
    status, data = Api(cast.users["dave"]).get("/reviews/mine")
    assert status == 200
    [mine] = data["reviews"]
    assert mine["id"] == review.pk and mine["status"] == "draft" and mine["campaign"]["drafts_due"] == "2099-12-15"
    assert mine["subject"] == "Trần Văn Đức" and data["collectives"] == []
    assert Api(cast.users["alice"]).get("/reviews/mine") == (200, {"reviews": [], "collectives": []})


def test_full_workflow_through_the_api(cast, review):
    dave, alice = Api(cast.users["dave"]), Api(cast.users["alice"])
    url = f"/reviews/{review.pk}"

    status, prompt = alice.post(f"{url}/prompts", {"text": "Làm rõ việc chậm đóng đảng phí"})
    assert status == 200 and prompt["issued_by_id"] == cast.QA.pk  # the highest organisation alice manages above
    assert dave.post(f"{url}/prompts", {"text": "x"})[0] == 403
    status, err = alice.post(f"{url}/prompts", {"text": "x", "issued_by_id": cast.C1.pk})
    assert status == 400 and "cấp trên" in err["detail"]

    status, data = dave.put(url, body(0))
    assert status == 200 and data["version"] == 1
    assert data["sections"][-1]["html"] == "<p>Khắc phục </p>"  # sanitised
    assert data["self_score_total"] == 87.5 and data["shortcomings"] == ["Chậm đóng đảng phí"]
    assert "save" in data["actions"] and "accept" not in data["actions"]

    status, err = dave.post(f"{url}/submit")
    assert status == 400
    assert "Còn 1 gợi ý kiểm điểm chưa giải trình (mục IV)." in err["messages"]

    status, data = dave.put(url, body(1, prompt_answers=[{"id": prompt["id"], "answer": "Đã đóng đủ"}]))
    assert status == 200 and data["prompts"][0]["answer"] == "Đã đóng đủ" and data["problems"] == []
    status, data = dave.post(f"{url}/submit")
    assert status == 200 and data["status"] == "submitted" and data["status_display"] == "Đã nộp"

    assert dave.post(f"{url}/accept")[0] == 403  # not on one's own report
    status, err = alice.post(f"{url}/return", {"comment": " "})
    assert status == 400 and "Cần ghi rõ" in err["detail"]
    status, data = alice.post(f"{url}/return", {"comment": "Bổ sung nguyên nhân"})
    assert status == 200 and data["status"] == "returned"
    assert [c["text"] for c in data["comments"]] == ["Bổ sung nguyên nhân"]

    status, comment = dave.post(f"{url}/comments", {"text": "Đã bổ sung"})
    assert status == 200 and comment["author"] == "Trần Văn Đức"
    dave.put(url, body(2, content={**CONTENT, "II": "<p>Còn chậm do chủ quan</p>"}))
    assert dave.post(f"{url}/submit")[1]["status"] == "resubmitted"
    assert alice.post(f"{url}/accept")[1]["status"] == "accepted"
    status, data = alice.post(f"{url}/finalise")
    assert status == 200 and data["status"] == "final" and data["actions"][:1] == ["reopen"]
    assert alice.post(f"{url}/reopen", {"reason": ""})[0] == 400
    assert alice.post(f"{url}/reopen", {"reason": "Sai số liệu"})[1]["status"] == "returned"


def test_conflicting_save_is_409_with_the_current_text(cast, review):
    dave, alice = Api(cast.users["dave"]), Api(cast.users["alice"])
    url = f"/reviews/{review.pk}"
    assert dave.put(url, body(0, content={"II": "<p>Bản của Đức</p>"}))[0] == 200
    status, data = alice.put(url, body(0, content={"II": "<p>Bản của Alice</p>"}))
    assert status == 409
    assert "Báo cáo vừa được người khác lưu (phiên bản 1)" in data["detail"]
    assert data["current"]["version"] == 1
    assert [s["html"] for s in data["current"]["sections"] if s["code"] == "II"] == ["<p>Bản của Đức</p>"]
    kept = ReviewVersion.objects.get(pk=data["kept_version_id"])
    assert kept.conflict and kept.content["II"] == "<p>Bản của Alice</p>"


def test_bad_values_are_400_in_vietnamese(cast, review):
    dave = Api(cast.users["dave"])
    status, err = dave.put(f"/reviews/{review.pk}", body(0, self_score_common=31))
    assert status == 400 and "từ 0 đến 30" in err["detail"]
    status, err = dave.put(f"/reviews/{review.pk}", body(0, proposed_level="XXXXXXXXXX"))
    assert status == 400 and "Mức xếp loại đề xuất không hợp lệ." in err["messages"]
    review.refresh_from_db()
    assert review.version == 0


def test_scoping(cast, review):
    url = f"/reviews/{review.pk}"
    assert Api(cast.users["eve"]).get(url)[0] == 404
    assert Api(cast.users["carol"]).get(url)[0] == 404
    assert Api(cast.users["bob"]).get(url)[0] == 200
    assert Api(cast.users["bob"]).put(url, body(0))[0] == 403
    assert Api(cast.users["bob"]).post(f"{url}/comments", {"text": "x"})[0] == 403
    assert Api(cast.users["eve"]).post(f"{url}/submit")[0] == 404
    assert Client().get(f"/api/v1{url}").status_code == 401
    review.refresh_from_db()
    assert review.status == Status.DRAFT and review.version == 0


def test_a_partial_save_keeps_what_it_leaves_out(cast, review):
    dave = Api(cast.users["dave"])
    url = f"/reviews/{review.pk}"
    dave.put(url, body(0))
    status, data = dave.put(url, {"base_version": 1, "self_score_tasks": 65})
    assert status == 200 and data["version"] == 2
    assert data["self_score_common"] == 27 and data["self_score_tasks"] == 65 and data["proposed_level"] == "HTTNV"
    assert data["sections"][0]["html"] == "<p>Giữ vững lập trường</p>" and data["shortcomings"] == ["Chậm đóng đảng phí"]
    status, data = dave.put(url, {"base_version": 2, "self_score_tasks": None})
    assert status == 200 and data["self_score_tasks"] is None and data["self_score_total"] is None
