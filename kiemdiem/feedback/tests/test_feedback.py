import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kiemdiem.core.models import AuditEvent
from kiemdiem.feedback import services
from kiemdiem.feedback.choices import Absorption, CommentState, PointKind, RequestStatus, SourceType
from kiemdiem.feedback.models import (
    AnonymousResponse,
    FeedbackPoint,
    FeedbackRequest,
    PublicComment,
    PublicPage,
    ResponderReceipt,
)
from kiemdiem.organisations import services as org_services
from kiemdiem.organisations.choices import Occupation
from kiemdiem.reviews import services as review_services
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual
from kiemdiem.reviews.tests.test_workflow import fill
from kiemdiem.testing import make_member

D = datetime.date
S, W, G = PointKind.STRENGTH, PointKind.SHORTCOMING, PointKind.SUGGESTION


@pytest.fixture
def campaign(cast):
    c = annual(cast, deadlines={"feedback": D(2025, 12, 5)})
    launch(actor=cast.admin, campaign=c)
    return c


def review_of(campaign, member=None, org=None):
    if member is not None:
        return Review.objects.get(campaign=campaign, member=member)
    return Review.objects.get(campaign=campaign, subject_org=org)


def test_requests_and_responses(cast, campaign):
    review = review_of(campaign, org=cast.PX)
    req = services.request_create(actor=cast.alice, review=review, source_type=SourceType.SUPERIOR, source_org=cast.QA)
    assert req.due == D(2025, 12, 5)
    with pytest.raises(ValidationError, match="Đã có"):
        services.request_create(actor=cast.alice, review=review, source_type=SourceType.SUPERIOR, source_org=cast.QA)
    with pytest.raises(ValidationError, match="ẩn danh"):
        services.request_create(actor=cast.alice, review=review, source_type=SourceType.PEERS)
    services.respond(actor=cast.alice, request=req, points=[(S, "Đoàn kết"), (W, "Chậm giải quyết hồ sơ"), (G, "")],
                     document_ref="Số 12-CV/QU")
    req.refresh_from_db()
    assert req.status == RequestStatus.ANSWERED
    assert list(req.response.points.values_list("kind", "text")) == [(S, "Đoàn kết"), (W, "Chậm giải quyết hồ sơ")]
    with pytest.raises(ValidationError, match="đã được trả lời"):
        services.respond(actor=cast.alice, request=req, points=[(S, "x")])


def test_single_use_links(cast, campaign):
    review = review_of(campaign, member=cast.members["an"])
    req = services.request_create(actor=cast.alice, review=review, source_type=SourceType.PERSON,
                                  source_name="Thiếu tướng (nghỉ hưu) Nguyễn Văn Hưu")
    token = services.issue_link(actor=cast.alice, request=req)
    assert token not in (FeedbackRequest.objects.get(pk=req.pk).token_hash or "")
    services.respond_with_token(token=token, points=[(G, "Cần gương mẫu hơn")], signed_as="Nguyễn Văn Hưu")
    with pytest.raises(ValidationError, match="không hợp lệ hoặc đã được sử dụng"):
        services.respond_with_token(token=token, points=[(G, "lần hai")])
    # an expired link is refused and saves nothing
    req2 = services.request_create(actor=cast.alice, review=review, source_type=SourceType.PERSON, source_name="Cựu chiến binh B")
    token2 = services.issue_link(actor=cast.alice, request=req2, days=-1)
    with pytest.raises(ValidationError, match="hết hạn"):
        services.respond_with_token(token=token2, points=[(G, "x")])
    assert not FeedbackPoint.objects.filter(response__request=req2).exists()


def test_bulk_requests_from_residence_cells_for_leaders(cast, campaign):
    org_services.residence_register(actor=None, member=cast.members["an"], organisation=cast.C3, start=D(2020, 1, 1))
    leaders = Review.objects.filter(campaign=campaign, form="2A")
    assert services.requests_bulk(actor=cast.alice, reviews=leaders, source_type=SourceType.RESIDENCE_CELL) == 1
    assert services.requests_bulk(actor=cast.alice, reviews=leaders, source_type=SourceType.RESIDENCE_CELL) == 0
    everyone = Review.objects.filter(campaign=campaign, member__isnull=False)
    assert services.requests_bulk(actor=cast.alice, reviews=everyone, source_type=SourceType.WORKPLACE_CELL) == everyone.count()


def test_annual_launch_requests_residence_comments_automatically(cast):
    org_services.residence_register(actor=None, member=cast.members["dave"], organisation=cast.C3, start=D(2020, 1, 1))
    student = make_member(cast.C2, "DV-030", "Lê Văn Sinh", occupation=Occupation.STUDENT)
    org_services.residence_register(actor=None, member=student, organisation=cast.C3, start=D(2020, 1, 1))
    campaign = annual(cast)
    counts = launch(actor=cast.admin, campaign=campaign)
    assert counts["residence_requests"] == 1  # the student is in an exempt group (configurable)
    req = FeedbackRequest.objects.get(review__campaign=campaign)
    assert req.source_type == SourceType.RESIDENCE_CELL and req.source_org == cast.C3
    assert req.review.member == cast.members["dave"]
    assert launch(actor=cast.admin, campaign=campaign)["residence_requests"] == 0


def test_anonymous_feedback_cannot_be_traced_and_is_held_below_three(cast, campaign, settings):
    review = review_of(campaign, member=cast.members["an"])
    services.respond_anonymously(giver=f"user:{cast.users['dave'].pk}", review=review, group=SourceType.PEERS,
                                 points=[(W, "Ngại va chạm")])
    with pytest.raises(ValidationError, match="một lần"):
        services.respond_anonymously(giver=f"user:{cast.users['dave'].pk}", review=review, group=SourceType.PEERS,
                                     points=[(W, "lần nữa")])
    services.respond_anonymously(giver="member:binh", review=review, group=SourceType.PEERS, points=[(S, "Nhiệt tình")])
    # two responses: held back
    assert services.held_back(review) == {SourceType.PEERS: 2}
    assert not services.visible_points(review).exists()
    services.respond_anonymously(giver="member:x", review=review, group=SourceType.PEERS, points=[(G, "Học thêm")])
    assert services.visible_points(review).count() == 3
    # nothing in the database ties a response to its giver: read every column of every row
    dave_id = str(cast.users["dave"].pk)
    tables = ["feedback_anonymousresponse", "feedback_feedbackpoint", "feedback_responderreceipt"]
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cur.description]
            assert not any("user" in c or "ip" == c or "author" in c or "created" in c for c in columns), (table, columns)
            for row in cur.fetchall():
                assert "dave" not in " ".join(map(str, row)) and f"user:{dave_id}" not in " ".join(map(str, row))
    # responses carry only the day; receipts have no link to responses and a random key
    assert {c.name for c in AnonymousResponse._meta.get_fields() if c.concrete} == {"id", "review", "group", "received_on"}
    assert {c.name for c in ResponderReceipt._meta.get_fields() if c.concrete} == {"id", "key"}
    assert not AuditEvent.objects.filter(actor=cast.users["dave"]).exists()
    # the threshold is configurable
    settings.KIEMDIEM_ANONYMOUS_MIN_RESPONSES = 5
    assert not services.visible_points(review).exists()


def test_submit_gate_on_unanswered_points_with_audited_override(cast, campaign):
    review = review_of(campaign, member=cast.members["dave"])
    req = services.request_create(actor=cast.alice, review=review, source_type=SourceType.WORKPLACE_CELL, source_org=cast.C1)
    services.respond(actor=cast.alice, request=req, points=[(W, "Chậm đóng đảng phí"), (G, "Tích cực phát biểu")])
    dave = cast.users["dave"]
    r = fill(review, dave)
    with pytest.raises(ValidationError) as exc:
        review_services.review_submit(actor=dave, review=r)
    assert any("2 ý kiến góp ý" in m for m in exc.value.messages)
    p1, p2 = services.visible_points(r).order_by("id")
    with pytest.raises(ValidationError, match="mục"):
        services.absorb(actor=dave, point=p1, absorption=Absorption.ACCEPTED, section="ZZ")
    services.absorb(actor=dave, point=p1, absorption=Absorption.ACCEPTED, section="II")
    with pytest.raises(ValidationError, match="giải trình"):
        services.absorb(actor=dave, point=p2, absorption=Absorption.ANSWERED, explanation=" ")
    with pytest.raises(ValidationError, match="1 ý kiến"):
        review_services.review_submit(actor=dave, review=r)
    # staff override with a reason, audited
    with pytest.raises(ValidationError, match="lý do"):
        services.override_gate(actor=cast.alice, review=r, reason="")
    services.override_gate(actor=cast.alice, review=r, reason="Ý kiến trùng lặp, đã thống nhất tại chi bộ")
    assert AuditEvent.objects.filter(action="feedback.override", actor=cast.alice).exists()
    assert review_services.review_submit(actor=dave, review=r).status == "submitted"


def test_public_channel_spam_flood_and_moderation(cast, campaign):
    page = PublicPage.objects.create(organisation=cast.PX, slug="phuong-x", title="Góp ý bộ phận một cửa")
    ok = dict(page=page, visitor_key="1.2.3.4", seconds_on_form=20)
    with pytest.raises(ValidationError, match="tự động"):
        services.public_comment_submit(text="Cán bộ một cửa tiếp dân chưa hòa nhã", honeypot="x", **ok)
    with pytest.raises(ValidationError, match="quá nhanh"):
        services.public_comment_submit(page=page, visitor_key="1.2.3.4", seconds_on_form=1, text="Hồ sơ giải quyết trễ hẹn")
    with pytest.raises(ValidationError, match="đường dẫn"):
        services.public_comment_submit(text="mua ngay http://a.example http://b.example", **ok)
    assert PublicComment.objects.count() == 0
    first = services.public_comment_submit(text="Cán bộ một cửa tiếp dân chưa hòa nhã", **ok)
    with pytest.raises(ValidationError, match="đã được gửi"):
        services.public_comment_submit(text="Cán bộ một cửa tiếp dân chưa hòa nhã", **ok)
    for i in range(3):  # every attempt counts towards the limit of 5 an hour, refused ones too
        services.public_comment_submit(text=f"Hồ sơ số {i} bị trễ hẹn nhiều ngày", **ok)
    with pytest.raises(ValidationError, match="quá nhiều"):
        services.public_comment_submit(text="Một góp ý nữa về thủ tục", **ok)
    services.public_comment_submit(text="Một góp ý nữa về thủ tục", **{**ok, "visitor_key": "5.6.7.8"})
    assert PublicComment.objects.count() == 5
    services.moderate(actor=cast.alice, comment=first, accept=True)
    first.refresh_from_db()
    assert first.state == CommentState.ACCEPTED
    point = FeedbackPoint.objects.get(anonymous=first.became)
    assert point.review == review_of(campaign, org=cast.PX) and point.anonymous.group == SourceType.PUBLIC
    with pytest.raises(ValidationError, match="đã được xử lý"):
        services.moderate(actor=cast.alice, comment=first, accept=False)


def test_bodies_outside_the_party_tree_are_named(cast, campaign):
    review = review_of(campaign, org=cast.QA)
    req = services.request_create(actor=cast.alice, review=review, source_type=SourceType.ORGANISATION,
                                  source_name="Thường trực HĐND quận")
    assert req.source_label == "Thường trực HĐND quận"
    with pytest.raises(ValidationError, match="ghi tên cơ quan"):
        services.request_create(actor=cast.alice, review=review, source_type=SourceType.SUPERIOR)


def test_reminders_to_overdue_sources(cast, campaign):
    from django.core import mail

    from kiemdiem.core.models import Notification
    from kiemdiem.feedback import reminders

    review = review_of(campaign, org=cast.C3)
    services.request_create(actor=cast.alice, review=review, source_type=SourceType.SUPERIOR, source_org=cast.XY,
                            due=D(2025, 12, 1))
    services.request_create(actor=cast.alice, review=review, source_type=SourceType.PERSON, source_name="Cựu chiến binh C",
                            source_email="ccb@example.org", due=D(2025, 12, 1))
    result = reminders.send(campaign=campaign, root_path=cast.TU.path, today=D(2025, 12, 2))
    assert result == {"overdue": 2, "notified": 0, "mailed": 1}  # nobody holds a grant on XY itself
    assert mail.outbox[-1].to == ["ccb@example.org"]
    from kiemdiem.organisations import services as org_services

    org_services.grant_role(actor=None, user=cast.users["carol"], organisation=cast.XY, role="staff")
    reminders.send(campaign=campaign, root_path=cast.TU.path, today=D(2025, 12, 2))
    assert Notification.objects.filter(user=cast.users["carol"], text__contains="quá hạn").count() == 1
    reminders.send(campaign=campaign, root_path=cast.TU.path, today=D(2025, 12, 2))  # not twice a day
    assert Notification.objects.filter(user=cast.users["carol"]).count() == 1
    assert reminders.send(campaign=campaign, root_path=cast.TU.path, today=D(2025, 11, 30))["overdue"] == 0
