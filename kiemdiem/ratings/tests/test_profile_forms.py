"""Each rules profile its own part B (issue 14 point 4): a campaign under each of the three
profiles completes end to end through the normal services and pages (launch, reports written
and submitted with the profile's part B, accepted and finalised by the unit, decided by the
competent bodies at the profile's levels), the editor asks what the profile asks, QĐ 366's
groups keep to their maxima, and QĐ 124's grades are what its criterion check reads."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdiem.campaigns.services import campaign_close
from kiemdiem.ratings import services as ratings
from kiemdiem.ratings.choices import RatingStage
from kiemdiem.ratings.models import Rating
from kiemdiem.ratings.rules import Facts, get_profile
from kiemdiem.reviews import part_b, selectors, services
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date
CONTENT_INDIVIDUAL = {"I.1": "Giữ vững lập trường.", "I.2": "Hoàn thành nhiệm vụ.", "I.3": "Thực hiện cam kết.",
                      "II": "Còn chậm đóng đảng phí.", "VI": "Đóng đảng phí đúng hạn."}
CONTENT_COLLECTIVE = {"I": "Tập thể đoàn kết.", "I.1": "a", "I.2": "b", "I.3": "c", "I.4": "d", "II": "e", "VI": "f"}

# (profile, the level each member proposes and is decided, each organisation's)
PROFILE_LEVELS = [
    ("qd366-2025", "HTTNV", "HTTNV"),
    ("qd124-2023", "HTTNV", "HTTNV"),
    ("legacy-tsvm", "HTTNV", "TSVM"),  # a member "đủ tư cách, hoàn thành tốt", a cell "trong sạch vững mạnh"
]


def part_b_data(review, level: str) -> dict:
    """Part B as the service takes it, per the review's profile: QĐ 366 every group 5 of 6
    (25/30) and 55/70 tasks (80: "tốt"); QĐ 124 every criterion graded at `level`; legacy only
    the level."""
    spec = part_b.spec_for(review)
    data = {"proposed_level": level}
    if spec.scored:
        data["criteria"] = {g.code: "5" for g in spec.groups}
        data["self_score_tasks"] = Decimal(55)
    elif spec.graded:
        data["criteria"] = {c.code: level for c in spec.graded}
    return data


def editor_post(review, level: str) -> dict:
    """The same part B as the editor page posts it, with every required section."""
    content = CONTENT_COLLECTIVE if review.is_collective else CONTENT_INDIVIDUAL
    data = {"base_version": review.version, "then": "submit", "shortcomings": "Chậm đóng đảng phí"}
    data.update({"sec_" + code.replace(".", "_"): text for code, text in content.items()})
    spec = part_b.spec_for(review)
    for key, value in part_b_data(review, level).items():
        if key == "criteria":
            prefix = "crit_" if spec.scored else "grade_"
            data.update({prefix + code: v for code, v in value.items()})
        else:
            data[key] = str(value)
    return data


@pytest.mark.parametrize("profile,member_level,org_level", PROFILE_LEVELS)
def test_a_campaign_under_each_profile_completes(cast, client_for, profile, member_level, org_level):
    campaign = annual(cast, issuer=cast.PX, rules_profile=profile)
    launch(actor=cast.admin, campaign=campaign)
    reviews = list(Review.objects.filter(campaign=campaign).select_related("campaign", "subject_org", "member"))
    dave = next(r for r in reviews if r.member_id == cast.members["dave"].pk)
    cell = next(r for r in reviews if r.subject_org_id == cast.C1.pk and not r.leadership)

    # a member and a collective write and submit through the editor, with the profile's part B
    for review, user, level in ((dave, cast.users["dave"], member_level), (cell, cast.users["alice"], org_level)):
        resp = client_for(user).post(reverse("review_edit", args=[review.pk]), editor_post(review, level), follow=True)
        assert "Đã nộp báo cáo." in resp.content.decode(), resp.content.decode()
    # the others through the services
    for review in reviews:
        if review.pk in (dave.pk, cell.pk):
            continue
        content = CONTENT_COLLECTIVE if review.is_collective else CONTENT_INDIVIDUAL
        services.review_save(actor=cast.admin, review=review, base_version=0, content=content,
                             **part_b_data(review, org_level if review.is_collective else member_level))
        services.review_submit(actor=cast.admin, review=review)

    # the unit accepts and finalises (the cell's member and report through the pages)
    staff = client_for(cast.users["alice"])
    for review in (dave, cell):
        assert staff.post(reverse("review_accept", args=[review.pk])).status_code == 302
        assert staff.post(reverse("review_finalise", args=[review.pk])).status_code == 302
    for review in Review.objects.filter(campaign=campaign).exclude(pk__in=(dave.pk, cell.pk)):
        services.review_finalise(actor=cast.alice, review=services.review_accept(actor=cast.alice, review=review))
    assert set(Review.objects.filter(campaign=campaign).values_list("status", flat=True)) == {Status.FINAL}
    dave.refresh_from_db()
    if profile == "qd366-2025":
        assert dave.self_score_common == 25 and dave.self_score_total == 80  # the groups' sum
    assert part_b.level_name(dave) == get_profile(profile).level_name(member_level, "member")

    # the competent bodies decide: the members by the grassroots committee, then the cells by
    # it too, then the grassroots organisation by the district
    rated = [r for r in Review.objects.filter(campaign=campaign) if r.rated]
    members = [r for r in rated if r.member_id]
    ratings.decide(actor=cast.users["grace"], body=cast.PX, decisions=[(r, member_level, "") for r in members])
    for depth in sorted({r.org_path.count(".") for r in rated if r.is_collective}, reverse=True):
        ratings.decide_all(actor=cast.users["grace"], campaign=campaign,
                           decisions=[(r.pk, org_level, "") for r in rated if r.is_collective and r.org_path.count(".") == depth])
    campaign_close(actor=cast.admin, campaign=campaign)

    live = Rating.objects.filter(campaign=campaign, stage=RatingStage.DECISION, cancelled_at__isnull=True)
    assert live.count() == len(rated) and set(live.values_list("profile_key", flat=True)) == {profile}
    cell_rating = live.get(review=cell)
    assert cell_rating.level == org_level
    if profile == "legacy-tsvm":
        assert get_profile(profile).level_name(cell_rating.level, "collective") == "Trong sạch vững mạnh"
        assert get_profile(profile).level_name(live.get(review=dave).level, "member") == "Đủ tư cách, hoàn thành tốt nhiệm vụ"
    tally = selectors.progress(campaign, cast.PX.path)[cast.PX.pk]
    assert tally.complete and tally.done == len(reviews)
    campaign.refresh_from_db()
    assert campaign.status == "closed"


def test_legacy_levels_are_per_kind_of_subject(cast):
    """Under the legacy profile a member cannot be "trong sạch vững mạnh", nor propose it."""
    campaign = annual(cast, issuer=cast.PX, rules_profile="legacy-tsvm")
    launch(actor=cast.admin, campaign=campaign)
    dave = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    with pytest.raises(ValidationError, match="Mức xếp loại đề xuất không hợp lệ"):
        services.review_save(actor=cast.admin, review=dave, base_version=0, content={}, proposed_level="TSVM")
    with pytest.raises(ValidationError, match="không chấm điểm"):
        services.review_save(actor=cast.admin, review=dave, base_version=0, content={}, self_score_common=20)
    with pytest.raises(ratings.RatingRefused, match="không thuộc quy định"):
        ratings.decide(actor=cast.admin, body=cast.PX, decisions=[(dave, "TSVM", "")])
    profile = get_profile("legacy-tsvm")
    assert profile.codes_for("member") == ["DTC_XS", "HTTNV", "HTNV", "YK"]
    assert profile.codes_for("collective") == ["TSVM_TB", "TSVM", "HTTNV", "HTNV", "YK"]


def test_a_qd366_group_over_its_maximum_is_refused_in_vietnamese(cast, client_for):
    campaign = annual(cast, issuer=cast.PX)
    launch(actor=cast.admin, campaign=campaign)
    dave = Review.objects.select_related("campaign").get(campaign=campaign, member=cast.members["dave"])
    with pytest.raises(ValidationError) as refused:
        services.review_save(actor=cast.admin, review=dave, base_version=0, content={},
                             criteria={"chinh_tri": "7", "dao_duc": "5,3", "khac": "1"})
    assert refused.value.messages == [
        "Nhóm tiêu chí “Phẩm chất chính trị”: điểm phải từ 0 đến 6.",
        "Nhóm tiêu chí “Đạo đức, lối sống”: điểm chỉ chấm đến 0,5 (ví dụ 5 hoặc 5,5).",
        "Tiêu chí “khac” không thuộc mẫu kiểm điểm theo quy định áp dụng.",
    ]
    # a total that is not the groups' sum is refused; a partial split leaves the total open
    with pytest.raises(ValidationError, match="tổng điểm các nhóm tiêu chí"):
        services.review_save(actor=cast.admin, review=dave, base_version=0, content={}, self_score_common=30,
                             criteria={g.code: "5" for g in part_b.spec_for(dave).groups})
    saved = services.review_save(actor=cast.admin, review=dave, base_version=0, content={}, criteria={"chinh_tri": "5,5"})
    assert saved.self_score_common is None and saved.criteria == {"chinh_tri": "5.5"}
    assert "Chưa tự chấm điểm nhóm tiêu chí “Đạo đức, lối sống” (phần B)." in services.submit_problems(saved)
    # through the API: 400 with the same message
    resp = client_for(cast.users["dave"]).put(f"/api/v1/reviews/{dave.pk}", {"base_version": 1, "criteria": {"neu_guong": 6.5}},
                                              content_type="application/json")
    assert resp.status_code == 400 and "điểm phải từ 0 đến 6" in resp.json()["detail"]
    resp = client_for(cast.users["dave"]).put(f"/api/v1/reviews/{dave.pk}", {
        "base_version": 1, "criteria": {g.code: 6 for g in part_b.spec_for(dave).groups}, "self_score_tasks": 62},
        content_type="application/json")
    body = resp.json()
    assert resp.status_code == 200 and body["self_score_common"] == 30 and body["self_score_total"] == 92
    assert [g["max_points"] for g in body["part_b"]["groups"]] == [6] * 5 and body["part_b"]["common_max"] == 30


@pytest.mark.parametrize("profile", ["qd366-2025", "qd124-2023", "legacy-tsvm"])
def test_the_editor_asks_what_the_profile_asks(cast, client_for, profile):
    campaign = annual(cast, issuer=cast.PX, rules_profile=profile)
    launch(actor=cast.admin, campaign=campaign)
    dave = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    cell = Review.objects.get(campaign=campaign, subject_org=cast.C1, leadership="")
    member_page = client_for(cast.users["dave"]).get(reverse("review_edit", args=[dave.pk])).content.decode()
    cell_page = client_for(cast.users["alice"]).get(reverse("review_edit", args=[cell.pk])).content.decode()
    for html in (member_page, cell_page):
        assert 'name="self_score_common"' not in html  # the common points are the groups' sum
        assert 'name="proposed_level"' in html
    if profile == "qd366-2025":
        assert 'name="crit_chinh_tri"' in member_page and "Phẩm chất chính trị (tối đa 6 điểm)" in member_page
        assert 'name="crit_tt_quy_che"' in cell_page and 'name="crit_chinh_tri"' not in cell_page
        assert 'name="self_score_tasks"' in member_page and "(tối đa 70 điểm)" in member_page
        assert 'id="common-total"' in member_page and "part-b.js" in member_page
        assert 'name="grade_' not in member_page
    elif profile == "qd124-2023":
        assert 'name="grade_chinh_tri"' in member_page and "Tư tưởng chính trị" in member_page
        assert 'name="grade_tt_quy_che"' in cell_page
        assert 'name="crit_' not in member_page and 'name="self_score_tasks"' not in member_page
    else:
        for html in (member_page, cell_page):
            assert 'name="crit_' not in html and 'name="grade_' not in html and 'name="self_score_tasks"' not in html
        assert '<option value="TSVM">Trong sạch vững mạnh</option>' in cell_page
        assert 'value="TSVM"' not in member_page
        assert '<option value="DTC_XS">Đủ tư cách, hoàn thành xuất sắc nhiệm vụ</option>' in member_page
        assert 'value="DTC_XS"' not in cell_page


def qd124_graded(cast, grade: str):
    campaign = annual(cast, issuer=cast.PX, rules_profile="qd124-2023")
    launch(actor=cast.admin, campaign=campaign)
    dave = Review.objects.select_related("campaign").get(campaign=campaign, member=cast.members["dave"])
    spec = part_b.spec_for(dave)
    grades = {c.code: "HTTNV" for c in spec.graded} | {"ky_luat": grade}
    services.review_save(actor=cast.admin, review=dave, base_version=0, content=CONTENT_INDIVIDUAL,
                         criteria=grades, proposed_level="HTNV")
    return campaign, dave


def test_qd124_grades_are_stored_and_read_for_the_criterion_check(cast):
    campaign, dave = qd124_graded(cast, "HTNV")
    grades = part_b.criterion_grades(campaign)
    assert grades[dave.pk]["ky_luat"] == "HTNV" and len(grades[dave.pk]) == 4
    assert part_b.criterion_grades(campaign, wanted=set()) == {}
    profile = get_profile("qd124-2023")
    assessment = profile.assess(Facts(grades=grades[dave.pk]), "HTTNV")
    assert assessment.cap == "HTNV"
    assert [v.reason for v in assessment.binding] == [
        "Tiêu chí “Ý thức tổ chức kỷ luật, tác phong, lề lối làm việc” chỉ đạt mức “Hoàn thành nhiệm vụ”."]
    # no query at all for a profile that grades nothing
    assert part_b.criterion_grades(annual(cast, 2024, issuer=cast.PX)) == {}


def test_qd124_criterion_check_fires_from_the_stored_grades_when_deciding(cast):
    campaign, dave = qd124_graded(cast, "HTNV")
    with pytest.raises(ratings.RatingRefused, match="Ý thức tổ chức kỷ luật"):
        ratings.decide(actor=cast.admin, body=cast.PX, decisions=[(dave, "HTTNV", "Đồng chí có nhiều đóng góp")])
    assert ratings.decide(actor=cast.admin, body=cast.PX, decisions=[(dave, "HTNV", "")])[0].level == "HTNV"
