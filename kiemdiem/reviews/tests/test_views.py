"""The review pages: the member's list, the report, the editor (with the concurrent-edit
merge), the workflow actions, versions, and who may do what."""
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdiem.campaigns.models import StageDeadline
from kiemdiem.organisations.models import Member
from kiemdiem.reviews import services
from kiemdiem.reviews.choices import FixState, Status
from kiemdiem.reviews.forms import html_to_text, text_to_html
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Comment, Prompt, Review, ReviewVersion, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date


@pytest.fixture
def campaign(cast):
    campaign = annual(cast)
    StageDeadline.objects.create(campaign=campaign, stage="drafts", due=D(2099, 12, 15))
    launch(actor=cast.admin, campaign=campaign)
    return campaign


@pytest.fixture
def review(cast, campaign):
    return Review.objects.get(campaign=campaign, member=cast.members["dave"])


def editor_data(review, **overrides):
    """A complete editor POST for an individual review."""
    data = {
        "base_version": review.version,
        "sec_I_1": "Luôn giữ vững lập trường tư tưởng.\n\nGương mẫu nơi cư trú.",
        "sec_I_2": "Hoàn thành các nhiệm vụ được giao:\n- Công tác dân vận\n- Công tác đảng phí",
        "sec_I_3": "Thực hiện đúng cam kết đầu năm.",
        "sec_II": "Còn chậm đóng đảng phí.",
        "sec_III": "",
        "sec_IV": "",
        "sec_V": "",
        "sec_VI": "- Đóng đảng phí đúng hạn\n- Tham gia đầy đủ sinh hoạt",
        "shortcomings": "Chậm đóng đảng phí\nNgại phát biểu trong sinh hoạt",
        # part B (QĐ 366, Mẫu 2B): the five criteria groups (27,5 of 30) and the tasks
        "crit_chinh_tri": "6", "crit_dao_duc": "5,5", "crit_neu_guong": "6", "crit_doi_moi": "5", "crit_tu_phe_binh": "5",
        "self_score_tasks": "60",
        "proposed_level": "HTTNV",
    }
    for prior in review.prior_shortcomings.all():
        data[f"prior_{prior.pk}_state"] = FixState.FIXED
        data[f"prior_{prior.pk}_comment"] = "Đã khắc phục"
    for prompt in review.prompts.all():
        data[f"prompt_{prompt.pk}"] = "Đã giải trình"
    data.update(overrides)
    return data


def page(resp) -> str:
    return resp.content.decode()


# --- plain text <-> HTML -------------------------------------------------------------------

def test_plain_text_becomes_paragraphs_and_lists_and_back():
    text = "Đoạn một\ndòng hai có **đậm** và *nghiêng*\n\n- mục a\n- mục b\n\n1. bước một\n2. bước hai\n\nHết <script>x</script>"
    html = services.sanitise(text_to_html(text))
    assert html == (
        "<p>Đoạn một<br>dòng hai có <strong>đậm</strong> và <em>nghiêng</em></p>"
        "<ul><li>mục a</li><li>mục b</li></ul><ol><li>bước một</li><li>bước hai</li></ol>"
        "<p>Hết &lt;script&gt;x&lt;/script&gt;</p>"
    )
    assert html_to_text(html) == text


# --- my reviews ----------------------------------------------------------------------------

def test_my_reviews_lists_what_is_due_and_links_to_it(cast, review, client_for):
    resp = client_for(cast.users["dave"]).get(reverse("my_reviews"))
    html = page(resp)
    assert resp.status_code == 200
    assert "Kiểm điểm năm 2025" in html and "15/12/2099" in html
    assert reverse("review_edit", args=[review.pk]) in html
    assert "Đang soạn" in html
    # the nav link shows for a user linked to a member, not for others
    assert reverse("my_reviews") in html
    assert reverse("my_reviews") not in page(client_for(cast.users["alice"]).get(reverse("org_tree")))


def test_my_reviews_for_a_user_without_a_member(cast, campaign, client_for):
    resp = client_for(cast.users["alice"]).get(reverse("my_reviews"))
    assert resp.status_code == 200
    assert "chưa được gắn với hồ sơ đảng viên" in page(resp)


def test_a_leader_sees_the_collective_review_they_take_part_in(cast, campaign, client_for):
    from django.contrib.auth import get_user_model

    an_user = get_user_model().objects.create_user(username="an", password="x")
    Member.objects.filter(pk=cast.members["an"].pk).update(user=an_user)
    collective = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    client = client_for(an_user)
    html = page(client.get(reverse("my_reviews")))
    assert "Kiểm điểm tập thể tôi tham gia" in html and reverse("review_detail", args=[collective.pk]) in html
    # she reads the draft and comments on it, but does not edit it or decide on it
    assert client.get(reverse("review_detail", args=[collective.pk])).status_code == 200
    assert client.post(reverse("review_comment", args=[collective.pk]), {"text": "Cần bổ sung số liệu"}).status_code == 302
    assert collective.comments.get().text == "Cần bổ sung số liệu"
    assert client.get(reverse("review_edit", args=[collective.pk])).status_code == 403
    assert client.post(reverse("review_accept", args=[collective.pk])).status_code == 403
    # another organisation's collective review stays hidden
    other = Review.objects.get(campaign=campaign, subject_org=cast.C2)
    assert client.get(reverse("review_detail", args=[other.pk])).status_code == 404


# --- the report page -----------------------------------------------------------------------

def test_the_report_is_laid_out_like_the_form(cast, review, client_for):
    dave = cast.users["dave"]
    services.prompt_add(actor=cast.alice, review=review, issued_by=cast.QA, text="Làm rõ việc chậm đóng đảng phí")
    resp = client_for(dave).post(reverse("review_edit", args=[review.pk]), editor_data(review))
    assert resp.status_code == 302
    html = page(client_for(dave).get(reverse("review_detail", args=[review.pk])))
    for text in ("Bản tự kiểm điểm", "Trần Văn Đức", "Chi bộ khu vực 1", "Mẫu 2B",
                 "1. Về tư tưởng chính trị", "II. Hạn chế, khuyết điểm và nguyên nhân", "IV. Giải trình",
                 "<li>Công tác dân vận</li>", "Chậm đóng đảng phí", "Ngại phát biểu",
                 "Làm rõ việc chậm đóng đảng phí", "Đã giải trình", "27,5", "87,5", "Hoàn thành tốt nhiệm vụ"):
        assert text in html, text
    assert 'id="submit-review"' in html and 'id="problems"' not in html


def test_submit_refused_lists_the_problems(cast, review, client_for):
    client = client_for(cast.users["dave"])
    client.post(reverse("review_edit", args=[review.pk]), editor_data(review, sec_I_3="", self_score_tasks="", crit_doi_moi=""))
    resp = client.post(reverse("review_submit", args=[review.pk]), follow=True)
    html = page(resp)
    assert "Chưa nộp được báo cáo" in html
    assert "Chưa viết mục “3. Về thực hiện cam kết" in html
    assert "Chưa tự chấm điểm nhóm tiêu chí “Tư duy đổi mới, sáng tạo trong công việc” (phần B)." in html
    assert "Chưa tự chấm điểm kết quả thực hiện nhiệm vụ (phần B)." in html
    review.refresh_from_db()
    assert review.status == Status.DRAFT


# --- the editor ----------------------------------------------------------------------------

def test_the_editor_loads_the_saved_text_as_plain_text(cast, review, client_for):
    client = client_for(cast.users["dave"])
    client.post(reverse("review_edit", args=[review.pk]), editor_data(review))
    html = page(client.get(reverse("review_edit", args=[review.pk])))
    # a list right under a line of text comes back as its own block
    assert "Hoàn thành các nhiệm vụ được giao:\n\n- Công tác dân vận\n- Công tác đảng phí</textarea>" in html
    assert 'name="base_version" value="1"' in html
    assert "Chậm đóng đảng phí\nNgại phát biểu trong sinh hoạt</textarea>" in html
    assert 'value="5,5"' in html and '<output id="common-total"' in html and ">27,5</output>/30" in html


def test_validation_errors_are_in_vietnamese_and_keep_the_text(cast, review, client_for):
    resp = client_for(cast.users["dave"]).post(
        reverse("review_edit", args=[review.pk]),
        editor_data(review, crit_chinh_tri="7", crit_dao_duc="5,3", self_score_tasks="bảy mươi", proposed_level="XYZ"),
    )
    html = page(resp)
    assert resp.status_code == 200
    assert "Điểm tối đa là 6" in html and "Điểm chỉ chấm đến 0,5 (ví dụ 5 hoặc 5,5)." in html
    assert "Nhập một số, ví dụ 27 hoặc 27,5." in html
    assert "Mức xếp loại không hợp lệ." in html
    assert "Luôn giữ vững lập trường tư tưởng." in html  # nothing typed is lost
    review.refresh_from_db()
    assert review.version == 0


def test_save_and_submit_in_one_go(cast, review, client_for):
    resp = client_for(cast.users["dave"]).post(reverse("review_edit", args=[review.pk]), editor_data(review, then="submit"),
                                               follow=True)
    assert "Đã nộp báo cáo." in page(resp)
    review.refresh_from_db()
    assert review.status == Status.SUBMITTED
    # the editor is closed while the report is with the unit
    resp = client_for(cast.users["dave"]).get(reverse("review_edit", args=[review.pk]), follow=True)
    assert "không thể sửa" in page(resp)


def test_concurrent_edit_keeps_both_texts(cast, review, client_for):
    """Two sessions open the editor on the same version; the first save stands, the second is
    refused with the user's own text still in the fields and the saved text shown beside it;
    after merging, the second save goes through. Nothing is lost along the way."""
    url = reverse("review_edit", args=[review.pk])
    prompt = services.prompt_add(actor=None, review=review, issued_by=cast.QA, text="Làm rõ việc vắng họp")
    answer = f"prompt_{prompt.pk}"
    phone, laptop = client_for(cast.users["dave"]), client_for(cast.users["alice"])
    assert 'name="base_version" value="0"' in page(phone.get(url))
    assert 'name="base_version" value="0"' in page(laptop.get(url))

    assert phone.post(url, editor_data(review, sec_II="Bản viết trên điện thoại.", **{answer: "Do ốm"})).status_code == 302

    resp = laptop.post(url, editor_data(review, sec_II="Bản viết trên máy tính.", shortcomings="Chậm báo cáo",
                                        **{answer: "Do đi công tác"}))
    html = page(resp)
    assert resp.status_code == 200 and 'id="conflict"' in html
    assert "Báo cáo vừa được người khác lưu (phiên bản 1)" in html
    assert "Bản viết trên máy tính.</textarea>" in html  # the user's own text, still in the field
    assert re.search(r'class="saved-text">Bản viết trên điện thoại\.', html)  # the saved text beside it
    assert "Chậm báo cáo</textarea>" in html
    assert "Do đi công tác</textarea>" in html and re.search(r'class="saved-text">Do ốm<', html)
    assert 'name="base_version" value="1"' in html  # the next save starts from the saved version
    review.refresh_from_db()
    assert review.content["II"] == "<p>Bản viết trên điện thoại.</p>"
    kept = ReviewVersion.objects.get(review=review, conflict=True)
    assert kept.content["II"] == "<p>Bản viết trên máy tính.</p>" and kept.author == cast.users["alice"]

    merged = "Bản viết trên điện thoại.\n\nBản viết trên máy tính."
    resp = laptop.post(url, editor_data(review, sec_II=merged, base_version=1))
    assert resp.status_code == 302
    review.refresh_from_db()
    assert review.version == 2
    assert review.content["II"] == "<p>Bản viết trên điện thoại.</p><p>Bản viết trên máy tính.</p>"
    texts = [v.content["II"] for v in review.versions.order_by("id")]
    assert texts == ["<p>Bản viết trên điện thoại.</p>", "<p>Bản viết trên máy tính.</p>",
                     "<p>Bản viết trên điện thoại.</p><p>Bản viết trên máy tính.</p>"]


# --- the whole workflow through the pages --------------------------------------------------

def test_full_workflow_through_the_pages(cast, review, client_for):
    dave, alice = client_for(cast.users["dave"]), client_for(cast.users["alice"])
    detail = reverse("review_detail", args=[review.pk])

    # a superior (QA, managed by alice) prompts dave; the highest managed organisation is the default
    html = page(alice.get(detail))
    assert 'id="add-prompt"' in html and f'<option value="{cast.QA.pk}" selected>' in html
    assert alice.post(reverse("review_prompt", args=[review.pk]),
                      {"issued_by": cast.PX.pk, "text": "Làm rõ việc vắng sinh hoạt"}).status_code == 302
    prompt = Prompt.objects.get(review=review)
    assert prompt.issued_by == cast.PX and prompt.author == cast.users["alice"]
    # a member cannot prompt (nothing above their cell is theirs)
    assert dave.post(reverse("review_prompt", args=[review.pk]), {"issued_by": cast.PX.pk, "text": "x"}).status_code == 403

    # dave writes, forgets the prompt, and is told
    dave.post(reverse("review_edit", args=[review.pk]), editor_data(review, **{f"prompt_{prompt.pk}": ""}))
    html = page(dave.post(reverse("review_submit", args=[review.pk]), follow=True))
    assert "Còn 1 gợi ý kiểm điểm chưa giải trình (mục IV)." in html
    review.refresh_from_db()
    dave.post(reverse("review_edit", args=[review.pk]), editor_data(review, **{f"prompt_{prompt.pk}": "Do đi công tác"}))
    html = page(dave.post(reverse("review_submit", args=[review.pk]), follow=True))
    assert "Đã nộp báo cáo." in html and "Đã nộp" in html
    review.refresh_from_db()
    assert review.status == Status.SUBMITTED

    # dave cannot decide on his own report
    assert dave.post(reverse("review_accept", args=[review.pk])).status_code == 403
    # alice returns it with a comment (the comment is required)
    html = page(alice.post(reverse("review_return", args=[review.pk]), {"comment": "  "}, follow=True))
    assert "Cần ghi rõ nội dung yêu cầu bổ sung" in html
    alice.post(reverse("review_return", args=[review.pk]), {"comment": "Bổ sung nguyên nhân"})
    review.refresh_from_db()
    assert review.status == Status.RETURNED
    assert "Bổ sung nguyên nhân" in page(dave.get(detail))

    # dave answers in the thread, revises and resubmits
    dave.post(reverse("review_comment", args=[review.pk]), {"text": "Đã bổ sung"})
    dave.post(reverse("review_edit", args=[review.pk]), editor_data(review, sec_II="Còn chậm đóng đảng phí do chủ quan."))
    dave.post(reverse("review_submit", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == Status.RESUBMITTED

    alice.post(reverse("review_accept", args=[review.pk]))
    alice.post(reverse("review_finalise", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == Status.FINAL
    html = page(alice.post(reverse("review_reopen", args=[review.pk]), {"reason": ""}, follow=True))
    assert "cần ghi rõ lý do" in html
    alice.post(reverse("review_reopen", args=[review.pk]), {"reason": "Sai số liệu"})
    review.refresh_from_db()
    assert review.status == Status.RETURNED
    assert list(Comment.objects.filter(review=review).values_list("text", flat=True)) == ["Bổ sung nguyên nhân", "Đã bổ sung"]


def test_a_prompt_issuer_must_be_above_the_unit_and_managed(cast, review, client_for):
    alice = client_for(cast.users["alice"])
    html = page(alice.post(reverse("review_prompt", args=[review.pk]), {"issued_by": cast.C1.pk, "text": "x"}, follow=True))
    assert "Chỉ chọn được cấp trên mà bạn phụ trách." in html
    html = page(alice.post(reverse("review_prompt", args=[review.pk]), {"issued_by": cast.TU.pk, "text": "x"}, follow=True))
    assert "Chỉ chọn được cấp trên mà bạn phụ trách." in html
    assert not Prompt.objects.exists()


def test_schedule_warns_when_the_draft_goes_out_too_late(cast, campaign, client_for):
    collective = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    alice = client_for(cast.users["alice"])
    resp = alice.post(reverse("review_schedule", args=[collective.pk]),
                      {"meeting_date": "2025-12-09", "circulated_on": "2025-12-05"}, follow=True)
    html = page(resp)
    assert "ít nhất 3 ngày làm việc" in html and "Đã lưu lịch hội nghị kiểm điểm." in html
    collective.refresh_from_db()
    assert collective.meeting_date == D(2025, 12, 9)  # saved all the same
    assert "Nguyễn Thị An <span class=\"muted\">· Bí thư</span>" in html  # the participants (C1's secretary)
    html = page(alice.post(reverse("review_schedule", args=[collective.pk]),
                           {"meeting_date": "2025-12-01", "circulated_on": "2025-12-05"}, follow=True))
    assert "Ngày gửi dự thảo phải trước ngày họp." in html
    # an individual review has no meeting of its own
    own = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    assert alice.post(reverse("review_schedule", args=[own.pk]), {"meeting_date": "2025-12-20"}).status_code == 404


# --- versions ------------------------------------------------------------------------------

def test_versions_and_a_safe_comparison(cast, review, client_for):
    client = client_for(cast.users["dave"])
    url = reverse("review_edit", args=[review.pk])
    client.post(url, editor_data(review, sec_II="Dòng giữ nguyên\nDòng cũ"))
    review.refresh_from_db()
    client.post(url, editor_data(review, sec_II='Dòng giữ nguyên\nDòng mới <script>alert("x")</script>', self_score_tasks="61"))
    v1, v2 = review.versions.order_by("number")
    html = page(client.get(reverse("review_versions", args=[review.pk])))
    assert f"?a={v1.pk}&amp;b={v2.pk}" in html
    resp = client.get(reverse("review_compare", args=[review.pk]), {"a": v1.pk, "b": v2.pk})
    html = page(resp)
    assert "<del>− Dòng cũ</del>" in html
    assert "<ins>+ Dòng mới &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</ins>" in html
    assert "<script>alert" not in html
    assert "<del>60</del>" in html and "<ins>61</ins>" in html
    # without a choice: the two latest
    assert "<del>− Dòng cũ</del>" in page(client.get(reverse("review_compare", args=[review.pk])))


# --- access --------------------------------------------------------------------------------

ACTIONS = ["review_submit", "review_return", "review_accept", "review_finalise", "review_reopen", "review_comment",
           "review_prompt", "review_schedule"]


@pytest.mark.parametrize("name", ["review_detail", "review_edit", "review_versions", "review_compare", "review_export_docx"])
def test_outsiders_get_not_found(cast, review, client_for, name):
    for user in ("eve", "carol"):
        assert client_for(cast.users[user]).get(reverse(name, args=[review.pk])).status_code == 404


@pytest.mark.parametrize("name", ACTIONS)
def test_viewers_cannot_act_and_outsiders_do_not_see(cast, review, client_for, name):
    bob, eve = client_for(cast.users["bob"]), client_for(cast.users["eve"])
    assert bob.get(reverse("review_detail", args=[review.pk])).status_code == 200
    assert bob.post(reverse(name, args=[review.pk]), {"text": "x", "comment": "x", "reason": "x"}).status_code == 403
    assert eve.post(reverse(name, args=[review.pk]), {"text": "x", "comment": "x", "reason": "x"}).status_code == 404
    assert bob.get(reverse("review_edit", args=[review.pk])).status_code == 403


def test_a_viewer_sees_no_action_buttons(cast, review, client_for):
    html = page(client_for(cast.users["bob"]).get(reverse("review_detail", args=[review.pk])))
    for marker in ('id="edit-review"', 'id="submit-review"', 'id="decide"', 'id="add-prompt"', 'id="id_comment_text"'):
        assert marker not in html


def test_anonymous_is_sent_to_login(client, review):
    resp = client.get(reverse("review_detail", args=[review.pk]))
    assert resp.status_code == 302 and resp.url.startswith(reverse("login"))


# --- queries don't grow with rows ----------------------------------------------------------

def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow_review(cast, review, n: int):
    for i in range(n):
        Prompt.objects.create(review=review, issued_by=cast.QA, text=f"Gợi ý {i}", answer=f"Trả lời {i}")
        Comment.objects.create(review=review, author=cast.users["alice"], text=f"Ý kiến {i}")
        Shortcoming.objects.create(review=review, text=f"Hạn chế {i}", order=i)
        ReviewVersion.objects.create(review=review, number=i, content={"II": f"<p>{i}</p>"}, author=cast.users["dave"])


def test_report_page_queries_do_not_grow_with_rows(cast, review, client_for, django_assert_max_num_queries):
    client = client_for(cast.users["alice"])
    url = reverse("review_detail", args=[review.pk])
    _grow_review(cast, review, 1)
    few = _count(client, url)
    _grow_review(cast, review, 15)
    assert _count(client, url) == few
    with django_assert_max_num_queries(25):
        client.get(url)
    versions = reverse("review_versions", args=[review.pk])
    assert _count(client, versions) <= 12


def test_collective_report_queries_do_not_grow_with_participants(cast, campaign, client_for, django_assert_max_num_queries):
    from kiemdiem.reviews.models import Participant
    from kiemdiem.testing import make_member

    collective = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    client = client_for(cast.users["alice"])
    url = reverse("review_detail", args=[collective.pk])
    few = _count(client, url)
    for i in range(10):
        Participant.objects.create(review=collective, member=make_member(cast.C1, f"P-{i}", f"Người {i}"), role="committee_member")
    assert _count(client, url) == few
    with django_assert_max_num_queries(25):
        client.get(url)


def test_my_reviews_queries_do_not_grow_with_rows(cast, campaign, client_for, django_assert_max_num_queries):
    from kiemdiem.reviews.models import Participant

    client = client_for(cast.users["dave"])
    url = reverse("my_reviews")
    few = _count(client, url)
    for year in (2021, 2022, 2023, 2024):
        c = annual(cast, year)
        StageDeadline.objects.create(campaign=c, stage="drafts", due=D(year, 12, 15))
        launch(actor=None, campaign=c)
        Participant.objects.create(review=Review.objects.get(campaign=c, subject_org=cast.C1), member=cast.members["dave"],
                                   role="committee_member")
    many = _count(client, url)
    assert many == few + 0 or many <= few + 1  # the collectives section appears once: at most one prefetch more
    with django_assert_max_num_queries(15):
        client.get(url)
    html = page(client.get(url))
    assert html.count("Kiểm điểm năm 202") >= 5


# --- collective reports --------------------------------------------------------------------

def test_staff_write_a_collective_report(cast, campaign, client_for):
    collective = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    alice = client_for(cast.users["alice"])
    url = reverse("review_edit", args=[collective.pk])
    html = page(alice.get(url))
    assert "1. Thực hiện quy chế làm việc, nguyên tắc tập trung dân chủ" in html and 'name="sec_I_4"' in html
    data = {"base_version": 0, "sec_I": "Tập thể đoàn kết.", "sec_I_1": "a", "sec_I_2": "b", "sec_I_3": "c", "sec_I_4": "d",
            "sec_II": "e", "sec_VI": "f", "crit_tt_chinh_tri": "6", "crit_tt_quy_che": "6", "crit_tt_xay_dung": "5,5",
            "crit_tt_kiem_tra": "5,5", "crit_tt_doan_ket": "5", "self_score_tasks": "62", "proposed_level": "HTTNV",
            "then": "submit"}
    html = page(alice.post(url, data, follow=True))
    assert "Đã nộp báo cáo." in html and "Báo cáo kiểm điểm" in html
    collective.refresh_from_db()
    assert collective.status == Status.SUBMITTED and collective.content["I"] == "<p>Tập thể đoàn kết.</p>"
    # the members of the cell do not write it
    assert client_for(cast.users["dave"]).get(url).status_code == 404


# --- fixes in the services found along the way ---------------------------------------------

def test_an_organisation_does_not_prompt_its_own_collective_review(cast, campaign):
    from django.core.exceptions import ValidationError

    collective = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    with pytest.raises(ValidationError, match="cấp trên"):
        services.prompt_add(actor=None, review=collective, issued_by=cast.C1, text="x")
    assert services.prompt_add(actor=None, review=collective, issued_by=cast.PX, text="x").issued_by == cast.PX


def test_editing_the_shortcomings_keeps_the_rows_a_later_review_follows(cast, review):
    from django.core.exceptions import ValidationError

    r = services.review_save(actor=None, review=review, base_version=0, content={},
                             shortcomings=["Chậm đóng đảng phí", "Ngại phát biểu"])
    first = list(r.shortcomings.values_list("pk", flat=True))
    Review.objects.filter(pk=r.pk).update(status=Status.FINAL)
    later = annual(cast, 2026)
    launch(actor=None, campaign=later)
    assert Review.objects.get(campaign=later, member=cast.members["dave"]).prior_shortcomings.count() == 2
    Review.objects.filter(pk=r.pk).update(status=Status.RETURNED)  # reopened
    r.refresh_from_db()
    r = services.review_save(actor=None, review=r, base_version=r.version, content={},
                             shortcomings=["Chậm đóng đảng phí (đã rõ nguyên nhân)", "Ngại phát biểu"])
    assert list(r.shortcomings.values_list("pk", flat=True)) == first
    with pytest.raises(ValidationError, match="kỳ kiểm điểm sau"):
        services.review_save(actor=None, review=r, base_version=r.version, content={}, shortcomings=["Chỉ còn một"])
    assert r.shortcomings.count() == 2


def test_a_save_on_a_submitted_report_is_refused_even_from_a_stale_object(cast, review):
    from django.core.exceptions import ValidationError

    stale = Review.objects.get(pk=review.pk)
    Review.objects.filter(pk=review.pk).update(status=Status.SUBMITTED)  # submitted elsewhere; version unchanged
    with pytest.raises(ValidationError, match="không thể sửa"):
        services.review_save(actor=None, review=stale, base_version=stale.version, content={"II": "<p>x</p>"})
    assert not ReviewVersion.objects.filter(review=review).exists()


def test_saving_from_the_editor_with_htmx_stays_on_the_page(cast, review, client_for):
    """"Lưu" through htmx: 200 with a status line and the new version for the next save (an
    out-of-band swap of the hidden field); a conflict or an error returns the whole editor to
    swap in for the page's main element, the user's text in its fields; nothing half-saved."""
    url = reverse("review_edit", args=[review.pk])
    phone, laptop = client_for(cast.users["dave"]), client_for(cast.users["alice"])
    hx = {"HTTP_HX_REQUEST": "true"}
    assert 'hx-post="%s"' % url in page(phone.get(url))

    resp = phone.post(url, editor_data(review, sec_II="Lần một.", then="save"), **hx)
    body = page(resp)
    assert resp.status_code == 200 and "Đã lưu lúc" in body and "(phiên bản 1)" in body
    assert 'name="base_version" value="1" id="id_base_version" hx-swap-oob="true"' in body
    assert "<html" not in body and "HX-Retarget" not in resp
    resp = phone.post(url, editor_data(review, sec_II="Lần hai.", then="save", base_version=1), **hx)
    assert "(phiên bản 2)" in page(resp)
    review.refresh_from_db()
    assert review.version == 2 and review.content["II"] == "<p>Lần hai.</p>"

    # another session still on version 0: refused, its text kept and shown with the saved one
    resp = laptop.post(url, editor_data(review, sec_II="Bản khác.", then="save", base_version=0), **hx)
    html = page(resp)
    assert resp.status_code == 200 and 'id="conflict"' in html and "Bản khác.</textarea>" in html
    assert (resp["HX-Retarget"], resp["HX-Reswap"], resp["HX-Reselect"]) == ("main", "outerHTML", "main")
    # a score out of range: the error, in Vietnamese, nothing saved
    resp = phone.post(url, editor_data(review, sec_II="Lần ba.", then="save", base_version=2, crit_chinh_tri="31"), **hx)
    assert resp["HX-Retarget"] == "main" and "Điểm tối đa là 6" in page(resp)
    review.refresh_from_db()
    assert review.version == 2 and review.content["II"] == "<p>Lần hai.</p>"

    # with a prompt to answer (section IV), the htmx save reads and saves it too
    prompt = services.prompt_add(actor=None, review=review, issued_by=cast.QA, text="Làm rõ việc vắng họp")
    assert f'name="prompt_{prompt.pk}"' in page(phone.get(url))
    resp = phone.post(url, editor_data(review, then="save", base_version=2, **{f"prompt_{prompt.pk}": "Do ốm"}), **hx)
    assert "(phiên bản 3)" in page(resp)
    prompt.refresh_from_db()
    assert prompt.answer == "Do ốm"


def test_an_htmx_save_that_cannot_save_says_so_in_the_status_line(cast, review, client_for, client):
    """No redirect for htmx to follow into the status line: a report no longer editable, or a
    session that has expired, gives a message there (the text stays in the editor)."""
    url = reverse("review_edit", args=[review.pk])
    hx = {"HTTP_HX_REQUEST": "true"}
    resp = client.post(url, editor_data(review, then="save"), **hx)  # not logged in (expired)
    assert resp.status_code == 200 and "Phiên đăng nhập đã hết hạn" in page(resp) and "<html" not in page(resp)
    assert client.post(url, editor_data(review, then="save")).status_code == 302  # without htmx: the login page
    phone = client_for(cast.users["dave"])
    services.review_save(actor=cast.users["dave"], review=review, base_version=0, content={"II": "<p>x</p>"})
    review.refresh_from_db()
    Review.objects.filter(pk=review.pk).update(status="submitted")
    resp = phone.post(url, editor_data(review, then="save"), **hx)
    assert resp.status_code == 200 and "không thể sửa" in page(resp) and "HX-Retarget" not in resp
    review.refresh_from_db()
    assert review.version == 1
