"""Quarterly ratings (Kết luận 198-KL/TW): a quarterly campaign holds each person's short
self-rating (Mẫu 05) fed by the task register, capped by it like any rating, decided by the
competent body; the annual decision page shows each subject's quarters."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.performance import services as perf
from kiemdiem.ratings import services
from kiemdiem.reviews import services as review_services
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

from .test_api import Api

D = datetime.date


def quarter(cast, q: int):
    start = D(2025, 3 * q - 2, 1)
    end = D(2025, 3 * q + 1, 1) - datetime.timedelta(days=1) if q < 4 else D(2025, 12, 31)
    c = campaign_services.campaign_create(actor=cast.admin, issuer=cast.TU, title=f"Đánh giá quý {q}/2025", kind="quarterly",
                                          year=2025, quarter=q, period_start=start, period_end=end,
                                          plan_number="KH-Q")
    launch(actor=cast.admin, campaign=c)
    return c


def _write(review, level):
    review_services.review_save(actor=None, review=review, base_version=review.version, content={
        "Q.1": "Hoàn thành các nhiệm vụ được giao trong quý", "Q.2": "Còn chậm một báo cáo", "Q.3": "Bám sát kế hoạch quý tới"},
        proposed_level=level)
    review.refresh_from_db()


def test_a_quarter_holds_each_persons_short_self_rating_fed_by_the_task_register(cast, client_for):
    q1 = quarter(cast, 1)
    reviews = Review.objects.filter(campaign=q1)
    assert not reviews.filter(member__isnull=True).exists()  # no collective reports in a quarter
    assert set(reviews.values_list("form", flat=True)) == {"05"}
    dave = reviews.get(member=cast.members["dave"])
    perf.task_create(actor=cast.alice, title="Báo cáo sơ kết quý I", deadline=D(2025, 3, 20), member=cast.members["dave"],
                     assigned_by="Chi bộ", status="on_time", completed_on=D(2025, 3, 18), evidence="Báo cáo số 3")
    perf.task_create(actor=cast.alice, title="Rà soát hồ sơ đảng viên", deadline=D(2025, 3, 25), member=cast.members["dave"],
                     assigned_by="Chi bộ", status="not_done", evidence="")
    perf.task_create(actor=cast.alice, title="Kiểm tra khu dân cư", deadline=D(2025, 3, 28), member=cast.members["dave"],
                     assigned_by="Chi bộ", status="not_done", evidence="")
    page = client_for(cast.dave).get(reverse("review_edit", args=[dave.pk])).content.decode()
    assert "1. Kết quả thực hiện nhiệm vụ trong quý" in page and "Rà soát hồ sơ đảng viên" in page
    assert 'id="task-register-panel"' in page and "I. Ưu điểm, kết quả đạt được" not in page
    assert 'name="self_score_common"' not in page  # no points in the quarterly form
    # 2 of 3 tasks not done: the register caps the quarter at KHTNV, for the self-proposal too
    _write(dave, "HTTNV")
    assert any("Mức tự đề xuất vượt mức cao nhất" in p and "50%" in p for p in review_services.submit_problems(dave))
    _write(dave, "KHTNV")
    assert review_services.submit_problems(dave) == []
    import io

    from docx import Document

    resp = client_for(cast.dave).get(reverse("review_export_docx", args=[dave.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    assert resp.status_code == 200 and "1. Kết quả thực hiện nhiệm vụ trong quý" in text and "Không hoàn thành nhiệm vụ" in text
    with pytest.raises(services.RatingRefused):
        services.decide(actor=cast.grace, body=cast.PX, decisions=[(dave, "HTNV", "Có lý do")])


def test_the_annual_decision_page_shows_each_subjects_quarters(cast, client_for):
    for q, an_level in ((1, "HTTNV"), (2, "HTNV")):
        c = quarter(cast, q)
        members = list(Review.objects.filter(campaign=c, org_path__startswith=cast.PX.path))
        services.decide(actor=cast.grace, body=cast.PX, campaign=c, decisions=[
            (r, an_level if r.member_id == cast.members["an"].pk else "HTTNV", "") for r in members])
    year = annual(cast)
    launch(actor=cast.admin, campaign=year)
    cal = Api(cast.grace).call("GET", f"/campaigns/{year.pk}/calibration", body_id=cast.PX.pk).json()
    an = next(r for r in cal["rows"] if r["subject"] == "Nguyễn Thị An")
    assert an["quarters"] == {"1": "HTTNV", "2": "HTNV"}
    page = client_for(cast.grace).get(reverse("calibration", args=[year.pk, cast.PX.pk])).content.decode()
    assert "Quý 1: HTTNV · Quý 2: HTNV" in page
    with pytest.raises(ValidationError):  # a quarter's Mẫu 05 is not an annual review
        services.decide(actor=cast.grace, body=cast.PX, campaign=year, decisions=[
            (Review.objects.filter(form="05").first().pk, "HTTNV", "")])
