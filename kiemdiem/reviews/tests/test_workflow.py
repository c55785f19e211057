import datetime

import pytest
from django.core.exceptions import ValidationError

from kiemdiem.core.models import AuditEvent
from kiemdiem.reviews import selectors, services
from kiemdiem.reviews.choices import FixState, Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, ReviewVersion, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date

FULL = {"I.1": "<p>Giữ vững lập trường</p>", "I.2": "<p>Hoàn thành nhiệm vụ</p>", "I.3": "<p>Thực hiện cam kết</p>",
        "II": "<p>Còn chậm</p>", "VI": "<ul><li>Khắc phục</li></ul>"}


@pytest.fixture
def review(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    return Review.objects.get(campaign=campaign, member=cast.members["dave"])


def fill(review, actor, **kw):
    args = dict(content=FULL, self_score_common=27, self_score_tasks=60, proposed_level="HTTNV")
    args.update(kw)
    return services.review_save(actor=actor, review=review, base_version=review.version, **args)


def test_it_sanitises_and_versions(cast, review):
    dave = cast.users["dave"]
    r = fill(review, dave, content={**FULL, "II": '<p onclick="x()">Chậm<script>alert(1)</script></p>'})
    assert r.content["II"] == "<p>Chậm</p>"
    assert r.version == 1
    fill(r, dave, content={**FULL, "II": "<p>Chậm hơn</p>"})
    assert list(ReviewVersion.objects.filter(review=r).values_list("number", flat=True)) == [1, 2]


def test_scores_are_bounded(cast, review):
    with pytest.raises(ValidationError, match="từ 0 đến 30"):
        fill(review, None, self_score_common=31)
    review.refresh_from_db()
    assert review.version == 0


def test_concurrent_save_is_refused_and_the_text_kept(cast, review):
    base = review.version
    services.review_save(actor=cast.users["dave"], review=review, base_version=base, content={"II": "<p>Bản của Đức</p>"})
    with pytest.raises(services.ConflictError) as exc:
        services.review_save(actor=cast.users["alice"], review=review, base_version=base, content={"II": "<p>Bản của Alice</p>"})
    assert "người khác lưu" in str(exc.value)
    review.refresh_from_db()
    assert review.content["II"] == "<p>Bản của Đức</p>"  # the first save stands
    kept = ReviewVersion.objects.get(review=review, conflict=True)
    assert kept.content["II"] == "<p>Bản của Alice</p>"  # and the refused text is not lost


def test_full_workflow_with_prompts_and_section_three(cast, review):
    dave = cast.users["dave"]
    prompt = services.prompt_add(actor=cast.alice, review=review, issued_by=cast.QA, text="Làm rõ việc chậm đóng đảng phí")
    r = fill(review, dave)
    with pytest.raises(ValidationError) as exc:
        services.review_submit(actor=dave, review=r)
    assert any("gợi ý" in m for m in exc.value.messages)
    r = fill(r, dave, prompt_answers={prompt.pk: "Đã đóng đủ từ tháng 6"})
    r = services.review_submit(actor=dave, review=r)
    assert r.status == Status.SUBMITTED and r.submitted_at
    with pytest.raises(ValidationError):
        fill(r, dave)  # locked while submitted
    r = services.review_return(actor=cast.alice, review=r, comment="Bổ sung phần nguyên nhân")
    assert r.status == Status.RETURNED and r.comments.count() == 1
    r = fill(r, dave, shortcomings=["Chậm đóng đảng phí", "Ngại phát biểu"])
    r = services.review_submit(actor=dave, review=r)
    assert r.status == Status.RESUBMITTED
    r = services.review_accept(actor=cast.alice, review=r)
    r = services.review_finalise(actor=cast.alice, review=r)
    assert r.status == Status.FINAL
    with pytest.raises(ValidationError, match="lý do"):
        services.review_reopen(actor=cast.alice, review=r, reason=" ")
    r = services.review_reopen(actor=cast.alice, review=r, reason="Phát hiện sai sót số liệu")
    assert r.status == Status.RETURNED
    assert AuditEvent.objects.filter(action="review.reopen", reason="Phát hiện sai sót số liệu").exists()
    assert list(Shortcoming.objects.filter(review=r).values_list("text", flat=True)) == ["Chậm đóng đảng phí", "Ngại phát biểu"]


def test_section_three_must_be_marked_before_submit(cast, review):
    old_campaign = annual(cast, 2024)
    launch(actor=cast.admin, campaign=old_campaign)
    old = Review.objects.get(campaign=old_campaign, member=cast.members["dave"])
    Shortcoming.objects.create(review=old, text="Chậm đóng đảng phí")
    Review.objects.filter(pk=old.pk).update(status=Status.FINAL)
    launch(actor=cast.admin, campaign=review.campaign)  # picks up the now-final review
    prior = review.prior_shortcomings.get()
    r = fill(review, cast.users["dave"])
    with pytest.raises(ValidationError, match="mục III"):
        services.review_submit(actor=None, review=r)
    r = fill(r, None, priors={prior.pk: (FixState.FIXED, "Đã đóng đủ")})
    assert services.review_submit(actor=None, review=r).status == Status.SUBMITTED


def test_prompt_only_from_a_superior(cast, review):
    with pytest.raises(ValidationError, match="cấp trên"):
        services.prompt_add(actor=None, review=review, issued_by=cast.QB, text="x")


def test_meeting_needs_three_working_days(cast, review):
    # Friday 2025-12-05 -> Tuesday 2025-12-09: Mon, Tue = 2 working days: warn
    warning = services.review_schedule(actor=None, review=review, meeting_date=D(2025, 12, 9), circulated_on=D(2025, 12, 5))
    assert "3 ngày làm việc" in warning
    assert services.review_schedule(actor=None, review=review, meeting_date=D(2025, 12, 10), circulated_on=D(2025, 12, 5)) == ""
    assert services.working_days_between(D(2025, 12, 5), D(2025, 12, 8)) == 1


def test_progress_rolls_up(cast, review):
    campaign = review.campaign
    tallies = selectors.progress(campaign, cast.TU.path)
    total = Review.objects.filter(campaign=campaign).count()
    assert tallies[cast.TU.pk].total == total
    assert tallies[cast.C1.pk].total == 4  # C1's collective review + 3 members
    Review.objects.filter(campaign=campaign, unit=cast.C3).update(status=Status.FINAL)
    tallies = selectors.progress(campaign, cast.TU.path)
    assert tallies[cast.C3.pk].complete and not tallies[cast.C1.pk].complete
    # overdue after the drafts deadline
    from kiemdiem.campaigns.models import StageDeadline

    StageDeadline.objects.create(campaign=campaign, stage="drafts", due=D(2025, 12, 1))
    campaign.refresh_from_db()
    tallies = selectors.progress(campaign, cast.TU.path, today=D(2025, 12, 2))
    assert tallies[cast.C1.pk].overdue == 4 and tallies[cast.C3.pk].overdue == 2


def test_scoping_of_reviews(cast, review):
    from django.http import Http404

    assert selectors.get_review(cast.users["dave"], review.pk) == review
    assert selectors.get_review(cast.users["bob"], review.pk) == review
    with pytest.raises(Http404):
        selectors.get_review(cast.users["carol"], review.pk)
    with pytest.raises(Http404):
        selectors.get_review(cast.users["eve"], review.pk)
