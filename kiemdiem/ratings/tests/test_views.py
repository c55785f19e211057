"""A full meeting, secret ballot and decision flow through the pages; the calibration screen's
quota warning and query counts; access for outsiders and viewers."""
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import services
from kiemdiem.ratings.models import Ballot, Meeting, Rating, Vote
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual
from kiemdiem.testing import make_member

D = datetime.date


@pytest.fixture
def world(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    collective = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    return campaign, collective


def _doc_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def _review(campaign, member):
    return Review.objects.get(campaign=campaign, member=member)


def test_full_meeting_ballot_and_decision_flow(cast, world, client_for):
    campaign, collective = world
    staff = client_for(cast.alice)
    an, dave, binh = cast.members["an"], cast.members["dave"], cast.members["binh"]
    probationary = make_member(cast.C1, "DV-050", "Hà Văn Dự", status="probationary", admitted_on=D(2025, 1, 1), official_on=None)

    # 1. create the meeting
    resp = staff.get(reverse("meeting_create", args=[collective.pk]))
    assert resp.status_code == 200 and "Tạo hội nghị kiểm điểm" in resp.content.decode()
    resp = staff.post(reverse("meeting_create", args=[collective.pk]), {
        "held_on": "2025-12-15", "place": "Nhà văn hóa khu vực 1", "chair": an.pk, "secretary": binh.pk,
        "agenda": "Kiểm điểm tập thể và cá nhân năm 2025"})
    meeting = Meeting.objects.get(review=collective)
    assert resp.status_code == 302 and resp.url == reverse("meeting_detail", args=[meeting.pk])

    # 2. attendance: a missing reason is refused; then quorum shown
    url = reverse("meeting_attendance", args=[meeting.pk])
    resp = staff.post(url, {f"present_{probationary.pk}": "0"}, follow=True)
    assert "Cần ghi lý do vắng mặt" in resp.content.decode()
    resp = staff.post(url, {f"present_{probationary.pk}": "0", f"reason_{probationary.pk}": "Đi công tác"}, follow=True)
    page = resp.content.decode()
    assert "Đủ số lượng: có mặt 3/3" in page
    assert 'id="quorum"' in page

    # 3. the subjects in order; an individual before the collective is refused
    subjects = [s.pk for s in services_subjects(meeting)]
    assert subjects[0] == collective.pk and subjects[1] == _review(campaign, an).pk  # An heads the cell
    resp = staff.post(reverse("vote_open", args=[meeting.pk]), {"subject": _review(campaign, dave).pk, "method": "hands"}, follow=True)
    assert "tập thể trước" in resp.content.decode()

    # contributions and a show-of-hands vote on the collective
    staff.post(reverse("meeting_contribution", args=[meeting.pk]),
               {"subject": collective.pk, "speaker": dave.pk, "text": "Cần sâu sát hơn với cơ sở"})
    staff.post(reverse("vote_open", args=[meeting.pk]), {"subject": collective.pk, "method": "hands"})
    vote = Vote.objects.get(meeting=meeting, subject=collective)
    resp = staff.post(reverse("vote_close", args=[vote.pk]), {"count_HTTNV": "5"}, follow=True)
    assert "vượt số người" in resp.content.decode()
    staff.post(reverse("vote_close", args=[vote.pk]), {"count_HTTNV": "2", "count_HTNV": "1"})
    vote.refresh_from_db()
    assert vote.status == "closed" and vote.result_level == "HTTNV"

    # 4. a secret ballot on An: dave votes through his page and checks his receipt
    staff.post(reverse("vote_open", args=[meeting.pk]), {"subject": _review(campaign, an).pk, "method": "secret"})
    secret = Vote.objects.get(meeting=meeting, subject__member=an)
    voter = client_for(cast.dave)
    page = voter.get(reverse("ballot", args=[meeting.pk])).content.decode()
    assert "Nguyễn Thị An" in page
    resp = voter.post(reverse("ballot", args=[meeting.pk]), {"vote": secret.pk, "level": "HTXSNV"})
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    code = Ballot.objects.get(vote=secret).receipt
    assert code in resp.content.decode()
    again = voter.get(reverse("ballot", args=[meeting.pk])).content.decode()
    assert code not in again and "đã bỏ phiếu" in again  # shown once
    resp = voter.post(reverse("ballot", args=[meeting.pk]), {"vote": secret.pk, "level": "HTNV"}, follow=True)
    assert "đã bỏ phiếu" in resp.content.decode()
    assert Ballot.objects.filter(vote=secret).count() == 1
    check = voter.get(reverse("receipt_check", args=[meeting.pk]), {"vote": secret.pk, "code": code.lower()}).content.decode()
    assert "đã được tính" in check
    check = voter.get(reverse("receipt_check", args=[meeting.pk]), {"vote": secret.pk, "code": "FFFFFFFFFFFF"}).content.decode()
    assert "Không tìm thấy phiếu" in check
    services.ballot_cast(voter=an, vote=secret, level="HTTNV")
    services.ballot_cast(voter=binh, vote=secret, level="HTTNV")
    staff.post(reverse("vote_close", args=[secret.pk]))
    secret.refresh_from_db()
    assert secret.tally == {"HTXSNV": 1, "HTTNV": 2} and secret.result_level == "HTTNV"
    staff.post(reverse("meeting_conclusions", args=[meeting.pk]), {"conclusions": "Hội nghị thống nhất đề xuất xếp loại."})

    # 5. minutes
    resp = staff.get(reverse("meeting_minutes", args=[meeting.pk]))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _doc_text(resp.content)
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "CHI BỘ KHU VỰC 1", "BIÊN BẢN HỘI NGHỊ KIỂM ĐIỂM", "15/12/2025",
                     "Nhà văn hóa khu vực 1", "Chủ trì: Nguyễn Thị An", "Thư ký: Lê Văn Bình", "có mặt: 3; vắng mặt: 1",
                     "Vắng: Hà Văn Dự — lý do: Đi công tác", "Cần sâu sát hơn với cơ sở", "Hoàn thành tốt nhiệm vụ: 2",
                     "Hoàn thành xuất sắc nhiệm vụ: 1", "Mức xếp loại đề xuất: Hoàn thành tốt nhiệm vụ",
                     "Hội nghị thống nhất đề xuất xếp loại.", "THƯ KÝ", "CHỦ TRÌ"):
        assert expected in text, expected

    # 6. the committee decides on the calibration screen (PX decides members of its cells)
    committee = client_for(cast.grace)
    cal_url = reverse("calibration", args=[campaign.pk, cast.PX.pk])
    page = committee.get(cal_url).content.decode()
    assert "Nguyễn Thị An" in page and "Phạm Văn Cường" in page
    members = [_review(campaign, m) for m in (an, dave, binh, cast.members["cuong"])]
    discipline_record(actor=None, member=dave, form="reprimand", deciding_body=cast.PX, decision_number="05-QĐ/ĐU",
                      decided_on=D(2025, 5, 1))
    page = committee.get(cal_url, {"warnings": "1"}).content.decode()
    assert "Trần Văn Đức" in page and "Phạm Văn Cường" not in page  # only rows with a warning
    data = {"review": [r.pk for r in members]}
    for r in members:
        data[f"level_{r.pk}"] = "HTTNV"
    page = committee.get(cal_url).content.decode()
    # Đức's row names the cap and disables the levels above it
    assert "Mức cao nhất được phép: <strong>Không hoàn thành nhiệm vụ</strong>" in page
    assert f'<select name="level_{members[1].pk}"' in page
    row_select = page[page.index(f'<select name="level_{members[1].pk}"'):]
    row_select = row_select[:row_select.index("</select>")]
    assert '<option value="HTTNV" disabled>' in row_select and '<option value="KHTNV">' in row_select
    resp = committee.post(cal_url, data)
    page = resp.content.decode()
    assert resp.status_code == 200 and "kỷ luật" in page and "mức cao nhất được phép là" in page  # nothing saved
    assert not Rating.objects.filter(stage="decision").exists()
    data[f"reason_{members[1].pk}"] = "Vi phạm không liên quan chức trách; đã khắc phục"  # typed: binding all the same
    resp = committee.post(cal_url, data)
    assert resp.status_code == 200 and "không thể vượt bằng cách ghi lý do" in resp.content.decode()
    assert not Rating.objects.filter(stage="decision").exists()
    data[f"level_{members[1].pk}"], data[f"reason_{members[1].pk}"] = "KHTNV", ""
    resp = committee.post(cal_url, data)
    assert resp.status_code == 302
    decided = Rating.objects.get(review=members[1], stage="decision", cancelled_at__isnull=True)
    assert decided.level == "KHTNV"
    # Mẫu 03: cancel and redo; the history column keeps before/after and reasons
    resp = committee.post(reverse("rating_cancel", args=[decided.pk]), {"reason": "Xem xét lại theo đơn khiếu nại"})
    assert resp.status_code == 302
    data2 = {"review": [members[1].pk], f"level_{members[1].pk}": "KHTNV", f"reason_{members[1].pk}": "Xếp loại lại"}
    committee.post(cal_url, data2)
    page = committee.get(cal_url).content.decode()
    assert "Xem xét lại theo đơn khiếu nại" in page and "Xếp loại lại" in page


def services_subjects(meeting):
    from kiemdiem.ratings.selectors import subjects

    return subjects(meeting)


def test_probationary_and_absent_members_are_refused(cast, world, client_for):
    campaign, collective = world
    meeting = services.meeting_create(actor=cast.alice, review=collective, held_on=D(2025, 12, 15))
    rows = [(m, m.code != "DV-001", "" if m.code != "DV-001" else "Ốm") for m in services.expected_attendees(meeting)]
    services.attendance_record(actor=cast.alice, meeting=meeting, rows=rows)
    vote = services.vote_open(actor=cast.alice, meeting=meeting, subject=collective, method="secret")
    voter = client_for(cast.dave)
    page = voter.get(reverse("ballot", args=[meeting.pk])).content.decode()
    assert "không có mặt tại hội nghị" in page
    voter.post(reverse("ballot", args=[meeting.pk]), {"vote": vote.pk, "level": "HTTNV"})
    assert not Ballot.objects.exists()
    # a probationary member with a login
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="du")
    from kiemdiem.organisations.models import Member

    du = make_member(cast.C1, "DV-051", "Hà Văn Dự", status="probationary", admitted_on=D(2025, 1, 1), official_on=None)
    Member.objects.filter(pk=du.pk).update(user=user)
    page = client_for(user).get(reverse("ballot", args=[meeting.pk])).content.decode()
    assert "dự bị" in page
    # a member of another cell does not see the meeting at all
    other = get_user_model().objects.create_user(username="cuong")
    Member.objects.filter(pk=cast.members["cuong"].pk).update(user=other)
    assert client_for(other).get(reverse("ballot", args=[meeting.pk])).status_code == 404


def test_calibration_shows_quota_warning_and_constant_queries(cast, world, client_for):
    campaign, collective = world
    committee = client_for(cast.grace)
    url = reverse("calibration", args=[campaign.pk, cast.PX.pk])
    reviews = list(Review.objects.filter(campaign=campaign, member__organisation__path__startswith=cast.PX.path))
    Review.objects.filter(pk__in=[r.pk for r in reviews[:2]]).update(proposed_level="HTXSNV")
    Review.objects.filter(pk__in=[r.pk for r in reviews[2:]]).update(proposed_level="HTTNV")
    page = committee.get(url).content.decode()
    assert "2 quá nhiều ở mức" in page and "Hoàn thành xuất sắc nhiệm vụ" in page
    with CaptureQueriesContext(connection) as few:
        assert committee.get(url).status_code == 200
    for i in range(6):
        make_member(cast.C2, f"DV-1{i:02d}", f"Đảng viên {i}")
    Review.objects.filter(campaign=campaign).delete()
    launch(actor=cast.admin, campaign=campaign)
    Rating.objects.all().delete()
    for r in Review.objects.filter(campaign=campaign, member__isnull=False)[:5]:
        services.rating_record(actor=None, review=r, stage="unit", level="HTTNV", force=True)
    with CaptureQueriesContext(connection) as many:
        assert committee.get(url).status_code == 200
    assert len(many) <= len(few), (len(few), len(many))
    # quota raise with a reason
    resp = committee.post(reverse("calibration_quota", args=[campaign.pk, cast.PX.pk]), {"reason": ""}, follow=True)
    assert "cần ghi rõ lý do" in resp.content.decode()
    committee.post(reverse("calibration_quota", args=[campaign.pk, cast.PX.pk]), {"reason": "Đơn vị tiêu biểu"})
    assert "Tỷ lệ xuất sắc đã được nâng lên 25%" in committee.get(url).content.decode()


def test_access_outsider_404_viewer_403(cast, world, client_for):
    campaign, collective = world
    meeting = services.meeting_create(actor=cast.alice, review=collective, held_on=D(2025, 12, 15))
    for name in ("meeting_detail", "meeting_minutes"):
        url = reverse(name, args=[meeting.pk])
        assert client_for(cast.eve).get(url).status_code == 404
        assert client_for(cast.carol).get(url).status_code == 404
        assert client_for(cast.bob).get(url).status_code == 403
        assert client_for(cast.alice).get(url).status_code == 200
    cal = reverse("calibration", args=[campaign.pk, cast.PX.pk])
    assert client_for(cast.eve).get(cal).status_code == 404
    assert client_for(cast.carol).get(cal).status_code == 404
    assert client_for(cast.bob).get(cal).status_code == 403
    assert client_for(cast.alice).get(cal).status_code == 403  # staff: no DECIDE
    assert client_for(cast.grace).get(cal).status_code == 200
    assert client_for(cast.eve).get(reverse("ballot", args=[meeting.pk])).status_code == 404
    assert client_for(cast.alice).get(reverse("meeting_create", args=[collective.pk])).status_code == 302  # exists


def test_calibration_shows_the_quota_raise_reason_to_the_committee_only(cast, world, client_for):
    campaign, collective = world
    url = reverse("calibration", args=[campaign.pk, cast.PX.pk])
    committee = client_for(cast.grace)
    assert 'id="quota-raise-reason"' not in committee.get(url).content.decode()
    committee.post(reverse("calibration_quota", args=[campaign.pk, cast.PX.pk]), {"reason": "Đơn vị <b>tiêu biểu</b> năm 2025"})
    page = committee.get(url).content.decode()
    assert "Tỷ lệ xuất sắc đã được nâng lên 25%" in page
    assert 'id="quota-raise-reason"' in page and "Đơn vị &lt;b&gt;tiêu biểu&lt;/b&gt; năm 2025" in page
    # another body's page of the same campaign does not carry PX's reason
    assert "tiêu biểu" not in client_for(cast.carol).get(reverse("calibration", args=[campaign.pk, cast.XY.pk])).content.decode()
    for outsider in (cast.eve, cast.carol):
        resp = client_for(outsider).get(url)
        assert resp.status_code == 404 and "tiêu biểu" not in resp.content.decode()
