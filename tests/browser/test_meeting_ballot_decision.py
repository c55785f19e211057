"""The review meeting, its secret ballot and the committee's decision, in a real browser (issue 9):

1. the cell secretary (Nguyễn Thị An, staff of Chi bộ khu vực 1) opens the cell's collective
   review, records the meeting (date, place, chair, secretary, agenda) and the attendance
   (quorum shown), and opens an online secret ballot on the collective;
2. the three official members vote on their phones, each gets a receipt code shown once, and
   one checks his receipt on the receipt page;
3. the secretary closes the ballot: the tally and the result are shown;
4. the deciding committee (grace, Đảng ủy phường X) opens the calibration page where the cells
   propose more "Hoàn thành xuất sắc nhiệm vụ" than the 20 % quota allows: the Vietnamese quota
   warning is shown; deciding as proposed is refused until the member with a disciplinary record
   gets a reason, then refused again for the quota, with nothing saved; the committee then
   decides within the quota.

The members' proposals are set in the database (the self-review in a browser is
test_self_review.py). Screenshots of every step are saved in test-artifacts/ at the repository
root (gitignored; `<test>-<step>.png`, plus `-failure.png` when a test fails).
"""
import datetime

import pytest
from playwright.sync_api import expect

from kiemdiem.testing import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
D = datetime.date

pytestmark = pytest.mark.browser


def log_in(page, username: str):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/org/")


def assert_fits(page, where: str):
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width + 1, f"{where}: page is {scroll_width}px wide on a {inner_width}px screen"


@pytest.fixture
def world(browser_cast):
    """An annual campaign launched over the cast; logins for the cell's members An (the cell
    secretary, staff of her cell) and Bình; the members' proposed levels: two excellent, two good."""
    from django.contrib.auth import get_user_model

    from kiemdiem.campaigns import services as campaign_services
    from kiemdiem.campaigns.models import StageDeadline
    from kiemdiem.organisations import services as org_services
    from kiemdiem.organisations.choices import GrantRole
    from kiemdiem.organisations.models import Member
    from kiemdiem.reviews.launch import launch
    from kiemdiem.reviews.models import Review

    cast = browser_cast
    campaign = campaign_services.campaign_create(
        actor=None, issuer=cast.orgs["TU"], title="Kiểm điểm năm 2025", kind="annual", year=2025,
        period_start=D(2025, 1, 1), period_end=D(2025, 12, 31), plan_number="Kế hoạch số 25-KH/TU",
    )
    StageDeadline.objects.create(campaign=campaign, stage="drafts", due=D(2099, 12, 15))
    launch(actor=None, campaign=campaign)
    User = get_user_model()
    for name in ("an", "binh"):
        user = User.objects.create_user(username=name, password=PASSWORD)
        Member.objects.filter(pk=cast.members[name].pk).update(user=user)
        cast.users[name] = user
    org_services.grant_role(actor=None, user=cast.users["an"], organisation=cast.orgs["C1"], role=GrantRole.STAFF)
    levels = {"an": "HTXSNV", "dave": "HTXSNV", "binh": "HTTNV", "cuong": "HTTNV"}
    reviews = {name: Review.objects.get(campaign=campaign, member=cast.members[name]) for name in levels}
    for name, level in levels.items():
        Review.objects.filter(pk=reviews[name].pk).update(proposed_level=level)
    collective = Review.objects.get(campaign=campaign, subject_org=cast.orgs["C1"])
    return campaign, collective, reviews


def test_secretary_records_meeting_and_secret_ballot_members_vote(new_page, browser_cast, world):
    from kiemdiem.ratings.models import Ballot, Meeting, Vote

    cast = browser_cast
    campaign, collective, _reviews = world
    an, binh = cast.members["an"], cast.members["binh"]

    # 1. the secretary records the meeting
    page, problems = new_page(DESKTOP)
    log_in(page, "an")
    page.goto(f"/reviews/{collective.pk}/")
    page.click("#meeting-create")
    page.wait_for_url("**/meeting/new/")
    page.fill("#id_held_on", "2025-12-15")
    page.fill("#id_place", "Nhà văn hóa khu vực 1")
    page.select_option("#id_chair", str(an.pk))
    page.select_option("#id_secretary", str(binh.pk))
    page.fill("#id_agenda", "Kiểm điểm tập thể và cá nhân năm 2025")
    page.shot("1-meeting-form")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_url("**/meetings/*/")
    meeting = Meeting.objects.get(review=collective)
    expect(page.locator(".messages")).to_contain_text("Đã tạo hội nghị kiểm điểm.")
    expect(page.locator("#meeting-info")).to_contain_text("Nhà văn hóa khu vực 1")
    expect(page.locator("#meeting-info")).to_contain_text("Nguyễn Thị An")

    # attendance: everyone present (the default), quorum shown
    page.click("#attendance button[type=submit]")
    expect(page.locator("#quorum")).to_contain_text("Đủ số lượng: có mặt 3/3 đảng viên chính thức")
    # the collective comes first; an online secret ballot on it
    subject = page.locator(f"#subject-{collective.pk}")
    subject.locator("select[name=method]").select_option("secret")
    subject.locator("button.primary").click()
    expect(subject).to_contain_text("Bỏ phiếu kín trực tuyến")
    expect(subject).to_contain_text("Đang biểu quyết")
    vote = Vote.objects.get(meeting=meeting, subject=collective)
    page.shot("2-ballot-open")

    # 2. the three official members vote on their phones
    receipts = {}
    for username, level in (("dave", "HTXSNV"), ("an", "HTTNV"), ("binh", "HTTNV")):
        voter, voter_problems = new_page(PHONE)
        log_in(voter, username)
        voter.goto(f"/meetings/{meeting.pk}/ballot/")
        expect(voter.locator("h1")).to_contain_text("Bỏ phiếu kín")
        expect(voter.locator("#open-votes")).to_contain_text("Chi bộ khu vực 1")
        voter.check(f"#open-votes input[name=level][value={level}]")
        if username == "dave":
            voter.shot("3-ballot-phone")
            assert_fits(voter, "ballot")
        voter.click("#open-votes button.primary")
        code = voter.locator("#receipt-code")
        expect(code).to_be_visible()
        receipts[username] = code.inner_text().strip()
        expect(voter.locator("#open-votes")).to_contain_text("Đồng chí đã bỏ phiếu.")
        if username == "dave":
            voter.shot("4-receipt-phone")
            assert_fits(voter, "receipt")
            # shown once: reloading the ballot page does not show it again
            voter.goto(f"/meetings/{meeting.pk}/ballot/")
            expect(voter.locator("#receipt-code")).to_have_count(0)
            # and the receipt is found among the counted ballots
            voter.goto(f"/meetings/{meeting.pk}/receipt/")
            voter.select_option("#id_vote", str(vote.pk))
            voter.fill("#id_code", receipts["dave"].lower())
            voter.click("form.card button.primary")
            expect(voter.locator("#receipt-result")).to_have_text("Phiếu có mã này đã được tính.")
            voter.shot("5-receipt-checked-phone")
        voter_problems.assert_none()
    assert Ballot.objects.filter(vote=vote).count() == 3
    assert len(set(receipts.values())) == 3
    assert set(Ballot.objects.filter(vote=vote).values_list("receipt", flat=True)) == set(receipts.values())

    # 3. the secretary closes the ballot: tally and result
    page.reload()
    subject = page.locator(f"#subject-{collective.pk}")
    subject.locator("button.primary", has_text="Kết thúc biểu quyết").click()
    subject = page.locator(f"#subject-{collective.pk}")
    expect(subject).to_contain_text("Đã kết thúc")
    tally = subject.locator("table.tally")
    expect(tally.locator("tr", has_text="Hoàn thành xuất sắc nhiệm vụ").locator("td.num")).to_have_text("1")
    expect(tally.locator("tr", has_text="Hoàn thành tốt nhiệm vụ").locator("td.num")).to_have_text("2")
    expect(subject).to_contain_text("Kết quả: Hoàn thành tốt nhiệm vụ")
    page.shot("6-ballot-closed")
    vote.refresh_from_db()
    assert vote.status == "closed" and vote.tally == {"HTXSNV": 1, "HTTNV": 2} and vote.result_level == "HTTNV"
    problems.assert_none()


def test_committee_sees_the_cap_and_the_quota_and_decides_within_them(new_page, browser_cast, world):
    from kiemdiem.discipline.services import discipline_record
    from kiemdiem.ratings.models import Rating

    cast = browser_cast
    campaign, _collective, reviews = world
    px = cast.orgs["PX"]
    # a duty-related reprimand this year: Trần Văn Đức cannot be rated above KHTNV, whatever the reason
    discipline_record(actor=None, member=cast.members["dave"], form="reprimand", deciding_body=px,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))

    page, problems = new_page(DESKTOP)
    log_in(page, "grace")
    page.goto(f"/campaigns/{campaign.pk}/calibration/{px.pk}/")
    expect(page.locator("h1")).to_contain_text("Xem xét, quyết định xếp loại")
    # two excellent proposals, none allowed for two good ones: the quota warning
    quota = page.locator("#quota-problems")
    expect(quota).to_contain_text("Vượt tỷ lệ: 2 quá nhiều ở mức “Hoàn thành xuất sắc nhiệm vụ”")
    # the reprimand is binding: the row names the highest level allowed, the levels above it
    # cannot be chosen
    dave_row = page.locator(f"#row-{reviews['dave'].pk}")
    expect(dave_row.locator(".badge.bad")).to_contain_text("kỷ luật")
    expect(dave_row).to_contain_text("Mức cao nhất được phép: Không hoàn thành nhiệm vụ")
    for code in ("HTXSNV", "HTTNV", "HTNV"):
        expect(dave_row.locator(f"select option[value={code}]")).to_be_disabled()
    expect(dave_row.locator("select option[value=KHTNV]")).to_be_enabled()
    page.shot("1-calibration-over-quota")

    def choose(levels: dict[str, str], reasons: dict[str, str] | None = None):
        for name, level in levels.items():
            page.select_option(f"select[name=level_{reviews[name].pk}]", level)
        for name, reason in (reasons or {}).items():
            page.fill(f"input[name=reason_{reviews[name].pk}]", reason)
        page.click("#decide")

    # deciding as proposed within the rules (Đức at the cap): still over the quota, refused as a whole
    proposed = {"an": "HTXSNV", "dave": "KHTNV", "binh": "HTTNV", "cuong": "HTTNV"}
    choose(proposed)
    expect(page.locator(".messages")).to_contain_text("Vượt tỷ lệ: 1 quá nhiều ở mức “Hoàn thành xuất sắc nhiệm vụ”")
    expect(page.locator(f"select[name=level_{reviews['an'].pk}]")).to_have_value("HTXSNV")  # the choices stay
    page.shot("2-quota-refused")
    assert not Rating.objects.filter(stage="decision").exists()

    # within the quota: the others good, Đức at the cap the regulation sets
    choose({**{name: "HTTNV" for name in proposed}, "dave": "KHTNV"})
    page.wait_for_url(f"**/calibration/{px.pk}/")
    expect(page.locator(".messages")).to_contain_text("Đã quyết định xếp loại 4 trường hợp.")
    expect(page.locator("#quota-problems")).to_have_count(0)
    page.shot("3-decided")
    decided = dict(Rating.objects.filter(stage="decision", cancelled_at__isnull=True).values_list("review_id", "level"))
    assert decided == {**{r.pk: "HTTNV" for r in reviews.values()}, reviews["dave"].pk: "KHTNV"}
    problems.assert_none()
