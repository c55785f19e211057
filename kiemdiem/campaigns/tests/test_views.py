"""Campaign pages: create, launch as a job, progress roll-up and drill-down, reminders, scoping.

The cast (kiemdiem/testing.py): alice staff on QA, grace committee on QA, bob viewer on PX,
carol committee on QB, dave a member of C1 with an account, eve an outsider, admin superuser.
"""
from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.campaigns.choices import CampaignKind, CampaignStatus, FocusKind, Stage
from kiemdiem.campaigns.models import Campaign, FocusContent, StageDeadline
from kiemdiem.core.models import AuditEvent, Job, Notification
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.organisations.models import Member
from kiemdiem.reviews import selectors
from kiemdiem.reviews.choices import DONE, Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Ineligibility, Review
from kiemdiem.reviews.reminders import send_reminders
from kiemdiem.testing import make_member, make_org

D = datetime.date


def annual(cast, issuer=None, year=2025, **kw):
    return campaign_services.campaign_create(
        actor=cast.admin, issuer=issuer or cast.QA, title=f"Kiểm điểm năm {year}", kind=CampaignKind.ANNUAL,
        year=year, period_start=D(year, 1, 1), period_end=D(year, 12, 31), plan_number="Kế hoạch số 25-KH/HU", **kw
    )


@pytest.fixture
def launched(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    return campaign


def html(resp) -> str:
    return resp.content.decode()


# --- list and detail -------------------------------------------------------------------------

def test_list_shows_only_visible_campaigns(cast, client_for):
    qa = annual(cast, cast.QA)
    qb = campaign_services.campaign_create(
        actor=cast.admin, issuer=cast.QB, title="Kiểm điểm Quận ủy B", kind=CampaignKind.ANNUAL, year=2025,
        period_start=D(2025, 1, 1), period_end=D(2025, 12, 31))
    top = campaign_services.campaign_create(
        actor=cast.admin, issuer=cast.TU, title="Kiểm điểm toàn Thành ủy", kind=CampaignKind.ANNUAL, year=2025,
        period_start=D(2025, 1, 1), period_end=D(2025, 12, 31))
    seen = {}
    for name in ("alice", "bob", "carol", "eve", "admin"):
        page = client_for(cast.users[name]).get(reverse("campaign_list"))
        assert page.status_code == 200
        seen[name] = {c.pk for c in page.context["page"]}
    assert seen["alice"] == seen["bob"] == {qa.pk, top.pk}  # issued in or above their subtree
    assert seen["carol"] == {qb.pk, top.pk}
    assert seen["eve"] == set()
    assert seen["admin"] == {qa.pk, qb.pk, top.pk}
    # only who manages somewhere is offered to issue a plan
    assert reverse("campaign_create", args=[cast.QA.pk]) in html(client_for(cast.alice).get(reverse("campaign_list")))
    assert "Tạo đợt kiểm điểm của" not in html(client_for(cast.bob).get(reverse("campaign_list")))


def test_detail_page(cast, client_for, launched):
    resp = client_for(cast.alice).get(reverse("campaign_detail", args=[launched.pk]))
    assert resp.status_code == 200
    body = html(resp)
    assert "Kế hoạch số 25-KH/HU" in body and "Bổ sung đảng viên mới" in body
    # dave sees the campaign through his own review, with a link to it, but no launch button
    dave = client_for(cast.dave).get(reverse("campaign_detail", args=[launched.pk]))
    review = Review.objects.get(campaign=launched, member=cast.members["dave"])
    assert dave.status_code == 200 and f"/reviews/{review.pk}/" in html(dave)
    assert "Bổ sung đảng viên mới" not in html(dave)


# --- create ----------------------------------------------------------------------------------

def _form(**extra):
    data = {"kind": "annual", "title": "Kiểm điểm tập thể, cá nhân năm 2025", "plan_number": "Kế hoạch số 25-KH/HU",
            "year": "2025", "rules_profile": "qd366-2025"}
    data.update(extra)
    return data


def test_create_thematic_campaign_like_seed_001(cast, client_for):
    url = reverse("campaign_create", args=[cast.QA.pk])
    assert client_for(cast.alice).get(url).status_code == 200
    resp = client_for(cast.alice).post(url, _form(
        kind="thematic", title="Kiểm điểm chuyên đề tự soi, tự sửa", plan_number="Kế hoạch số 26-KH/HU",
        period_start="2025-01-01", period_end="2025-06-30",
        focus_contents="1. Tình trạng suy thoái về tư tưởng chính trị, đạo đức, lối sống\n"
                       "2. Tinh thần trách nhiệm, phong cách làm việc\n\n",
        problem_areas="- Quản lý đất đai\n- Trật tự đô thị\n- Môi trường\n- Cải cách hành chính",
        deadline_feedback="2025-06-01", deadline_drafts="2025-06-10", deadline_meetings="2025-06-20",
        excluded_codes="C2, BTC-A",
    ))
    campaign = Campaign.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.issuer == cast.QA and campaign.kind == CampaignKind.THEMATIC and campaign.created_by == cast.alice
    assert list(campaign.focus.filter(kind=FocusKind.CONTENT).values_list("title", flat=True)) == [
        "Tình trạng suy thoái về tư tưởng chính trị, đạo đức, lối sống", "Tinh thần trách nhiệm, phong cách làm việc"]
    assert list(campaign.focus.filter(kind=FocusKind.PROBLEM_AREA).values_list("title", flat=True)) == [
        "Quản lý đất đai", "Trật tự đô thị", "Môi trường", "Cải cách hành chính"]
    assert {d.stage: d.due for d in campaign.deadlines.all()} == {
        "feedback": D(2025, 6, 1), "drafts": D(2025, 6, 10), "meetings": D(2025, 6, 20)}
    assert set(campaign.excluded.values_list("code", flat=True)) == {"C2", "BTC-A"}
    page = html(client_for(cast.alice).get(resp.url))
    assert "Cải cách hành chính" in page and "Chi bộ khu vực 2" in page


def test_annual_and_quarterly_periods_are_derived(cast, client_for):
    url = reverse("campaign_create", args=[cast.QA.pk])
    assert client_for(cast.alice).post(url, _form()).status_code == 302
    assert client_for(cast.alice).post(url, _form(kind="quarterly", quarter="2", title="Quý II")).status_code == 302
    year, quarter = Campaign.objects.order_by("pk")
    assert (year.period_start, year.period_end, year.quarter) == (D(2025, 1, 1), D(2025, 12, 31), None)
    assert (quarter.period_start, quarter.period_end, quarter.quarter) == (D(2025, 4, 1), D(2025, 6, 30), 2)


@pytest.mark.parametrize("data, message", [
    (_form(title=" "), "Trường này là bắt buộc"),
    (_form(kind="quarterly"), "cần ghi rõ quý"),
    (_form(kind="thematic", period_start="2025-01-01", period_end="2025-03-31"), "ít nhất một nội dung"),
    (_form(kind="end_of_term"), "Cần nhập ngày bắt đầu"),
    (_form(period_start="2025-12-31", period_end="2025-01-01"), "Ngày kết thúc kỳ phải sau ngày bắt đầu"),
    (_form(deadline_drafts="2025-12-10", deadline_meetings="2025-12-01"), "không được trước hạn"),
    (_form(excluded_codes="C3"), "Không có tổ chức mang mã “C3”"),  # other branch reads like a missing code
    (_form(excluded_codes="KHONG-CO"), "Không có tổ chức mang mã “KHONG-CO”"),
    (_form(excluded_codes="QA"), "chính cấp ban hành"),
    (_form(year="abc"), "Nhập một số"),  # Django's own messages are Vietnamese too
])
def test_create_errors_are_vietnamese_and_save_nothing(cast, client_for, data, message):
    before = (Campaign.objects.count(), StageDeadline.objects.count(), FocusContent.objects.count(), AuditEvent.objects.count())
    resp = client_for(cast.alice).post(reverse("campaign_create", args=[cast.QA.pk]), data)
    assert resp.status_code == 200
    assert message in html(resp)
    assert "Quận ủy B" not in html(resp)
    assert (Campaign.objects.count(), StageDeadline.objects.count(), FocusContent.objects.count(),
            AuditEvent.objects.count()) == before


def test_create_access(cast, client_for):
    url = reverse("campaign_create", args=[cast.PX.pk])
    assert client_for(cast.bob).get(url).status_code == 403  # viewer on PX
    assert client_for(cast.bob).post(url, _form()).status_code == 403
    assert client_for(cast.carol).get(url).status_code == 404  # the other branch
    assert client_for(cast.eve).post(url, _form()).status_code == 404
    assert client_for(cast.dave).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert not Campaign.objects.exists()
    assert client_for(cast.grace).post(url, _form()).status_code == 302  # committee above


# --- launch ----------------------------------------------------------------------------------

def test_launch_runs_as_a_job_and_relaunch_adds_new_members(cast, client_for):
    campaign = annual(cast)
    url = reverse("campaign_launch", args=[campaign.pk])
    assert client_for(cast.alice).get(url).status_code == 405
    resp = client_for(cast.alice).post(url)
    job = Job.objects.get(kind="campaigns.launch")
    assert resp.status_code == 302 and resp.url == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.created_by == cast.alice
    assert job.result["counts"]["individual"] == 4  # dave, An, Bình, Cường (Dũng is in branch B)
    assert "Đã tạo" in html(client_for(cast.alice).get(resp.url))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHED
    n = Review.objects.filter(campaign=campaign).count()

    make_member(cast.C2, "DV-030", "Lâm Văn Mới", admitted_on=D(2020, 1, 1))
    page = html(client_for(cast.alice).get(reverse("campaign_detail", args=[campaign.pk])))
    assert "Bổ sung đảng viên mới" in page
    client_for(cast.alice).post(url)
    assert Review.objects.filter(campaign=campaign).count() == n + 1
    assert Job.objects.filter(kind="campaigns.launch").latest("pk").result["counts"]["individual"] == 1
    assert AuditEvent.objects.filter(action="campaign.relaunch").exists()


def test_launch_access(cast, client_for):
    campaign = annual(cast, cast.QA)
    url = reverse("campaign_launch", args=[campaign.pk])
    assert client_for(cast.bob).post(url).status_code == 403  # sees the campaign, may not launch
    assert client_for(cast.carol).post(url).status_code == 404
    assert client_for(cast.eve).post(url).status_code == 404
    assert client_for(cast.dave).post(url).status_code == 404  # no review in a draft campaign
    assert not Review.objects.exists() and not Job.objects.exists()


def test_closed_campaign_cannot_be_launched_again(cast, client_for, launched):
    campaign_services.campaign_close(actor=cast.admin, campaign=launched)
    resp = client_for(cast.alice).post(reverse("campaign_launch", args=[launched.pk]), follow=True)
    assert "đã kết thúc" in html(resp)
    assert not Job.objects.exists()


# --- the ineligible ----------------------------------------------------------------------------

def test_ineligible_list_with_reasons_paginated(cast, client_for):
    for i in range(55):
        make_member(cast.C2, f"DV-1{i:02d}", f"Đảng viên Mới {i}", admitted_on=D(2025, 10, 1), official_on=None,
                    status="probationary")
    make_member(cast.C1, "DV-200", "Đỗ Văn Miễn", exempt_since=D(2024, 1, 1))
    make_member(cast.C3, "DV-201", "Bùi Văn Khác", exempt_since=D(2024, 1, 1))
    campaign = annual(cast, cast.TU)
    launch(actor=cast.admin, campaign=campaign)
    url = reverse("campaign_ineligible", args=[campaign.pk])
    first = client_for(cast.alice).get(url)
    assert first.status_code == 200
    assert first.context["page"].paginator.count == 56  # branch A only
    assert "Vào Đảng chưa đủ 6 tháng" in html(first) and "Bùi Văn Khác" not in html(first)
    second = client_for(cast.alice).get(url, {"page": 2})
    assert len(second.context["page"]) == 6
    exempt = client_for(cast.alice).get(url, {"reason": "exempt"})
    assert [i.member.full_name for i in exempt.context["page"]] == ["Đỗ Văn Miễn"]
    assert "Được miễn công tác" in html(exempt)
    assert client_for(cast.carol).get(url).context["page"].paginator.count == 1
    assert client_for(cast.eve).get(url).status_code == 404


# --- progress --------------------------------------------------------------------------------

def _set(campaign, unit, status, submitted=True):
    """A set-based change of statuses, as an import would make (no service call): it says so
    to the progress cache."""
    from django.utils import timezone

    Review.objects.filter(campaign=campaign, unit=unit).update(
        status=status, submitted_at=timezone.now() if submitted else None)
    selectors.progress_changed(campaign.pk)


def test_progress_numbers_match_direct_counts(cast, client_for):
    campaign = annual(cast, cast.TU)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.DRAFTS, due=D(2020, 1, 1))  # long past
    launch(actor=cast.admin, campaign=campaign)
    _set(campaign, cast.C2, Status.FINAL)
    _set(campaign, cast.C1, Status.SUBMITTED)
    Review.objects.filter(campaign=campaign, member=cast.members["an"]).update(status=Status.ACCEPTED)

    resp = client_for(cast.alice).get(reverse("campaign_progress", args=[campaign.pk]))
    assert resp.status_code == 200
    assert resp.context["org"] == cast.QA  # alice's visible root of a campaign issued above her
    progress = resp.context["progress"]
    under_qa = Review.objects.filter(campaign=campaign, org_path__startswith=cast.QA.path)
    assert progress.tally.total == under_qa.count()
    assert progress.tally.done == under_qa.filter(status__in=DONE).count()
    assert progress.tally.submitted == under_qa.filter(submitted_at__isnull=False).count()
    assert progress.tally.overdue == under_qa.filter(submitted_at__isnull=True).count()
    assert progress.tally.by_status[Status.FINAL] == under_qa.filter(status=Status.FINAL).count()
    assert [c.org.pk for c in progress.children] == [cast.PX.pk]  # the advisory body has no review
    assert "0/1 chi, đảng bộ trực thuộc hoàn thành" in html(resp)

    # drill down: PX has two cells, C2 complete, C1 not
    px = client_for(cast.alice).get(reverse("campaign_progress_org", args=[campaign.pk, cast.PX.pk]))
    rows = {c.org.code: c for c in px.context["progress"].children}
    assert set(rows) == {"C1", "C2"}
    assert rows["C2"].complete and rows["C2"].tally.percent_done == 100
    assert rows["C1"].tally.total == 4 and rows["C1"].tally.done == 1 and rows["C1"].tally.percent_done == 25
    assert "1/2 chi, đảng bộ trực thuộc hoàn thành" in html(px)
    assert reverse("campaign_progress_org", args=[campaign.pk, cast.C1.pk]) in html(px)
    # PX's own collective review is overdue (never submitted): highlighted
    assert px.context["progress"].here.total == 1 and px.context["progress"].here.overdue == 1

    # the cell: its people and its collective review, linked to the review pages
    c1 = client_for(cast.alice).get(reverse("campaign_progress_org", args=[campaign.pk, cast.C1.pk]))
    listed = list(c1.context["held_page"])
    assert listed[0].subject_org == cast.C1  # the collective first
    assert {r.member.full_name for r in listed[1:]} == {"Trần Văn Đức", "Nguyễn Thị An", "Lê Văn Bình"}
    body = html(c1)
    for r in listed:
        assert f'href="/reviews/{r.pk}/"' in body
    assert "Đã được chấp nhận" in body and "Tập thể Chi bộ khu vực 1" in body


def test_progress_highlights_overdue_units(cast, client_for):
    campaign = annual(cast, cast.QA)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.DRAFTS, due=D(2020, 1, 1))
    launch(actor=cast.admin, campaign=campaign)
    _set(campaign, cast.C2, Status.SUBMITTED)
    px = client_for(cast.alice).get(reverse("campaign_progress_org", args=[campaign.pk, cast.PX.pk]))
    rows = {c.org.code: c for c in px.context["progress"].children}
    assert rows["C1"].tally.overdue == 4 and rows["C2"].tally.overdue == 0
    assert '<span class="badge warn">4 quá hạn</span>' in html(px)
    url = reverse("campaign_progress_org", args=[campaign.pk, cast.PX.pk])
    only = client_for(cast.alice).get(url, {"overdue": "1"})
    assert [c.org.code for c in only.context["children_page"]] == ["C1"]
    assert only.context["progress"].children_complete == 0 and len(only.context["progress"].children) == 2
    by_name = [c.org.code for c in client_for(cast.alice).get(url).context["children_page"]]
    assert by_name == ["C1", "C2"]
    _set(campaign, cast.C2, Status.FINAL)
    behind = client_for(cast.alice).get(url, {"sort": "behind"})
    assert [c.org.code for c in behind.context["children_page"]] == ["C1", "C2"]
    _set(campaign, cast.C1, Status.FINAL)
    _set(campaign, cast.C2, Status.DRAFT, submitted=False)
    behind = client_for(cast.alice).get(url, {"sort": "behind"})
    assert [c.org.code for c in behind.context["children_page"]] == ["C2", "C1"]


def test_progress_access(cast, client_for, launched):
    url = reverse("campaign_progress_org", args=[launched.pk, cast.C1.pk])
    assert client_for(cast.bob).get(url).status_code == 200  # viewer on PX
    assert client_for(cast.bob).get(reverse("campaign_progress_org", args=[launched.pk, cast.QA.pk])).status_code == 404
    assert client_for(cast.carol).get(url).status_code == 404
    assert client_for(cast.eve).get(reverse("campaign_progress", args=[launched.pk])).status_code == 404
    # dave sees the campaign (his own review) but no organisation's progress
    assert client_for(cast.dave).get(reverse("campaign_progress", args=[launched.pk])).status_code == 404
    assert client_for(cast.dave).get(url).status_code == 404
    # an organisation outside the campaign's scope
    assert client_for(cast.admin).get(reverse("campaign_progress_org", args=[launched.pk, cast.C3.pk])).status_code == 404
    assert client_for(cast.bob).get(reverse("campaign_progress", args=[launched.pk])).context["org"] == cast.PX


def _grow(cast, cells: int, members: int):
    for i in range(cells):
        cell = make_org(f"N{i}", f"Chi bộ mới {i}", OrgKind.CELL, cast.PX)
        Member.objects.bulk_create([
            Member(code=f"N{i}-{j}", full_name=f"Đảng viên {i} {j}", gender="male", birth_date=D(1980, 1, 1),
                   admitted_on=D(2000, 1, 1), organisation=cell, search_key=f"n{i}{j}", sort_key=f"n{i}{j}")
            for j in range(members)
        ])


@pytest.mark.parametrize("view", ["qa", "px", "cell"])
def test_progress_query_count_does_not_grow_with_rows(cast, client_for, django_assert_max_num_queries, view, settings):
    settings.KIEMDIEM_PROGRESS_CACHE_SECONDS = 0  # count the build's queries every time
    campaign = annual(cast, cast.QA)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.DRAFTS, due=D(2020, 1, 1))
    StageDeadline.objects.create(campaign=campaign, stage=Stage.MEETINGS, due=D(2020, 2, 1))
    launch(actor=cast.admin, campaign=campaign)
    client = client_for(cast.alice)
    org = {"qa": cast.QA, "px": cast.PX, "cell": cast.C1}[view]
    url = reverse("campaign_progress_org", args=[campaign.pk, org.pk])
    client.get(url)  # warm up (session)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    small = count()
    _grow(cast, cells=12, members=30)
    for i in range(60):
        make_member(cast.C1, f"C1-{i}", f"Thêm {i}")
    launch(actor=cast.admin, campaign=campaign)
    assert Review.objects.filter(campaign=campaign).count() > 400
    assert count() == small
    with django_assert_max_num_queries(15):
        client.get(url)


# --- reminders -------------------------------------------------------------------------------

@pytest.fixture
def overdue(cast):
    """QA's campaign, drafts deadline passed; dave has an e-mail; C2 has already submitted."""
    Member.objects.filter(pk=cast.members["dave"].pk).update(email="dave@example.vn")
    campaign = annual(cast, cast.QA)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.DRAFTS, due=D(2025, 12, 1))
    launch(actor=cast.admin, campaign=campaign)
    _set(campaign, cast.C2, Status.SUBMITTED)
    campaign = Campaign.objects.prefetch_related("deadlines").get(pk=campaign.pk)
    return campaign


def test_reminders_notify_members_and_unit_staff_once_a_day(cast, overdue):
    counts = send_reminders(actor=cast.alice, campaign=overdue, root=cast.QA, today=D(2025, 12, 5))
    dave_review = Review.objects.get(campaign=overdue, member=cast.members["dave"])
    qa_review = Review.objects.get(campaign=overdue, subject_org=cast.QA)
    mine = Notification.objects.get(user=cast.dave)
    assert mine.url == f"/reviews/{dave_review.pk}/" and "quá hạn" in mine.text and mine.read_at is None
    # QA's collective review: its staff (alice) and committee (grace), once each; bob is a viewer
    assert set(Notification.objects.filter(url=f"/reviews/{qa_review.pk}/").values_list("user__username", flat=True)) == {
        "alice", "grace"}
    assert not Notification.objects.filter(user=cast.bob).exists()
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dave@example.vn"]
    assert "Nhắc việc kiểm điểm" in mail.outbox[0].subject and f"/reviews/{dave_review.pk}/" in mail.outbox[0].body
    # overdue: QA, PX, C1 collectives + dave, An, Bình (C2 submitted)
    assert counts == {"overdue": 6, "notifications": 3, "emails": 1, "skipped": 0}

    again = send_reminders(actor=cast.alice, campaign=overdue, root=cast.QA, today=D(2025, 12, 5))
    assert again["notifications"] == 0 and again["skipped"] == 3
    assert Notification.objects.count() == 3 and len(mail.outbox) == 1


def test_reminders_next_day_and_only_under_root(cast, overdue):
    from django.utils import timezone

    send_reminders(actor=None, campaign=overdue, root=cast.C1, today=D(2025, 12, 5))
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"dave"}  # no grant on C1
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    send_reminders(actor=None, campaign=overdue, root=cast.C1, today=timezone.localdate())
    assert Notification.objects.filter(user=cast.dave).count() == 2


def test_remind_button(cast, client_for, overdue):
    url = reverse("campaign_remind", args=[overdue.pk, cast.QA.pk])
    progress = reverse("campaign_progress_org", args=[overdue.pk, cast.QA.pk])
    assert "Nhắc việc" in html(client_for(cast.alice).get(progress))
    assert "Nhắc việc" not in html(client_for(cast.bob).get(reverse("campaign_progress_org", args=[overdue.pk, cast.PX.pk])))
    assert client_for(cast.bob).post(reverse("campaign_remind", args=[overdue.pk, cast.PX.pk])).status_code == 403
    assert client_for(cast.carol).post(url).status_code == 404
    assert client_for(cast.alice).get(url).status_code == 405
    assert not Notification.objects.exists()
    resp = client_for(cast.alice).post(url)
    job = Job.objects.get(kind="campaigns.remind")
    assert resp.status_code == 302 and resp.url == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.result["counts"]["notifications"] == 3
    assert "Đã gửi 3 thông báo và 1 thư điện tử nhắc việc" in html(client_for(cast.alice).get(resp.url))
    assert Notification.objects.count() == 3 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="campaign.remind", actor=cast.alice).exists()
    again = client_for(cast.alice).post(url, follow=True)
    assert "đã được nhắc trong hôm nay" in html(again)


def test_send_reminders_command(cast, overdue, capsys):
    call_command("send_reminders", campaign=overdue.pk)
    assert Notification.objects.count() == 3
    assert "đã gửi 3 thông báo" in capsys.readouterr().out
    call_command("send_reminders", "--campaign", str(overdue.pk), "--org", "C1")
    assert Notification.objects.count() == 3  # already reminded today
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", campaign=overdue.pk, org="C3")


# --- notifications -----------------------------------------------------------------------------

def test_notifications_page_and_unread_count_in_nav(cast, client_for, overdue, django_assert_max_num_queries):
    client = client_for(cast.dave)
    before = html(client.get(reverse("campaign_list")))
    assert 'id="nav-notifications"' in before and "badge warn" not in before.split('id="nav-notifications"')[1][:120]
    send_reminders(actor=None, campaign=overdue, root=cast.QA, today=D(2025, 12, 5))
    nav = html(client.get(reverse("campaign_list"))).split('id="nav-notifications"')[1][:120]
    assert '<span class="badge warn">1</span>' in nav
    page = client.get(reverse("notifications"))
    assert "quá hạn" in html(page) and "/reviews/" in html(page)
    assert client.post(reverse("notifications")).status_code == 302
    assert not Notification.objects.filter(user=cast.dave, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=cast.alice, read_at__isnull=True).count() == 1  # others' untouched


def test_progress_is_cached_until_a_review_changes_status(cast, client_for, settings, django_capture_on_commit_callbacks):
    """The tallies are kept (KIEMDIEM_PROGRESS_CACHE_SECONDS) and shown with their time; saving a
    draft keeps them, a status change (submitting) shows at once; 0 turns the cache off."""
    from kiemdiem.reviews import services as review_services
    from kiemdiem.reviews.tests.test_workflow import fill

    settings.KIEMDIEM_PROGRESS_CACHE_SECONDS = 30
    campaign = annual(cast, cast.QA)
    launch(actor=cast.admin, campaign=campaign)
    client = client_for(cast.alice)
    url = reverse("campaign_progress_org", args=[campaign.pk, cast.PX.pk])
    first = client.get(url).context["progress"]
    assert first.tally.submitted == 0 and "Số liệu tổng hợp lúc" in html(client.get(url))

    dave = cast.users["dave"]
    review = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    with django_capture_on_commit_callbacks(execute=True):
        review = fill(review, dave)  # a draft saved: no tally changes
    again = client.get(url).context["progress"]
    assert again.computed_at == first.computed_at  # from the cache

    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_submit(actor=dave, review=review)
    fresh = client.get(url).context["progress"]
    assert fresh.computed_at > first.computed_at and fresh.tally.submitted == 1
    assert fresh.tally.submitted == Review.objects.filter(campaign=campaign, org_path__startswith=cast.PX.path,
                                                          submitted_at__isnull=False).count()

    settings.KIEMDIEM_PROGRESS_CACHE_SECONDS = 0
    a, b = client.get(url).context["progress"], client.get(url).context["progress"]
    assert b.computed_at > a.computed_at


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_children_rows_match_the_template_filters(cast, lang):
    """The children's table is made in Python: numbers as `intcomma` gives them, names escaped."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from kiemdiem.campaigns.views import ChildRow, OrgRow, children_rows

    campaign = annual(cast, cast.QA)
    t = selectors.Tally(total=1234567, submitted=1000, overdue=3)
    t.by_status[Status.FINAL] = 12345
    row = ChildRow(OrgRow(7, "X", 'Chi bộ <b>"A"</b>'), t, 1)
    with translation.override(lang):
        html_ = children_rows(campaign, [row])
        for n in (1234567, 1000, 12345):
            assert f">{intcomma(n)}<" in html_
        assert "Chi bộ &lt;b&gt;&quot;A&quot;&lt;/b&gt;" in html_ and "<b>" not in html_
        assert f'href="/campaigns/{campaign.pk}/progress/7/"' in html_
