"""The feedback pages: staff requests and links, sources answering, anonymous peers, the
threshold in the UI, absorption, the audited override, the public opinion page and its
moderation, the campaign roll-up, and query counts that do not grow with rows."""
import datetime
import time

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdiem.core.models import AuditEvent
from kiemdiem.feedback import services
from kiemdiem.feedback.choices import Absorption, CommentState, PointKind, RequestStatus, SourceType
from kiemdiem.feedback.forms import PUBLIC_SALT
from kiemdiem.feedback.models import (
    AnonymousResponse,
    FeedbackPoint,
    FeedbackRequest,
    FeedbackResponse,
    GateOverride,
    PublicComment,
    PublicPage,
)
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual
from kiemdiem.testing import make_member

D = datetime.date
S, W, G = PointKind.STRENGTH, PointKind.SHORTCOMING, PointKind.SUGGESTION


@pytest.fixture
def campaign(cast):
    c = annual(cast, deadlines={"feedback": D(2099, 12, 5)})
    launch(actor=cast.admin, campaign=c)
    return c


def review_of(campaign, member=None, org=None):
    if member is not None:
        return Review.objects.get(campaign=campaign, member=member)
    return Review.objects.get(campaign=campaign, subject_org=org)


@pytest.fixture
def an_review(cast, campaign):
    return review_of(campaign, member=cast.members["an"])


@pytest.fixture
def dave_review(cast, campaign):
    return review_of(campaign, member=cast.members["dave"])


def answered(cast, review, source_org, points, source_type=SourceType.SUPERIOR):
    req = services.request_create(actor=cast.alice, review=review, source_type=source_type, source_org=source_org)
    services.respond(actor=cast.alice, request=req, points=points)
    return req


def points_data(*texts, **extra):
    data = {"rows": str(max(len(texts), 1))}
    for i, (kind, text) in enumerate(texts):
        data[f"kind_{i}"], data[f"text_{i}"] = kind, text
    data.update(extra)
    return data


# --- staff: requests, links, override ------------------------------------------------------


def test_it_lets_staff_request_feedback_from_a_source(cast, an_review, client_for):
    alice = client_for(cast.alice)
    url = reverse("feedback_review", args=[an_review.pk])
    assert alice.get(url).status_code == 200
    resp = alice.post(reverse("feedback_request_create", args=[an_review.pk]),
                      {"source_type": SourceType.SUPERIOR, "org_code": "px", "due": "2099-11-30"})
    assert resp.status_code == 302
    req = FeedbackRequest.objects.get(review=an_review)
    assert req.source_org == cast.PX and req.due == D(2099, 11, 30) and req.status == RequestStatus.REQUESTED
    page = alice.get(url).content.decode()
    assert "Đảng bộ phường X" in page and "Đã đề nghị" in page
    # the same source twice, an unknown code, an anonymous kind: refused with a message
    again = alice.post(reverse("feedback_request_create", args=[an_review.pk]),
                       {"source_type": SourceType.SUPERIOR, "org_code": "PX"})
    assert again.status_code == 400 and "Đã có đề nghị góp ý từ nguồn này" in again.content.decode()
    unknown = alice.post(reverse("feedback_request_create", args=[an_review.pk]),
                         {"source_type": SourceType.ORGANISATION, "org_code": "KHONG-CO"})
    assert "Không có tổ chức mang mã" in unknown.content.decode()
    peers = alice.post(reverse("feedback_request_create", args=[an_review.pk]), {"source_type": SourceType.PEERS})
    assert peers.status_code == 400
    assert FeedbackRequest.objects.filter(review=an_review).count() == 1


def test_staff_pages_are_scoped(cast, an_review, dave_review, client_for):
    url = reverse("feedback_review", args=[an_review.pk])
    assert client_for(cast.bob).get(url).status_code == 403  # viewer on PX
    assert client_for(cast.carol).get(url).status_code == 404  # other branch
    assert client_for(cast.eve).get(url).status_code == 404  # outsider
    assert client_for(cast.users["dave"]).get(url).status_code == 404  # a member of the cell, no grant
    # the subject does not manage the requests about themselves
    assert client_for(cast.users["dave"]).get(reverse("feedback_review", args=[dave_review.pk])).status_code == 403
    assert client_for(None).get(url).status_code == 302
    before = FeedbackRequest.objects.count()
    client_for(cast.carol).post(reverse("feedback_request_create", args=[an_review.pk]),
                                {"source_type": SourceType.PERSON, "source_name": "Ông B"})
    assert FeedbackRequest.objects.count() == before


def test_a_single_use_link_works_once(cast, an_review, client_for, client):
    req = services.request_create(actor=cast.alice, review=an_review, source_type=SourceType.PERSON,
                                  source_name="Đại tá (nghỉ hưu) Nguyễn Văn Hưu", source_email="huu@example.org")
    resp = client_for(cast.alice).post(reverse("feedback_issue_link", args=[req.pk]))
    assert resp.status_code == 200
    url = resp.context["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url.startswith("http://testserver/feedback/link/") and url in resp.content.decode()
    req.refresh_from_db()
    assert req.token_hash and token not in req.token_hash
    assert AuditEvent.objects.filter(action="feedback.link", actor=cast.alice).exists()

    page = client.get(f"/feedback/link/{token}/")
    assert page.status_code == 200 and "Nguyễn Thị An" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"  # the token never leaves the site in a Referer
    # "Thêm dòng" shows one more row and saves nothing
    more = client.post(f"/feedback/link/{token}/", points_data((G, "Cần gương mẫu hơn"), add_row="1"))
    assert more.status_code == 200 and more.context["form"].n_rows == 2 and "Cần gương mẫu hơn" in more.content.decode()
    assert not FeedbackResponse.objects.exists()
    partial = client.post(f"/feedback/link/{token}/", points_data((G, "x"), add_row="1"), headers={"hx-request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode() and 'id="point-rows"' in partial.content.decode()
    # empty: refused, nothing saved
    empty = client.post(f"/feedback/link/{token}/", points_data((G, "  ")))
    assert empty.status_code == 400 and "Cần ít nhất một ý kiến" in empty.content.decode()

    done = client.post(f"/feedback/link/{token}/", points_data((S, "Nhiệt tình với phong trào khu dân cư"),
                                                               (G, "Cần gương mẫu hơn nữa"), signed_as="Nguyễn Văn Hưu"))
    assert done.status_code == 200 and "Cảm ơn đồng chí" in done.content.decode()
    req.refresh_from_db()
    assert req.status == RequestStatus.ANSWERED and req.response.signed_as == "Nguyễn Văn Hưu"
    assert req.response.points.count() == 2 and req.response.author is None

    used = client.get(f"/feedback/link/{token}/")
    assert used.status_code == 404 and "đã được sử dụng" in used.content.decode()
    again = client.post(f"/feedback/link/{token}/", points_data((G, "Lần hai")))
    assert again.status_code == 404
    assert FeedbackPoint.objects.filter(response__request=req).count() == 2
    assert client.get("/feedback/link/khong-co-that/").status_code == 404


def test_an_expired_link_is_gone_and_saves_nothing(cast, an_review, client):
    req = services.request_create(actor=cast.alice, review=an_review, source_type=SourceType.PERSON,
                                  source_name="Cựu chiến binh B")
    token = services.issue_link(actor=cast.alice, request=req, days=-1)
    page = client.get(f"/feedback/link/{token}/")
    assert page.status_code == 410 and "hết hạn" in page.content.decode()
    post = client.post(f"/feedback/link/{token}/", points_data((G, "Ý kiến muộn")))
    assert post.status_code == 410
    assert not FeedbackResponse.objects.exists()


def test_links_are_issued_by_staff_only(cast, an_review, client_for):
    req = services.request_create(actor=cast.alice, review=an_review, source_type=SourceType.SUPERIOR, source_org=cast.PX)
    url = reverse("feedback_issue_link", args=[req.pk])
    assert client_for(cast.bob).post(url).status_code == 403
    assert client_for(cast.carol).post(url).status_code == 404
    assert client_for(cast.alice).get(url).status_code == 405
    req.refresh_from_db()
    assert req.token_hash is None


def test_override_is_audited(cast, dave_review, client_for):
    url = reverse("feedback_override", args=[dave_review.pk])
    assert client_for(cast.bob).post(url, {"reason": "x"}).status_code == 403
    empty = client_for(cast.alice).post(url, {"reason": " "})
    assert empty.status_code == 400 and not GateOverride.objects.exists()
    assert client_for(cast.alice).post(url, {"reason": "Ý kiến trùng lặp, đã thống nhất tại chi bộ"}).status_code == 302
    override = GateOverride.objects.get(review=dave_review)
    assert override.by == cast.alice
    event = AuditEvent.objects.get(action="feedback.override")
    assert event.actor == cast.alice and "trùng lặp" in event.reason
    page = client_for(cast.alice).get(reverse("feedback_review", args=[dave_review.pk])).content.decode()
    assert "Ý kiến trùng lặp" in page


# --- sources answering ------------------------------------------------------------------------


def test_a_source_organisation_answers_from_its_list(cast, an_review, client_for):
    req = services.request_create(actor=cast.alice, review=an_review, source_type=SourceType.SUPERIOR, source_org=cast.PX)
    bob = client_for(cast.bob)  # a viewer on PX: answers for it
    mine = bob.get(reverse("feedback_mine"))
    assert mine.status_code == 200 and list(mine.context["page"]) == [req]
    assert not list(client_for(cast.carol).get(reverse("feedback_mine")).context["page"])
    url = reverse("feedback_respond", args=[req.pk])
    assert bob.get(url).status_code == 200
    resp = bob.post(url, points_data((S, "Đoàn kết"), (W, "Chậm báo cáo"), document_ref="Số 12-CV/ĐU"))
    assert resp.status_code == 302 and resp.url == reverse("feedback_mine")
    req.refresh_from_db()
    assert req.status == RequestStatus.ANSWERED and req.response.author == cast.bob
    assert req.response.document_ref == "Số 12-CV/ĐU"
    assert not list(bob.get(reverse("feedback_mine")).context["page"])
    # answered: the form is not offered again
    assert bob.post(url, points_data((S, "lần hai"))).status_code == 302
    assert FeedbackPoint.objects.filter(review=an_review).count() == 2
    # others: not found
    assert client_for(cast.carol).get(url).status_code == 404
    assert client_for(cast.users["dave"]).get(url).status_code == 404
    assert client_for(cast.eve).get(url).status_code == 404


def test_a_named_member_answers_and_staff_record_paper_documents(cast, an_review, client_for):
    req = services.request_create(actor=cast.alice, review=an_review, source_type=SourceType.PERSON,
                                  source_member=cast.members["dave"])
    dave = client_for(cast.users["dave"])
    assert [r.pk for r in dave.get(reverse("feedback_mine")).context["page"]] == [req.pk]
    assert dave.post(reverse("feedback_respond", args=[req.pk]), points_data((G, "Mạnh dạn hơn"))).status_code == 302
    # staff type in a document received on paper; they go back to the review's requests
    paper = services.request_create(actor=cast.alice, review=an_review, source_type=SourceType.ORGANISATION,
                                    source_org=cast.C3)
    resp = client_for(cast.alice).post(reverse("feedback_respond", args=[paper.pk]),
                                       points_data((S, "Gương mẫu nơi cư trú"), document_ref="Số 3-CV"))
    assert resp.status_code == 302 and resp.url == reverse("feedback_review", args=[an_review.pk])
    paper.refresh_from_db()
    assert paper.status == RequestStatus.ANSWERED and paper.response.author == cast.alice
    # carol sees the request (addressed to C3, in her branch) but not An's review itself
    other = services.request_create(actor=cast.alice, review=an_review, source_type=SourceType.RESIDENCE_CELL,
                                    source_org=cast.C3)
    assert client_for(cast.carol).get(reverse("feedback_respond", args=[other.pk])).status_code == 200
    assert client_for(cast.carol).get(reverse("review_detail", args=[an_review.pk])).status_code == 404
    # bob sees the review (viewer on PX) but is not the source: forbidden
    assert client_for(cast.bob).get(reverse("feedback_respond", args=[other.pk])).status_code == 403


# --- anonymous peers and the threshold ----------------------------------------------------------


def test_a_peer_gives_anonymous_feedback_once(cast, an_review, client_for):
    dave = client_for(cast.users["dave"])
    mine = dave.get(reverse("feedback_mine"))
    assert an_review in list(mine.context["peers"])
    assert review_of(an_review.campaign, member=cast.members["dave"]) not in list(mine.context["peers"])
    url = reverse("feedback_anonymous", args=[an_review.pk])
    page = dave.get(url)
    assert page.status_code == 200 and "ẩn danh" in page.content.decode()
    assert dave.post(url, points_data((W, "Ngại va chạm"))).status_code == 302
    assert AnonymousResponse.objects.filter(review=an_review, group=SourceType.PEERS).count() == 1
    again = dave.post(url, points_data((W, "Lần nữa")))
    assert again.status_code == 409 and "một lần" in again.content.decode()
    assert FeedbackPoint.objects.filter(review=an_review).count() == 1
    assert an_review.pk in dave.get(reverse("feedback_mine")).context["done"]
    # untraceable: no audit row names dave, the response has no giver
    assert not AuditEvent.objects.filter(actor=cast.users["dave"]).exists()
    # not a peer: not found (staff, another cell, outsiders)
    for user in (cast.alice, cast.carol, cast.eve, cast.admin):
        assert client_for(user).get(url).status_code == 404
    cuong = review_of(an_review.campaign, member=cast.members["cuong"])  # another cell
    assert dave.get(reverse("feedback_anonymous", args=[cuong.pk])).status_code == 404


def test_anonymous_feedback_is_held_back_below_the_threshold_in_the_ui(cast, an_review, campaign, client_for,
                                                                       django_user_model):
    an_user = django_user_model.objects.create_user("an")
    type(cast.members["an"]).objects.filter(pk=cast.members["an"].pk).update(user=an_user)
    for i, text in enumerate(("Ý kiến thứ nhất bí mật", "Ý kiến thứ hai bí mật")):
        services.respond_anonymously(giver=f"member:{i}", review=an_review, group=SourceType.PEERS, points=[(W, text)])
    alice = client_for(cast.alice)
    points = alice.get(reverse("feedback_points", args=[an_review.pk])).content.decode()
    staff = alice.get(reverse("feedback_review", args=[an_review.pk])).content.decode()
    roll = alice.get(reverse("feedback_campaign_org", args=[campaign.pk, cast.QA.pk])).content.decode()
    own = client_for(an_user).get(reverse("feedback_points", args=[an_review.pk])).content.decode()
    for html in (points, staff, roll, own):
        assert "đang giữ lại (chưa đủ 3 ý kiến)" in html
        assert "bí mật" not in html
    assert "2 ý kiến ẩn danh đang giữ lại" in points
    services.respond_anonymously(giver="member:3", review=an_review, group=SourceType.PEERS, points=[(G, "Thứ ba")])
    points = alice.get(reverse("feedback_points", args=[an_review.pk])).content.decode()
    assert "Ý kiến thứ nhất bí mật" in points and "đang giữ lại" not in points
    # the subject sees them too, only now
    assert "Ý kiến thứ hai bí mật" in client_for(an_user).get(reverse("feedback_points", args=[an_review.pk])).content.decode()


# --- absorption --------------------------------------------------------------------------------


def test_the_subject_absorbs_points_into_the_report(cast, dave_review, client_for):
    answered(cast, dave_review, cast.PX, [(W, "Chậm đóng đảng phí"), (G, "Tích cực phát biểu")])
    dave = client_for(cast.users["dave"])
    page = dave.get(reverse("feedback_points", args=[dave_review.pk]))
    assert page.status_code == 200 and "Chậm đóng đảng phí" in page.content.decode()
    assert "Đảng bộ phường X" in page.content.decode()  # the source is named
    p1, p2 = FeedbackPoint.objects.filter(review=dave_review).order_by("pk")
    url = reverse("feedback_absorb", args=[p1.pk])
    bad = dave.post(url, {"absorption": Absorption.ACCEPTED, "section": ""}, headers={"hx-request": "true"})
    assert bad.status_code == 400 and "Cần chọn mục" in bad.content.decode()
    ok = dave.post(url, {"absorption": Absorption.ACCEPTED, "section": "II"}, headers={"hx-request": "true"})
    assert ok.status_code == 200 and f'id="point-{p1.pk}"' in ok.content.decode() and "<html" not in ok.content.decode()
    p1.refresh_from_db()
    assert p1.absorption == Absorption.ACCEPTED and p1.section == "II"
    # without htmx: back to the page
    resp = dave.post(reverse("feedback_absorb", args=[p2.pk]), {"absorption": Absorption.ANSWERED,
                                                                 "explanation": "Đã tiếp thu tại chi bộ"})
    assert resp.status_code == 302
    p2.refresh_from_db()
    assert p2.absorption == Absorption.ANSWERED
    assert not services.unanswered_points_gate(dave_review)
    assert AuditEvent.objects.filter(action="feedback.absorb", actor=cast.users["dave"]).count() == 2
    # staff may absorb; a viewer may not; others do not see the points
    assert client_for(cast.alice).post(url, {"absorption": Absorption.PENDING}).status_code == 302
    assert client_for(cast.bob).post(url, {"absorption": Absorption.PENDING}).status_code == 403
    assert client_for(cast.carol).post(url, {"absorption": Absorption.PENDING}).status_code == 404
    assert client_for(cast.bob).get(reverse("feedback_points", args=[dave_review.pk])).status_code == 403
    assert client_for(cast.eve).get(reverse("feedback_points", args=[dave_review.pk])).status_code == 404


def test_a_held_back_point_cannot_be_absorbed(cast, dave_review, client_for):
    services.respond_anonymously(giver="x", review=dave_review, group=SourceType.PEERS, points=[(W, "Bí mật")])
    point = FeedbackPoint.objects.get(review=dave_review)
    resp = client_for(cast.alice).post(reverse("feedback_absorb", args=[point.pk]), {"absorption": Absorption.ANSWERED,
                                                                                     "explanation": "x"})
    assert resp.status_code == 404


def test_a_submitted_report_is_not_absorbed_into(cast, dave_review, client_for):
    answered(cast, dave_review, cast.PX, [(W, "Chậm đóng đảng phí")])
    Review.objects.filter(pk=dave_review.pk).update(status="submitted")
    point = FeedbackPoint.objects.get(review=dave_review)
    client_for(cast.users["dave"]).post(reverse("feedback_absorb", args=[point.pk]),
                                        {"absorption": Absorption.ACCEPTED, "section": "II"})
    point.refresh_from_db()
    assert point.absorption == Absorption.PENDING


# --- the campaign roll-up and bulk requests ---------------------------------------------------


def test_the_campaign_page_rolls_up_per_source_type(cast, campaign, client_for):
    px = review_of(campaign, org=cast.PX)
    an = review_of(campaign, member=cast.members["an"])
    dung = review_of(campaign, member=cast.members["dung"])
    answered(cast, px, cast.QA, [(S, "Tốt")])
    services.request_create(actor=cast.alice, review=an, source_type=SourceType.WORKPLACE_CELL, source_org=cast.C1,
                            due=D(2000, 1, 1))  # overdue
    services.request_create(actor=cast.admin, review=dung, source_type=SourceType.WORKPLACE_CELL, source_org=cast.C3)
    alice = client_for(cast.alice)
    resp = alice.get(reverse("feedback_campaign", args=[campaign.pk]))  # alice's visible root: QA
    assert resp.status_code == 200 and resp.context["org"] == cast.QA
    here = resp.context["here"]
    assert (here.total.requested, here.total.answered, here.total.overdue) == (2, 1, 1)
    assert here.by_type[SourceType.WORKPLACE_CELL].overdue == 1
    assert [row.org for row in resp.context["children"]] == [cast.PX]
    admin = client_for(cast.admin).get(reverse("feedback_campaign_org", args=[campaign.pk, cast.TU.pk]))
    assert admin.context["here"].total.requested == 3
    assert {row.org.code for row in admin.context["children"]} == {"QA", "QB"}
    # scoped: carol does not see QA's figures, bob sees but may not send bulk requests
    assert client_for(cast.carol).get(reverse("feedback_campaign_org", args=[campaign.pk, cast.QA.pk])).status_code == 404
    bob = client_for(cast.bob).get(reverse("feedback_campaign_org", args=[campaign.pk, cast.PX.pk]))
    assert bob.status_code == 200 and bob.context["bulk_form"] is None


def test_bulk_requests_for_a_campaign(cast, campaign, client_for):
    alice = client_for(cast.alice)
    url = reverse("feedback_bulk", args=[campaign.pk, cast.PX.pk])
    resp = alice.post(url, {"kind": "members_workplace"})
    assert resp.status_code == 302
    members_under_px = Review.objects.filter(campaign=campaign, member__isnull=False, org_path__startswith=cast.PX.path)
    assert FeedbackRequest.objects.filter(source_type=SourceType.WORKPLACE_CELL).count() == members_under_px.count() == 4
    alice.post(url, {"kind": "units_superior"})
    assert set(FeedbackRequest.objects.filter(source_type=SourceType.SUPERIOR).values_list("source_org__code", flat=True)) == {
        "QA", "PX"}
    assert client_for(cast.bob).post(url, {"kind": "members_workplace"}).status_code == 403
    assert client_for(cast.carol).post(url, {"kind": "members_workplace"}).status_code == 404


# --- the public opinion page -------------------------------------------------------------------


def stamp(seconds_ago: float) -> str:
    return signing.dumps({"t": time.time() - seconds_ago}, salt=PUBLIC_SALT, compress=True)


@pytest.fixture
def page(cast):
    return PublicPage.objects.create(organisation=cast.PX, slug="phuong-x", title="Góp ý bộ phận một cửa phường X")


def test_the_public_page_takes_comments_without_login(page, client):
    get = client.get("/y-kien/phuong-x/")
    assert get.status_code == 200 and "Góp ý bộ phận một cửa phường X" in get.content.decode()
    assert 'name="website"' in get.content.decode() and 'name="ts"' in get.content.decode()
    resp = client.post("/y-kien/phuong-x/", {"text": "Cán bộ một cửa tiếp dân chưa hòa nhã", "website": "", "ts": stamp(30)})
    assert resp.status_code == 302 and resp.url == "/y-kien/phuong-x/cam-on/"
    assert "Cảm ơn bạn" in client.get(resp.url).content.decode()
    comment = PublicComment.objects.get()
    assert comment.state == CommentState.PENDING
    # nothing identifies the writer: no address anywhere in the row
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM feedback_publiccomment")
        assert "127.0.0.1" not in " ".join(map(str, cur.fetchall()))
    assert client.get("/y-kien/khong-co/").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"text": "Cán bộ một cửa tiếp dân chưa hòa nhã", "website": "http://spam.example"}, "gửi tự động"),
    ({"text": "Hồ sơ giải quyết trễ hẹn nhiều ngày"}, "quá nhanh"),
    ({"text": "Hồ sơ giải quyết trễ hẹn nhiều ngày", "ts": "gia-mao"}, "quá nhanh"),
    ({"text": "mua ngay http://a.example http://b.example"}, "nhiều đường dẫn"),
    ({"text": "ngắn"}, "quá ngắn"),
])
def test_the_public_page_refuses_spam_with_a_clear_message(page, client, data, message):
    data = {"ts": stamp(30), **data} if "ts" not in data and message != "quá nhanh" else data
    resp = client.post("/y-kien/phuong-x/", data)
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert not PublicComment.objects.exists()


def test_the_public_page_refuses_a_flood(page, client):
    for i in range(5):
        ok = client.post("/y-kien/phuong-x/", {"text": f"Hồ sơ số {i} bị trễ hẹn nhiều ngày", "ts": stamp(30)})
        assert ok.status_code == 302
    flood = client.post("/y-kien/phuong-x/", {"text": "Một góp ý nữa về thủ tục", "ts": stamp(30)})
    assert flood.status_code == 429 and "quá nhiều góp ý trong một giờ" in flood.content.decode()
    assert PublicComment.objects.count() == 5
    other = client.post("/y-kien/phuong-x/", {"text": "Một góp ý nữa về thủ tục", "ts": stamp(30)}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_a_closed_public_page_takes_nothing(page, client):
    page.is_open = False
    page.save()
    resp = client.post("/y-kien/phuong-x/", {"text": "Cán bộ một cửa tiếp dân chưa hòa nhã", "ts": stamp(30)})
    assert resp.status_code == 200 and "đang đóng" in resp.content.decode()
    assert not PublicComment.objects.exists()


def test_staff_open_close_and_moderate_the_public_page(cast, campaign, client_for):
    alice = client_for(cast.alice)
    url = reverse("public_moderation", args=[cast.PX.pk])
    assert alice.get(url).status_code == 200
    resp = alice.post(reverse("public_page_settings", args=[cast.PX.pk]),
                      {"slug": "phuong-x", "title": "Góp ý bộ phận một cửa", "intro": "", "is_open": "on"})
    assert resp.status_code == 302
    page = PublicPage.objects.get(organisation=cast.PX)
    assert page.is_open and AuditEvent.objects.filter(action="feedback.public_page").exists()
    c1 = PublicComment.objects.create(page=page, text="Cán bộ một cửa tiếp dân chưa hòa nhã", received_on=D(2025, 11, 1))
    c2 = PublicComment.objects.create(page=page, text="Quảng cáo không liên quan", received_on=D(2025, 11, 2))
    html = alice.get(url).content.decode()
    assert c1.text in html and c2.text in html
    assert alice.post(reverse("public_moderate", args=[c1.pk]), {"decision": "shortcoming"}).status_code == 302
    assert alice.post(reverse("public_moderate", args=[c2.pk]), {"decision": "reject"}).status_code == 302
    c1.refresh_from_db()
    c2.refresh_from_db()
    assert c1.state == CommentState.ACCEPTED and c2.state == CommentState.REJECTED
    point = FeedbackPoint.objects.get(anonymous=c1.became)
    assert point.review == review_of(campaign, org=cast.PX) and point.kind == PointKind.SHORTCOMING
    # closing
    alice.post(reverse("public_page_settings", args=[cast.PX.pk]), {"slug": "phuong-x", "title": "Góp ý", "intro": ""})
    page.refresh_from_db()
    assert not page.is_open
    # scoped
    assert client_for(cast.bob).get(url).status_code == 403
    assert client_for(cast.carol).get(url).status_code == 404
    c3 = PublicComment.objects.create(page=page, text="Một ý kiến khác", received_on=D(2025, 11, 3))
    assert client_for(cast.bob).post(reverse("public_moderate", args=[c3.pk]), {"decision": "reject"}).status_code == 403
    assert client_for(cast.carol).post(reverse("public_moderate", args=[c3.pk]), {"decision": "reject"}).status_code == 404
    c3.refresh_from_db()
    assert c3.state == CommentState.PENDING


# --- query counts ------------------------------------------------------------------------------


def _many_requests(cast, campaign, n, start=0):
    """n answered requests (one point each) and n open ones across members' reviews."""
    reviews = []
    for i in range(start, start + n):
        member = make_member(cast.C1, f"DV-9{i:03d}", f"Đảng viên Thử {i}")
        reviews.append(member)
    launch(actor=cast.admin, campaign=campaign)
    out = []
    for member in reviews:
        review = Review.objects.get(campaign=campaign, member=member)
        answered(cast, review, cast.PX, [(S, f"Tốt {member.code}")])
        out.append(services.request_create(actor=cast.alice, review=review, source_type=SourceType.WORKPLACE_CELL,
                                           source_org=cast.C1))
    return out


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_do_not_grow_with_rows(cast, campaign, page, client_for, django_assert_max_num_queries):
    dave_review = review_of(campaign, member=cast.members["dave"])
    alice, bob = client_for(cast.alice), client_for(cast.bob)

    def measure():
        return {
            "mine": _count(bob, reverse("feedback_mine")),
            "peers": _count(client_for(cast.users["dave"]), reverse("feedback_mine")),
            "review": _count(alice, reverse("feedback_review", args=[dave_review.pk])),
            "points": _count(alice, reverse("feedback_points", args=[dave_review.pk])),
            "campaign": _count(alice, reverse("feedback_campaign_org", args=[campaign.pk, cast.QA.pk])),
            "moderation": _count(alice, reverse("public_moderation", args=[cast.PX.pk])),
        }

    def grow(n, start):
        _many_requests(cast, campaign, n, start)
        for i in range(n):
            services.request_create(actor=cast.alice, review=dave_review, source_type=SourceType.PERSON,
                                    source_name=f"Người góp ý {start + i}")
            PublicComment.objects.create(page=page, text=f"Góp ý số {start + i} về thủ tục", received_on=D(2025, 1, 1))
        for i in range(n):
            req = FeedbackRequest.objects.filter(review=dave_review, status=RequestStatus.REQUESTED).first()
            services.respond(actor=cast.alice, request=req, points=[(G, f"Ý kiến {start + i}"), (S, "Tốt")])
            services.respond_anonymously(giver=f"g{start + i}", review=dave_review, group=SourceType.PEERS,
                                         points=[(G, "Ẩn danh")])

    grow(3, 0)
    small = measure()
    grow(6, 100)
    large = measure()
    assert large == small, (small, large)
    for name, n in large.items():
        assert n <= 25, (name, n)
    with django_assert_max_num_queries(25):
        client_for(cast.alice).get(reverse("feedback_points", args=[dave_review.pk]))


def test_the_review_page_links_to_feedback(cast, an_review, dave_review, client_for):
    staff = client_for(cast.alice).get(reverse("review_detail", args=[an_review.pk])).content.decode()
    def href(name, review):
        return f'href="{reverse(name, args=[review.pk])}"'

    assert href("feedback_review", an_review) in staff and href("feedback_points", an_review) in staff
    own = client_for(cast.users["dave"]).get(reverse("review_detail", args=[dave_review.pk])).content.decode()
    assert href("feedback_points", dave_review) in own and href("feedback_review", dave_review) not in own
    viewer = client_for(cast.bob).get(reverse("review_detail", args=[an_review.pk])).content.decode()
    assert f"/reviews/{an_review.pk}/feedback/" not in viewer


def test_the_signature_of_an_attributed_response_is_shown_to_staff_and_the_subject(cast, dave_review, client_for):
    req = services.request_create(actor=cast.alice, review=dave_review, source_type=SourceType.SUPERIOR, source_org=cast.PX)
    services.respond(actor=cast.alice, request=req, points=[(W, "Chậm đóng đảng phí")],
                     signed_as="T/M Đảng ủy <b>Phó bí thư</b>", document_ref="15-CV/ĐU")
    escaped = "T/M Đảng ủy &lt;b&gt;Phó bí thư&lt;/b&gt;"
    staff = client_for(cast.alice).get(reverse("feedback_review", args=[dave_review.pk])).content.decode()
    own = client_for(cast.users["dave"]).get(reverse("feedback_points", args=[dave_review.pk])).content.decode()
    for page in (staff, own):
        assert "Người ký, chức danh" in page and escaped in page
    # anonymous feedback (shown once there are enough of it) carries no signature at all
    for i in range(3):
        services.respond_anonymously(giver=f"member:{i}", review=dave_review, group=SourceType.PEERS,
                                     points=[(G, f"Góp ý ẩn danh {i}")])
    own = client_for(cast.users["dave"]).get(reverse("feedback_points", args=[dave_review.pk])).content.decode()
    assert "Góp ý ẩn danh 2" in own and own.count('class="signed-as"') == 1
    for outsider in (cast.eve, cast.carol):
        for name in ("feedback_review", "feedback_points"):
            resp = client_for(outsider).get(reverse(name, args=[dave_review.pk]))
            assert resp.status_code == 404 and "Phó bí thư" not in resp.content.decode()
