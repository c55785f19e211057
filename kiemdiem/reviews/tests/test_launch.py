import datetime

import pytest

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.campaigns.choices import CampaignKind
from kiemdiem.organisations import services as org_services
from kiemdiem.organisations.choices import Occupation, PositionRole
from kiemdiem.reviews.choices import Form, Status
from kiemdiem.reviews.launch import launch, months_before
from kiemdiem.reviews.models import Ineligibility, Participant, PriorShortcoming, Review, Shortcoming
from kiemdiem.testing import make_member

D = datetime.date


def annual(cast, year=2025, issuer=None, **kw):
    return campaign_services.campaign_create(
        actor=cast.admin, issuer=issuer or cast.TU, title=f"Kiểm điểm năm {year}", kind=CampaignKind.ANNUAL,
        year=year, period_start=D(year, 1, 1), period_end=D(year, 12, 31), plan_number="Kế hoạch số 25-KH/TU", **kw
    )


def test_months_before():
    assert months_before(D(2025, 12, 31), 6) == D(2025, 6, 30)
    assert months_before(D(2025, 3, 31), 6) == D(2024, 9, 30)
    assert months_before(D(2024, 8, 31), 6) == D(2024, 2, 29)


def test_launch_creates_reviews_with_the_right_forms(cast):
    make_member(cast.C2, "DV-010", "Võ Thị Hưu", occupation=Occupation.RETIRED)
    make_member(cast.C2, "DV-011", "Đỗ Văn Miễn", exempt_since=D(2024, 1, 1))
    make_member(cast.C2, "DV-012", "Bùi Văn Đình", suspended_since=D(2025, 11, 1))
    make_member(cast.C2, "DV-013", "Ngô Văn Mới", admitted_on=D(2025, 8, 1), official_on=None, status="probationary")
    make_member(cast.C2, "DV-014", "Dương Văn Đủ", admitted_on=D(2025, 6, 30), official_on=None, status="probationary")
    campaign = annual(cast)
    counts = launch(actor=cast.admin, campaign=campaign)

    assert counts["collective"] == 8  # every organisation but the advisory body
    forms = dict(Review.objects.filter(campaign=campaign, member__isnull=False).values_list("member__code", "form"))
    assert forms == {
        "DV-001": Form.MEMBER, "DV-002": Form.LEADER, "DV-003": Form.MEMBER, "DV-004": Form.MEMBER,
        "DV-005": Form.MEMBER, "DV-010": Form.OUTSIDE, "DV-014": Form.MEMBER,
    }
    reasons = dict(Ineligibility.objects.filter(campaign=campaign).values_list("member__code", "reason"))
    assert reasons == {"DV-011": "exempt", "DV-012": "suspended", "DV-013": "too_new"}
    # the secretary of C1 takes part in C1's collective review
    assert list(Participant.objects.filter(review__subject_org=cast.C1).values_list("member__code", flat=True)) == ["DV-002"]
    review = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    assert review.unit == cast.C1 and review.org_path == cast.C1.path and review.status == Status.DRAFT


def test_launching_twice_creates_nothing_new_and_adds_late_joiners(cast):
    campaign = annual(cast)
    first = launch(actor=cast.admin, campaign=campaign)
    total = Review.objects.filter(campaign=campaign).count()
    again = launch(actor=cast.admin, campaign=campaign)
    assert again == {k: 0 for k in first}
    assert Review.objects.filter(campaign=campaign).count() == total
    make_member(cast.C3, "DV-020", "Lý Văn Sau", admitted_on=D(2020, 1, 1))
    later = launch(actor=cast.admin, campaign=campaign)
    assert later["individual"] == 1


def test_scope_leaves_out_excluded_branches(cast):
    campaign = annual(cast, excluded=[cast.QB])
    launch(actor=cast.admin, campaign=campaign)
    codes = set(Review.objects.filter(campaign=campaign).values_list("unit__code", flat=True))
    assert "C3" not in codes and "QB" not in codes and "C1" in codes


def test_section_three_follows_the_person_after_a_transfer(cast):
    last_year = annual(cast, 2024)
    launch(actor=cast.admin, campaign=last_year)
    old = Review.objects.get(campaign=last_year, member=cast.members["dave"])
    Shortcoming.objects.create(review=old, text="Chưa chấp hành nghiêm giờ giấc sinh hoạt", order=1)
    Shortcoming.objects.create(review=old, text="Chậm đóng đảng phí", order=2)
    Review.objects.filter(pk=old.pk).update(status=Status.FINAL)
    # dave moves to a cell in the other branch
    org_services.member_transfer(actor=cast.admin, member=cast.members["dave"], to=cast.C3, on_date=D(2025, 3, 1))
    this_year = annual(cast, 2025)
    launch(actor=cast.admin, campaign=this_year)
    new = Review.objects.get(campaign=this_year, member=cast.members["dave"])
    assert new.unit == cast.C3
    priors = list(PriorShortcoming.objects.filter(review=new).values_list("source__text", flat=True))
    assert priors == ["Chưa chấp hành nghiêm giờ giấc sinh hoạt", "Chậm đóng đảng phí"]
    # a thematic campaign does not pick up the annual review's shortcomings
    thematic = campaign_services.campaign_create(
        actor=None, issuer=cast.TU, title="Tự soi, tự sửa", kind=CampaignKind.THEMATIC, year=2025,
        period_start=D(2025, 1, 1), period_end=D(2025, 12, 31),
    )
    launch(actor=None, campaign=thematic)
    assert not PriorShortcoming.objects.filter(review__campaign=thematic).exists()


def test_campaign_validation(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="sau ngày bắt đầu"):
        campaign_services.campaign_create(actor=None, issuer=cast.TU, title="x", kind="annual", year=2025,
                                          period_start=D(2025, 12, 31), period_end=D(2025, 1, 1))
    with pytest.raises(ValidationError, match="không thuộc phạm vi"):
        annual(cast, issuer=cast.QA, excluded=[cast.QB])
    with pytest.raises(ValidationError, match="không được trước"):
        annual(cast, deadlines={"feedback": D(2025, 12, 10), "drafts": D(2025, 12, 1)})
