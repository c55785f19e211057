import datetime

import pytest
from django.core.exceptions import ValidationError

from kiemdiem.core.models import Notification
from kiemdiem.remediation import reminders, selectors, services
from kiemdiem.remediation.choices import ItemState
from kiemdiem.remediation.models import RemediationItem
from kiemdiem.reviews import services as review_services
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import PriorShortcoming, Review
from kiemdiem.reviews.tests.test_launch import annual
from kiemdiem.reviews.tests.test_workflow import fill

D = datetime.date


def finalise(cast, year, shortcomings):
    campaign = annual(cast, year)
    launch(actor=cast.admin, campaign=campaign)
    review = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    dave = cast.users["dave"]
    review = fill(review, dave, shortcomings=shortcomings)
    for prior in review.prior_shortcomings.all():
        review = fill(review, dave, priors={prior.pk: ("in_progress", "Đang khắc phục")})
    review = review_services.review_submit(actor=dave, review=review)
    review = review_services.review_accept(actor=cast.alice, review=review)
    return review_services.review_finalise(actor=cast.alice, review=review)


def test_final_report_creates_items_and_the_state_machine_has_gates(cast):
    review = finalise(cast, 2024, ["Chậm đóng đảng phí", "Ngại phát biểu trong sinh hoạt chi bộ"])
    items = list(RemediationItem.objects.filter(review=review))
    assert [i.text for i in items] == ["Chậm đóng đảng phí", "Ngại phát biểu trong sinh hoạt chi bộ"]
    assert all(i.member == cast.members["dave"] and i.state == ItemState.NEW for i in items)
    item = items[0]
    # no action starts without a plan
    from kiemdiem.remediation.models import RemediationAction

    orphan = RemediationAction(item=item, what="x", who="y", deadline=D(2025, 3, 1))
    with pytest.raises(ValidationError, match="Chưa có kế hoạch"):
        services.action_start(actor=None, action=orphan)
    action = services.action_add(actor=cast.users["dave"], item=item, what="Đóng đủ đảng phí hằng tháng", who="Trần Văn Đức",
                                 deadline=D(2025, 3, 1), expected_evidence="Sổ thu đảng phí")
    item.refresh_from_db()
    assert item.state == ItemState.PLANNED
    services.action_start(actor=None, action=action)
    with pytest.raises(ValidationError, match="minh chứng"):
        services.action_complete(actor=None, action=action)
    services.action_complete(actor=None, action=action, link="https://example.org/so-dang-phi")
    item.refresh_from_db()
    assert item.state == ItemState.DONE
    with pytest.raises(ValidationError, match="nhận xét"):
        services.item_verify(actor=cast.grace, item=item, effective=True, note="")
    services.item_verify(actor=cast.grace, item=item, effective=False, note="Vẫn chậm 2 tháng")
    item.refresh_from_db()
    assert item.state == ItemState.REOPENED
    services.action_add(actor=None, item=item, what="Đăng ký trích lương", who="Trần Văn Đức", deadline=D(2025, 6, 1))
    item.refresh_from_db()
    assert item.state == ItemState.PLANNED


def test_open_items_carry_over_and_repeats_are_long_standing(cast):
    first = finalise(cast, 2023, ["Chậm đóng đảng phí nhiều tháng"])
    # 2024: the same shortcoming again (different words), plus a new one
    second = finalise(cast, 2024, ["Còn chậm đóng đảng phí", "Ngại va chạm"])
    repeat = RemediationItem.objects.get(review=second, text="Còn chậm đóng đảng phí")
    assert repeat.long_standing and repeat.repeats.review == first
    assert not RemediationItem.objects.get(review=second, text="Ngại va chạm").long_standing
    # 2025: open items from both earlier years appear in section III
    campaign = annual(cast, 2025)
    launch(actor=cast.admin, campaign=campaign)
    new = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    texts = set(PriorShortcoming.objects.filter(review=new).values_list("source__text", flat=True))
    assert texts == {"Chậm đóng đảng phí nhiều tháng", "Còn chậm đóng đảng phí", "Ngại va chạm"}


def test_reminders_escalation_and_slow_list(cast):
    review = finalise(cast, 2024, ["Chậm đóng đảng phí"])
    item = RemediationItem.objects.get(review=review)
    soon = services.action_add(actor=None, item=item, what="Đóng bù", who="Đức", deadline=D(2025, 3, 8))
    late = services.action_add(actor=None, item=item, what="Cam kết", who="Đức", deadline=D(2025, 1, 10))
    result = reminders.send(root_path=cast.TU.path, today=D(2025, 3, 1))
    assert result["reminded"] == 1 and result["overdue"] == 1
    assert Notification.objects.filter(user=cast.users["dave"], text__contains="Đóng bù").count() == 1
    # escalation reaches the staff of the cell's parent (PX): bob is only a viewer there; nobody
    # has staff on PX, so give grace committee on PX
    from kiemdiem.organisations import services as org_services

    org_services.grant_role(actor=None, user=cast.users["grace"], organisation=cast.PX, role="committee")
    result = reminders.send(root_path=cast.TU.path, today=D(2025, 3, 1))
    assert result["reminded"] == 0  # once a day
    assert Notification.objects.filter(user=cast.users["grace"], text__contains="quá hạn").exists()
    tallies = selectors.progress(cast.TU.path, today=D(2025, 3, 1))
    assert tallies[cast.QA.pk]["overdue"] == 1 and tallies[cast.QA.pk]["total"] == 1
    assert list(selectors.slow_to_fix(cast.TU.path, today=D(2025, 3, 1))) == [item]
    assert soon.item == late.item
