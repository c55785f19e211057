import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from kiemdiem.core.models import Notification
from kiemdiem.organisations.choices import PartyStatus
from kiemdiem.organisations.models import Member
from kiemdiem.remediation import services
from kiemdiem.remediation.choices import ActionState, AttendanceStatus, ItemState, RemovalState
from kiemdiem.remediation.models import (
    CellMeeting,
    Commitment,
    DuesPayment,
    MeetingAttendance,
    RemediationAction,
    RemediationItem,
    RemovalCase,
)
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date


def make_items(cast, texts, member="dave", year=2024, long_standing=False):
    """Items for a member's review in a launched annual campaign (created directly, as the
    ON_FINAL hook would)."""
    campaign = annual(cast, year) if not hasattr(cast, f"_camp{year}") else getattr(cast, f"_camp{year}")
    if not hasattr(cast, f"_camp{year}"):
        launch(actor=cast.admin, campaign=campaign)
        setattr(cast, f"_camp{year}", campaign)
    review = Review.objects.get(campaign=campaign, member=cast.members[member])
    out = []
    for text in texts:
        s = Shortcoming.objects.create(review=review, text=text)
        out.append(RemediationItem.objects.create(member=review.member, shortcoming=s, review=review, org_path=review.org_path,
                                                  text=text, long_standing=long_standing))
    return out


@pytest.fixture
def item(cast):
    return make_items(cast, ["Chậm đóng đảng phí"])[0]


def test_member_plans_starts_and_completes_with_evidence(cast, item, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dave = client_for(cast.users["dave"])
    page = dave.get(reverse("remediation_mine")).content.decode()
    assert "Chậm đóng đảng phí" in page and "Chưa có kế hoạch" in page
    url = reverse("remediation_item", args=[item.pk])
    assert 'name="viewport"' in dave.get(url).content.decode()
    # a plan needs what and who
    resp = dave.post(reverse("remediation_action_add", args=[item.pk]), {"what": "", "who": "", "deadline": "2099-01-01"},
                     follow=True)
    assert "Biện pháp khắc phục" in resp.content.decode() and not item.actions.exists()
    dave.post(reverse("remediation_action_add", args=[item.pk]),
              {"what": "Đóng đủ đảng phí hằng tháng", "who": "Trần Văn Đức", "deadline": "2099-01-01",
               "expected_evidence": "Sổ thu đảng phí"})
    action = item.actions.get()
    item.refresh_from_db()
    assert item.state == ItemState.PLANNED
    dave.post(reverse("remediation_action_start", args=[action.pk]))
    action.refresh_from_db()
    assert action.state == ActionState.DOING
    # done needs evidence: the service's Vietnamese message is shown
    resp = dave.post(reverse("remediation_action_complete", args=[action.pk]), {"note": "", "link": ""}, follow=True)
    assert "Cần có minh chứng" in resp.content.decode()
    action.refresh_from_db()
    assert action.state == ActionState.DOING
    upload = SimpleUploadedFile("bien-lai.pdf", b"%PDF-1.4 bien lai", content_type="application/pdf")
    resp = dave.post(reverse("remediation_action_complete", args=[action.pk]), {"note": "", "file": upload}, follow=True)
    action.refresh_from_db()
    item.refresh_from_db()
    assert action.state == ActionState.DONE and action.evidence_file and item.state == ItemState.DONE
    assert "bien-lai" in resp.content.decode()
    evidence = reverse("remediation_evidence", args=[action.pk])
    assert b"".join(dave.get(evidence).streaming_content) == b"%PDF-1.4 bien lai"
    assert client_for(cast.users["eve"]).get(evidence).status_code == 404
    assert client_for(cast.bob).get(evidence).status_code == 200
    # the member cannot check their own item; staff cannot either: committee only
    assert dave.post(reverse("remediation_verify", args=[item.pk]), {"effective": "yes", "note": "x"}).status_code == 403
    alice = client_for(cast.alice)
    assert alice.post(reverse("remediation_verify", args=[item.pk]), {"effective": "yes", "note": "x"}).status_code == 403
    grace = client_for(cast.grace)
    assert "Đánh giá hiệu quả khắc phục" in grace.get(url).content.decode()
    resp = grace.post(reverse("remediation_verify", args=[item.pk]), {"effective": "no", "note": "Vẫn chậm 2 tháng"})
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.REOPENED and item.verification_note == "Vẫn chậm 2 tháng"
    # reopened: a new plan, then effective
    dave.post(reverse("remediation_action_add", args=[item.pk]),
              {"what": "Đăng ký trích lương", "who": "Trần Văn Đức", "deadline": "2099-02-01"})
    new = item.actions.exclude(pk=action.pk).get()
    dave.post(reverse("remediation_action_complete", args=[new.pk]), {"link": "https://example.org/trich-luong"})
    grace.post(reverse("remediation_verify", args=[item.pk]), {"effective": "yes", "note": "Đã đóng đủ"})
    item.refresh_from_db()
    assert item.state == ItemState.VERIFIED and item.verified_by == cast.grace


def test_item_access(cast, item, client_for):
    url = reverse("remediation_item", args=[item.pk])
    add = reverse("remediation_action_add", args=[item.pk])
    data = {"what": "x y", "who": "z", "deadline": "2099-01-01"}
    assert client_for(cast.users["eve"]).get(url).status_code == 404
    assert client_for(cast.carol).get(url).status_code == 404
    assert client_for(cast.users["eve"]).post(add, data).status_code == 404
    assert client_for(cast.bob).get(url).status_code == 200
    assert client_for(cast.bob).post(add, data).status_code == 403
    assert client_for(cast.alice).post(add, data).status_code == 302
    assert client_for(cast.admin).get(reverse("remediation_item", args=[987654])).status_code == 404
    an_item = make_items(cast, ["Ngại phát biểu"], member="an")[0]
    assert client_for(cast.users["dave"]).get(reverse("remediation_item", args=[an_item.pk])).status_code == 404
    assert not RemediationAction.objects.filter(item=an_item).exists()


def test_my_page_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    dave = client_for(cast.users["dave"])
    items = make_items(cast, ["Hạn chế 1"])
    services.action_add(actor=None, item=items[0], what="a", who="b", deadline=D(2099, 1, 1))
    dave.get(reverse("remediation_mine"))
    with django_assert_max_num_queries(12) as small:
        dave.get(reverse("remediation_mine"))
    for it in make_items(cast, [f"Hạn chế số {n}" for n in range(2, 12)]):
        services.action_add(actor=None, item=it, what="a", who="b", deadline=D(2099, 1, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        resp = dave.get(reverse("remediation_mine"))
    assert "Hạn chế số 11" in resp.content.decode()


def _dashboard_data(cast, n=1):
    items = make_items(cast, [f"Chậm đóng đảng phí {i}" for i in range(n)])
    today = datetime.date.today()
    late = services.action_add(actor=None, item=items[0], what="Đóng bù quá hạn", who="Đức", deadline=today - datetime.timedelta(days=40))
    soon = services.action_add(actor=None, item=items[0], what="Đóng bù sắp tới", who="Đức", deadline=today + datetime.timedelta(days=3))
    old = make_items(cast, ["Ngại va chạm kéo dài"], long_standing=True)[0]
    return items, late, soon, old


def test_org_dashboard_and_reminders(cast, client_for):
    items, late, soon, old = _dashboard_data(cast)
    bob = client_for(cast.bob)
    page = bob.get(reverse("remediation_org", args=[cast.PX.pk])).content.decode()
    assert "Chi bộ khu vực 1" in page and "Đóng bù quá hạn" in page and "Đóng bù sắp tới" in page
    assert "tồn tại kéo dài" in page and "Ngại va chạm kéo dài" in page
    assert "Chậm khắc phục" in page and 'id="slow"' in page
    assert "Gửi nhắc việc" not in page  # viewer
    assert bob.post(reverse("remediation_remind", args=[cast.PX.pk])).status_code == 403
    assert client_for(cast.users["eve"]).get(reverse("remediation_org", args=[cast.PX.pk])).status_code == 404
    alice = client_for(cast.alice)
    assert "Gửi nhắc việc" in alice.get(reverse("remediation_org", args=[cast.PX.pk])).content.decode()
    resp = alice.post(reverse("remediation_remind", args=[cast.PX.pk]), follow=True)
    assert "Đã nhắc 1 biện pháp" in resp.content.decode()
    note = Notification.objects.get(user=cast.users["dave"])
    assert note.url == f"/remediation/items/{items[0].pk}/"
    # the command: once a day per action
    call_command("send_remediation_reminders", "--org", "TU")
    assert Notification.objects.filter(user=cast.users["dave"]).count() == 1


def test_reminder_command_by_date(cast, capsys):
    items = make_items(cast, ["Chậm đóng đảng phí"])
    services.action_add(actor=None, item=items[0], what="Đóng bù", who="Đức", deadline=D(2025, 3, 8))
    call_command("send_remediation_reminders", "--date", "2025-03-01")
    assert "Đã nhắc 1 biện pháp" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_remediation_reminders", "--org", "KHONG-CO")


def test_dashboard_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    _dashboard_data(cast, 1)
    alice = client_for(cast.alice)
    url = reverse("remediation_org", args=[cast.QA.pk])
    alice.get(url)
    with django_assert_max_num_queries(20) as small:
        alice.get(url)
    _dashboard_data(cast, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        alice.get(url)


# --- attendance, dues ----------------------------------------------------------------------

def test_attendance_and_dues_pages(cast, client_for):
    url = reverse("remediation_attendance", args=[cast.C1.pk])
    bob, alice = client_for(cast.bob), client_for(cast.alice)
    assert bob.get(url).status_code == 200
    data = {"held_on": "2025-03-05", "kind": "regular", f"status_{cast.members['dave'].pk}": "present",
            f"status_{cast.members['an'].pk}": "excused", f"status_{cast.members['binh'].pk}": "unexcused"}
    assert bob.post(url, data).status_code == 403
    assert alice.post(url, data).status_code == 302
    meeting = CellMeeting.objects.get(organisation=cast.C1)
    assert dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("member__code", "status")) == {
        "DV-001": "present", "DV-002": "excused", "DV-003": "unexcused"}
    page = alice.get(url).content.decode()
    assert "05/03/2025" in page
    # not a cell: no attendance page
    assert alice.get(reverse("remediation_attendance", args=[cast.PX.pk])).status_code == 404

    dues = reverse("remediation_dues", args=[cast.C1.pk])
    resp = alice.post(dues, {"month": "03/2025", "paid_on": "2025-03-05", f"amount_{cast.members['dave'].pk}": "50.000",
                             f"amount_{cast.members['an'].pk}": "abc"}, follow=True)
    assert "không hợp lệ" in resp.content.decode() and not DuesPayment.objects.exists()  # all or nothing
    resp = alice.post(dues, {"month": "03/2025", "paid_on": "2025-03-05", f"amount_{cast.members['dave'].pk}": "50.000"})
    assert resp.status_code == 302
    assert DuesPayment.objects.get().amount == 50000
    page = bob.get(dues, {"month": "03/2025"}).content.decode()
    assert "Chưa nộp" in page and "50000" in page
    resp = alice.post(dues, {"month": "13/2025", "paid_on": "2025-03-05"})
    assert "mm/yyyy" in resp.content.decode()


def test_attendance_page_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    alice = client_for(cast.alice)
    url = reverse("remediation_attendance", args=[cast.C1.pk])
    rows = [(cast.members["dave"], AttendanceStatus.PRESENT)]
    services.cell_meeting_record(actor=None, organisation=cast.C1, held_on=D(2025, 1, 5), kind="regular", rows=rows)
    alice.get(url)
    with django_assert_max_num_queries(15) as small:
        alice.get(url)
    for m in range(2, 12):
        services.cell_meeting_record(actor=None, organisation=cast.C1, held_on=D(2025, m, 5), kind="regular", rows=rows)
    with django_assert_max_num_queries(len(small.captured_queries)):
        alice.get(url)


# --- removal --------------------------------------------------------------------------------

def test_removal_refresh_propose_decide_and_counts(cast, client_for):
    alice, grace, bob = client_for(cast.alice), client_for(cast.grace), client_for(cast.bob)
    url = reverse("remediation_removal", args=[cast.PX.pk])
    assert bob.post(reverse("remediation_removal_refresh", args=[cast.PX.pk]), {"year": "2025"}).status_code == 403
    # nobody paid dues in 2025: every member under PX is a candidate (dues)
    assert alice.post(reverse("remediation_removal_refresh", args=[cast.PX.pk]), {"year": "2025"}).status_code == 302
    case = RemovalCase.objects.get(member=cast.members["binh"], year=2025)
    page = bob.get(url, {"year": "2025"}).content.decode()
    assert "Lê Văn Bình" in page and "Không đóng đảng phí 3 tháng trong năm" in page and "03/2025" in page
    assert "Trần Văn Đức" in page
    assert bob.post(reverse("remediation_removal_propose", args=[case.pk]), {"reason": "x"}).status_code == 403
    assert client_for(cast.carol).post(reverse("remediation_removal_propose", args=[case.pk]), {"reason": "x"}).status_code == 404
    resp = alice.post(reverse("remediation_removal_propose", args=[case.pk]),
                      {"reason": "Bỏ đóng đảng phí cả năm", "next": "//evil.example/remediation/"})
    assert resp.url == f"/remediation/org/{cast.C1.pk}/removal/?year=2025"  # no redirect off the site
    case.refresh_from_db()
    assert case.state == RemovalState.PROPOSED and case.proposed_by == cast.C1
    decide = reverse("remediation_removal_decide", args=[case.pk])
    data = {"remove": "yes", "decision_number": "12-QĐ/ĐU", "decided_on": "2025-06-01"}
    assert alice.post(decide, data).status_code == 403  # staff: not the committee
    resp = grace.post(decide, {**data, "decision_number": ""}, follow=True)
    assert "Cần ghi số quyết định" in resp.content.decode()
    grace.post(decide, data)
    case.refresh_from_db()
    assert case.state == RemovalState.DECIDED and case.decided_by == cast.PX
    assert Member.objects.get(pk=cast.members["binh"].pk).status == PartyStatus.REMOVED
    page = bob.get(url, {"year": "2025"}).content.decode()
    assert "xóa tên 0 đảng viên dự bị, 1 đảng viên chính thức" in page
    assert "12-QĐ/ĐU" in page
    # counts for a period of decisions (a quarter)
    q1 = bob.get(url, {"year": "2025", "from": "2025-01-01", "to": "2025-03-31"}).content.decode()
    assert "xóa tên 0 đảng viên dự bị, 0 đảng viên chính thức" in q1
    q2 = bob.get(url, {"year": "2025", "from": "2025-04-01", "to": "2025-06-30"}).content.decode()
    assert "xóa tên 0 đảng viên dự bị, 1 đảng viên chính thức" in q2


def test_removal_page_queries_do_not_grow(cast, client_for, django_assert_max_num_queries):
    from kiemdiem.testing import make_member

    grace = client_for(cast.grace)
    services.removal_refresh(actor=None, organisation=cast.PX, year=2025)
    url = reverse("remediation_removal", args=[cast.PX.pk])
    grace.get(url, {"year": "2025"})
    with django_assert_max_num_queries(15) as small:
        grace.get(url, {"year": "2025"})
    for n in range(10):
        make_member(cast.C2, f"DV-X{n}", f"Nguyễn Văn Thêm {n}")
    services.removal_refresh(actor=None, organisation=cast.PX, year=2025)
    with django_assert_max_num_queries(len(small.captured_queries)):
        resp = grace.get(url, {"year": "2025"})
    assert "Nguyễn Văn Thêm 9" in resp.content.decode()


# --- study and commitments -------------------------------------------------------------------

def test_study_sessions_and_commitments_give_rates(cast, client_for):
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    url = reverse("remediation_study", args=[cast.C1.pk])
    data = {"held_on": "2025-03-05", "title": "Nghị quyết 4", f"present_{cast.members['dave'].pk}": "on",
            f"present_{cast.members['binh'].pk}": "on"}
    assert bob.post(url, data).status_code == 403
    assert alice.post(url, data).status_code == 302
    commit = reverse("remediation_commitment", args=[cast.C1.pk])
    assert alice.post(commit, {"member": cast.members["an"].pk, "year": "2025", "text": "Gương mẫu",
                               "submitted_on": "2025-01-10"}).status_code == 302
    assert Commitment.objects.get().org_path == cast.C1.path
    # a member of another cell is refused
    alice.post(commit, {"member": cast.members["cuong"].pk, "year": "2025", "text": "x", "submitted_on": "2025-01-10"})
    assert Commitment.objects.count() == 1
    page = bob.get(reverse("remediation_study", args=[cast.PX.pk]), {"year": "2025"}).content.decode()
    assert "67%" in page and "(2/3)" in page and "33%" in page and "Nghị quyết 4" in page


def test_commitment_text_and_session_titles_are_shown_escaped_to_allowed_users(cast, client_for):
    alice = client_for(cast.alice)
    url = reverse("remediation_study", args=[cast.C1.pk])
    assert alice.post(url, {"held_on": "2025-03-05", "title": "Nghị quyết <b>số 4</b>"}).status_code == 302
    assert alice.post(reverse("remediation_commitment", args=[cast.C1.pk]), {
        "member": cast.members["dave"].pk, "year": "2025", "text": "Gương mẫu <b>nơi cư trú</b>",
        "submitted_on": "2025-01-10"}).status_code == 302
    text, title = "Gương mẫu &lt;b&gt;nơi cư trú&lt;/b&gt;", "Nghị quyết &lt;b&gt;số 4&lt;/b&gt;"
    # the cell's managers: on the study page, with the session
    page = alice.get(url, {"year": "2025"}).content.decode()
    assert text in page and title in page
    # the member himself: on his remediation page
    mine = client_for(cast.users["dave"]).get(reverse("remediation_mine")).content.decode()
    assert 'id="my-commitments"' in mine and text in mine
    assert 'id="my-commitments"' not in client_for(cast.alice).get(reverse("remediation_mine")).content.decode()
    # the viewer of PX sees the session on the parent's page
    assert title in client_for(cast.bob).get(reverse("remediation_study", args=[cast.PX.pk]), {"year": "2025"}).content.decode()
    for outsider in (cast.eve, cast.carol):
        resp = client_for(outsider).get(url, {"year": "2025"})
        assert resp.status_code == 404 and "nơi cư trú" not in resp.content.decode()
