"""The seed-000 feedback scenario on top of seed_demo: Bình Thủy's standing committee, 62
documents, the one-stop desk's public comments, the collective draft absorbing feedback."""
import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from kiemdiem.campaigns.models import Campaign
from kiemdiem.feedback import services
from kiemdiem.feedback.choices import Absorption, CommentState, PointKind, RequestStatus, SourceType
from kiemdiem.feedback.demo import DOCUMENTS, TITLE, seed_feedback_demo
from kiemdiem.feedback.models import AnonymousResponse, FeedbackPoint, FeedbackRequest, FeedbackResponse, PublicComment
from kiemdiem.organisations.demo_data import REAL_NAMES
from kiemdiem.reviews.choices import Form
from kiemdiem.reviews.models import Review


def test_it_does_nothing_without_the_demo_organisations(db):
    assert "skipped" in seed_feedback_demo()
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_it_builds_the_binh_thuy_feedback_once(client_for):
    call_command("seed_demo", stdout=io.StringIO())  # runs seed_feedback_demo() at its end
    assert seed_feedback_demo() == {"skipped": "exists"}
    assert DOCUMENTS == 62

    campaign = Campaign.objects.get(title=TITLE)
    assert campaign.issuer.code == "CT-BT" and campaign.year == 2012 and campaign.kind == "thematic"
    reviews = Review.objects.filter(campaign=campaign)
    # the launch makes the district's leadership collectives subjects of their own, and holds each
    # BTV member's Mẫu 2A at BTV level (seed 000's order), the other Quận ủy viên's at the BCH
    assert set(reviews.filter(subject_org__code="CT-BT").values_list("leadership", flat=True)) == {"", "bch", "btv", "tt"}
    collective = reviews.get(subject_org__code="CT-BT", leadership="btv")
    individuals = reviews.filter(member__isnull=False, leadership="btv")
    assert individuals.count() == 11 and not reviews.filter(member__isnull=False, leadership="").exists()
    assert set(reviews.filter(member__isnull=False).values_list("form", flat=True)) == {Form.LEADER}
    assert collective.participants.count() == 11

    # exactly 62 attributed documents, over the collective and all 11 members
    responses = FeedbackResponse.objects.filter(request__review__campaign=campaign)
    assert responses.count() == 62
    assert FeedbackRequest.objects.filter(review__campaign=campaign).exclude(status=RequestStatus.ANSWERED).count() == 0
    per_review = dict(responses.values_list("request__review").annotate(n=Count("id")))
    assert per_review[collective.pk] == 26 and all(per_review.get(r.pk) for r in individuals)
    assert sum(1 for r in individuals if per_review[r.pk] >= 3) == 11  # workplace, residence or unit, ...
    types = set(responses.values_list("request__source_type", flat=True))
    assert {SourceType.SUPERIOR, SourceType.ADVISORY, SourceType.ORGANISATION, SourceType.PERSON,
            SourceType.WORKPLACE_CELL, SourceType.RESIDENCE_CELL} <= types
    labels = {r.request.source_label for r in responses.select_related("request__source_org", "request__source_member")}
    assert {"Thành ủy Cần Thơ", "Thường trực HĐND thành phố Cần Thơ", "UBND thành phố Cần Thơ",
            "Ban Tổ chức Quận ủy Bình Thủy", "Đảng bộ phường An Thới"} <= labels

    # nothing negative about a real person: the secretary gets strengths and suggestions only
    nam = individuals.get(member__full_name="Lê Hoàng Nam")
    assert not FeedbackPoint.objects.filter(review=nam, kind=PointKind.SHORTCOMING).exists()
    assert not FeedbackPoint.objects.filter(review__member__full_name__in=REAL_NAMES, kind=PointKind.SHORTCOMING).exists()
    assert not nam.member.residences.exists()
    for r in responses.filter(request__source_type=SourceType.PERSON).select_related("request"):
        assert not any(name in r.request.source_name for name in REAL_NAMES)

    # the one-stop desk: public comments, four accepted onto the collective (past the threshold)
    comments = PublicComment.objects.filter(page__organisation__code="CT-BT")
    assert comments.filter(state=CommentState.ACCEPTED).count() == 4
    assert comments.filter(state=CommentState.PENDING).exists()
    public = services.visible_points(collective).filter(anonymous__group=SourceType.PUBLIC)
    assert public.count() == 4 and any("một cửa" in p.text for p in public)
    # two peer opinions held back
    held = {r.pk: services.held_back(r) for r in individuals}
    assert [h for h in held.values() if h] == [{SourceType.PEERS: 2}]
    assert AnonymousResponse.objects.filter(review__campaign=campaign, group=SourceType.PEERS).count() == 2

    # the collective draft absorbs part of the feedback, the rest is left to do
    collective.refresh_from_db()
    assert "một cửa" in collective.content["II"] and collective.shortcomings.count() == 2
    visible = services.visible_points(collective)
    assert visible.filter(absorption=Absorption.ACCEPTED).exists()
    assert visible.filter(absorption=Absorption.PENDING).exists()
    assert services.unanswered_points_gate(collective)

    # idempotent
    before = (Review.objects.count(), FeedbackResponse.objects.count(), PublicComment.objects.count())
    assert "skipped" in seed_feedback_demo()
    assert (Review.objects.count(), FeedbackResponse.objects.count(), PublicComment.objects.count()) == before

    # and the demo's staff account sees it on the pages
    from django.contrib.auth import get_user_model

    staff = client_for(get_user_model().objects.get(username="btc.binhthuy"))
    page = staff.get(f"/reviews/{collective.pk}/feedback/points/")
    assert page.status_code == 200 and "Thường trực HĐND thành phố Cần Thơ" in page.content.decode()
    progress = staff.get(f"/campaigns/{campaign.pk}/feedback/")
    assert progress.status_code == 200
    assert progress.context["here"].total.answered == 62
    assert "đang giữ lại (chưa đủ 3 ý kiến)" in progress.content.decode()
