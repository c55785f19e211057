"""Leadership collectives (HD 43): a district's BCH, BTV and Thường trực are review subjects
of their own with their members; each leader reviews individually (2A) in the collective they
review at, after it, and is rated once, at their own review."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from kiemdiem.organisations import services as org_services
from kiemdiem.organisations.choices import PositionRole
from kiemdiem.ratings import services as rating_services
from kiemdiem.ratings.models import Rating
from kiemdiem.ratings.selectors import calibration, subjects
from kiemdiem.reports import statistics
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Participant, Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date
R = PositionRole


@pytest.fixture
def district(cast):
    m = cast.members
    for member, role in ((m["an"], R.SECRETARY), (m["binh"], R.DEPUTY_SECRETARY), (m["cuong"], R.STANDING_MEMBER),
                         (m["dave"], R.COMMITTEE_MEMBER)):
        org_services.position_assign(actor=None, member=member, organisation=cast.QA, role=role, start=D(2021, 1, 1))
    campaign = annual(cast)
    counts = launch(actor=cast.admin, campaign=campaign)
    return campaign, counts


def _names(qs):
    return sorted(p.member.full_name for p in qs)


def test_a_district_launch_makes_its_leadership_collectives_and_the_leaders_reviews_there(cast, district):
    campaign, counts = district
    qa = {r.leadership: r for r in Review.objects.filter(campaign=campaign, subject_org=cast.QA)}
    assert set(qa) == {"", "bch", "btv", "tt"} and all(r.form == "01" and r.unit_id == cast.QA.pk for r in qa.values())
    assert counts["leadership"] == 3 and counts["leaders"] == 4
    members = ["Lê Văn Bình", "Nguyễn Thị An", "Phạm Văn Cường", "Trần Văn Đức"]
    assert _names(Participant.objects.filter(review=qa["bch"])) == members
    assert _names(Participant.objects.filter(review=qa["btv"])) == members[:3]
    assert _names(Participant.objects.filter(review=qa["tt"])) == members[:2]
    # each BTV member's 2A at BTV level; the committee member who is not in the BTV at the BCH
    held = {(r.member.full_name, r.leadership) for r in Review.objects.filter(campaign=campaign, unit=cast.QA,
                                                                             member__isnull=False)}
    assert held == {(members[0], "btv"), (members[1], "btv"), (members[2], "btv"), (members[3], "bch")}
    assert all(r.form == "2A" and not r.rated for r in Review.objects.filter(campaign=campaign, unit=cast.QA, member__isnull=False))
    # every leader keeps their own review at their cell, the one that is rated
    own = Review.objects.filter(campaign=campaign, member__in=cast.members.values(), leadership="")
    assert own.count() == 5 and all(r.rated for r in own)
    assert launch(actor=cast.admin, campaign=campaign)["leaders"] == 0  # a second launch adds nothing


def test_at_the_btv_meeting_the_collective_comes_first_then_each_member_head_first(cast, district):
    campaign, _counts = district
    btv = Review.objects.get(campaign=campaign, subject_org=cast.QA, leadership="btv")
    meeting = rating_services.meeting_create(actor=cast.alice, review=btv, held_on=D(2025, 12, 20))
    order = subjects(meeting)
    assert order[0] == btv
    assert [r.member.full_name for r in order[1:]] == ["Nguyễn Thị An", "Lê Văn Bình", "Phạm Văn Cường"]
    # the BTV's members attend, not a cell's
    assert sorted(m.full_name for m in rating_services.expected_attendees(meeting)) == sorted(
        r.member.full_name for r in order[1:])
    rating_services.attendance_record(actor=cast.alice, meeting=meeting,
                                      rows=[(m, True, "") for m in rating_services.expected_attendees(meeting)])
    vote = rating_services.vote_open(actor=cast.alice, meeting=meeting, subject=btv, method="hands")
    rating_services.vote_close(actor=cast.alice, vote=vote, counts={"HTTNV": 3})
    assert Rating.objects.get(review=btv, stage="unit").subject_kind == "btv"
    with pytest.raises(ValidationError, match="xếp loại một lần"):
        rating_services.vote_open(actor=cast.alice, meeting=meeting, subject=order[1], method="hands")
    rating_services.contribution_add(actor=cast.alice, meeting=meeting, subject=order[1], text="Cần sâu sát cơ sở hơn")


def test_leaders_are_rated_once_and_collectives_are_not_counted_as_organisations(cast, district):
    campaign, _counts = district
    cal = calibration(campaign, cast.TU)
    subjects_ = {(r.review.subject_org_id, r.review.leadership) for r in cal.rows if r.kind == "collective"}
    assert {(cast.QA.pk, "bch"), (cast.QA.pk, "btv"), (cast.QA.pk, "tt"), (cast.QA.pk, "")} <= subjects_
    assert not [r for r in cal.rows if r.review.member_id and r.review.leadership]
    held = Review.objects.filter(campaign=campaign, unit=cast.QA, member__isnull=False).first()
    with pytest.raises(ValidationError, match="xếp loại một lần"):
        rating_services.rating_record(actor=cast.admin, review=held, stage="decision", level="HTTNV")
    with pytest.raises(ValidationError, match="xếp loại một lần"):
        rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=[(held.pk, "HTTNV", "")])
    # everyone below decided, then the district's collectives beside each other
    below = Review.objects.filter(campaign=campaign, org_path__startswith=cast.QA.path).exclude(
        org_path=cast.QA.path, member__isnull=True).exclude(member__isnull=False, leadership__gt="")
    for depth in (True, False):
        rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=[
            (r.pk, "HTTNV", "") for r in below.filter(member__isnull=not depth).order_by("-org_path")
            if depth or r.subject_org.kind == "cell"])
    rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=[
        (r.pk, "HTTNV", "") for r in below.filter(member__isnull=True, subject_org__kind="grassroots")])
    qa = Review.objects.filter(campaign=campaign, subject_org=cast.QA)
    rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in qa])
    kinds = set(Rating.objects.filter(review__in=qa, stage="decision").values_list("subject_kind", flat=True))
    assert kinds == {"district", "bch", "btv", "tt"}
    orgs = statistics.rating_distribution(campaign, cast.QA.path, members=False)
    assert orgs.total == Review.objects.filter(campaign=campaign, org_path__startswith=cast.QA.path, member__isnull=True,
                                               leadership="").count()  # the district counted once


def _decide_below(cast, campaign, root):
    below = Review.objects.filter(campaign=campaign, org_path__startswith=root.path).exclude(
        org_path=root.path, member__isnull=True).exclude(member__isnull=False, leadership__gt="")
    rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=[
        (r.pk, "HTTNV", "") for r in below.filter(member__isnull=False)])
    for kind in ("cell", "grassroots"):
        rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=[
            (r.pk, "HTTNV", "") for r in below.filter(member__isnull=True, subject_org__kind=kind)])


def test_the_quota_is_counted_within_each_group_of_comparable_subjects(cast, district):
    """TU decides the two districts and their leadership collectives: one HTXSNV district
    beside one HTTNV district breaks the quota of the districts' group, though counted with the
    five leadership collectives (six HTTNV in all) it would have passed."""
    campaign, _counts = district
    org_services.position_assign(actor=None, member=cast.members["dung"], organisation=cast.QB, role=R.STANDING_MEMBER,
                                 start=D(2021, 1, 1))
    launch(actor=cast.admin, campaign=campaign)
    for root in (cast.QA, cast.QB):
        _decide_below(cast, campaign, root)
    tops = list(Review.objects.filter(campaign=campaign, subject_org__in=[cast.QA, cast.QB]))
    assert len(tops) == 7  # two districts; BCH, BTV, Thường trực of QA; BCH, BTV of QB (no secretary: no TT)
    decisions = [(r.pk, "HTXSNV" if (r.subject_org_id, r.leadership) == (cast.QA.pk, "") else "HTTNV", "") for r in tops]
    with pytest.raises(ValidationError) as exc:
        rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=decisions)
    assert any("quá nhiều" in m and "đảng bộ cấp trên cơ sở" in m and "Thành ủy Thử nghiệm" in m for m in exc.value.messages)
    assert not Rating.objects.filter(review__in=tops, stage="decision").exists()
    rating_services.decide_all(actor=cast.admin, campaign=campaign, decisions=[(pk, "HTTNV", "") for pk, _l, _r in decisions])


def test_the_pages_name_the_collective_and_say_where_a_leader_is_rated(cast, district, client_for):
    from django.urls import reverse

    campaign, _counts = district
    btv = Review.objects.get(campaign=campaign, subject_org=cast.QA, leadership="btv")
    page = client_for(cast.alice).get(reverse("review_detail", args=[btv.pk])).content.decode()
    assert "Báo cáo kiểm điểm · Ban Thường vụ Quận ủy A" in page
    held = Review.objects.get(campaign=campaign, member=cast.members["an"], leadership="btv")
    page = client_for(cast.alice).get(reverse("review_detail", args=[held.pk])).content.decode()
    assert 'id="held-in"' in page and "Kiểm điểm tại Ban Thường vụ Quận ủy A" in page
