"""The appraisal (thẩm định) page: staff of the deciding body record the advisory body's level
for each proposal, checked by the rules profile; the calibration screen then shows it as the
proposal; outsiders 404, viewers 403."""
import datetime

import pytest
from django.urls import reverse

from kiemdiem.discipline.services import discipline_record
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual
from kiemdiem.testing import make_org

D = datetime.date


@pytest.fixture
def world(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    Review.objects.filter(campaign=campaign, member__isnull=False).update(self_score_common=27, self_score_tasks=60)
    reviews = list(Review.objects.filter(campaign=campaign, member__organisation__path__startswith=cast.PX.path)
                   .select_related("member").order_by("member__code"))
    return campaign, reviews


def _post(reviews, levels: dict, reasons: dict | None = None) -> dict:
    data = {"review": [str(r.pk) for r in reviews]}
    for r in reviews:
        data[f"level_{r.pk}"] = levels.get(r.pk, "")
        data[f"reason_{r.pk}"] = (reasons or {}).get(r.pk, "")
    return data


def test_staff_record_the_appraisal_and_the_decision_screen_shows_it(cast, world, client_for):
    campaign, reviews = world
    advisory = make_org("BTC-PX", "Văn phòng Đảng ủy phường X", OrgKind.ADVISORY, cast.PX)
    staff = client_for(cast.alice)
    url = reverse("appraisal", args=[campaign.pk, cast.PX.pk])
    page = staff.get(url).content.decode()
    assert all(r.member.full_name in page for r in reviews) and "Văn phòng Đảng ủy phường X" in page
    resp = staff.post(url, _post(reviews, {reviews[0].pk: "HTTNV", reviews[1].pk: "HTNV"}), follow=True)
    assert "Đã thẩm định 2 trường hợp" in resp.content.decode()
    saved = {r.review_id: r for r in Rating.objects.filter(stage="appraisal")}
    assert {k: v.level for k, v in saved.items()} == {reviews[0].pk: "HTTNV", reviews[1].pk: "HTNV"}
    assert all(v.body_id == advisory.pk and v.actor == cast.alice and v.warnings == [] for v in saved.values())
    # a second appraisal replaces the first, kept on record
    staff.post(url, _post(reviews, {reviews[0].pk: "HTNV"}, {reviews[0].pk: "Theo ý kiến chi bộ"}))
    history = list(Rating.objects.filter(review=reviews[0], stage="appraisal").order_by("id"))
    assert [(h.level, h.cancelled_at is None) for h in history] == [("HTTNV", False), ("HTNV", True)]
    # the deciding committee sees the appraisal as the proposal
    decide_page = client_for(cast.grace).get(reverse("calibration", args=[campaign.pk, cast.PX.pk])).content.decode()
    assert "<td>—</td><td>HTNV</td>" in decide_page  # unit proposal none, appraisal HTNV


def test_a_binding_rule_refuses_with_or_without_a_reason_and_nothing_is_saved(cast, world, client_for):
    campaign, reviews = world
    discipline_record(actor=None, member=reviews[0].member, form="reprimand", deciding_body=cast.PX,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))
    staff = client_for(cast.alice)
    url = reverse("appraisal", args=[campaign.pk, cast.PX.pk])
    resp = staff.post(url, _post(reviews, {reviews[1].pk: "HTTNV", reviews[0].pk: "HTTNV"}))
    body = resp.content.decode()
    assert resp.status_code == 200 and reviews[0].member.full_name in body
    assert "mức cao nhất được phép là “Không hoàn thành nhiệm vụ”" in body and "kỷ luật" in body
    assert not Rating.objects.filter(stage="appraisal").exists()  # all or nothing
    # a typed reason does not get past it
    resp = staff.post(url, _post(reviews, {reviews[0].pk: "HTTNV"}, {reviews[0].pk: "Đồng chí có nhiều đóng góp"}))
    assert "không thể vượt bằng cách ghi lý do" in resp.content.decode()
    assert not Rating.objects.filter(stage="appraisal").exists()
    staff.post(url, _post(reviews, {reviews[0].pk: "KHTNV"}))
    rating = Rating.objects.get(stage="appraisal", review=reviews[0])
    assert rating.level == "KHTNV" and rating.body_id == cast.PX.pk  # no advisory body: the committee's


def test_an_advisory_rule_needs_a_reason_and_keeps_it(cast, world, client_for, settings):
    settings.KIEMDIEM_ADVISORY_RULES = {"qd366-2025": ["disciplined"]}  # a deployment may mark a rule advisory
    campaign, reviews = world
    discipline_record(actor=None, member=reviews[0].member, form="reprimand", deciding_body=cast.PX,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))
    staff = client_for(cast.alice)
    url = reverse("appraisal", args=[campaign.pk, cast.PX.pk])
    resp = staff.post(url, _post(reviews, {reviews[1].pk: "HTTNV", reviews[0].pk: "HTTNV"}))
    assert "cần ghi rõ lý do" in resp.content.decode() and "khuyến nghị" in resp.content.decode()
    assert not Rating.objects.filter(stage="appraisal").exists()
    staff.post(url, _post(reviews, {reviews[0].pk: "HTTNV"}, {reviews[0].pk: "Vi phạm đã tự khắc phục"}))
    rating = Rating.objects.get(stage="appraisal", review=reviews[0])
    assert rating.reason == "Vi phạm đã tự khắc phục"
    assert "kỷ luật" in rating.warnings[0]["reason"] and rating.warnings[0]["binding"] is False
    # subjects another body decides are ignored
    other = Review.objects.filter(campaign=campaign, member__organisation=cast.C3).first()
    resp = staff.post(url, {"review": [str(other.pk)], f"level_{other.pk}": "HTTNV"}, follow=True)
    assert "Chưa chọn mức xếp loại nào" in resp.content.decode()
    assert not Rating.objects.filter(stage="appraisal", review=other).exists()


def test_access_outsider_404_viewer_403(cast, world, client_for):
    campaign, reviews = world
    url = reverse("appraisal", args=[campaign.pk, cast.PX.pk])
    assert client_for(cast.eve).get(url).status_code == 404
    assert client_for(cast.carol).get(url).status_code == 404
    assert client_for(cast.bob).get(url).status_code == 403
    assert client_for(cast.bob).post(url, _post(reviews, {reviews[0].pk: "HTTNV"})).status_code == 403
    assert not Rating.objects.filter(stage="appraisal").exists()
    assert client_for(cast.grace).get(url).status_code == 200
