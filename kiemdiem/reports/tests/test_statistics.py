import datetime

from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import services as rating_services
from kiemdiem.ratings.models import Rating
from kiemdiem.reports import statistics
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date


def test_summary_numbers_match_direct_counts(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    members = list(Review.objects.filter(campaign=campaign, member__organisation__path__startswith=cast.PX.path).order_by("member__code"))
    Review.objects.filter(pk__in=[r.pk for r in members]).update(self_score_common=29, self_score_tasks=66)
    for r in members:
        r.refresh_from_db()
    levels = ["HTTNV", "HTTNV", "HTTNV", "HTNV"]
    rating_services.decide(actor=cast.grace, body=cast.PX, decisions=[(r, lvl, "") for r, lvl in zip(members, levels)])
    cells = [Review.objects.get(campaign=campaign, subject_org=o) for o in (cast.C1, cast.C2)]
    rating_services.decide(actor=cast.grace, body=cast.PX, decisions=[(cells[0], "HTTNV", ""), (cells[1], "HTNV", "")])
    Review.objects.filter(campaign=campaign, org_path__startswith=cast.C1.path).update(status=Status.FINAL)
    discipline_record(actor=None, member=cast.members["cuong"], form="warning", deciding_body=cast.PX,
                      decision_number="7-QĐ/ĐU", decided_on=D(2025, 4, 1))

    data = statistics.summary(campaign, cast.PX)
    direct = Rating.objects.filter(stage="decision", cancelled_at__isnull=True, review__member__isnull=False).count()
    assert data["members"].total == direct == 4
    assert data["members"].by_level == {"HTTNV": 3, "HTNV": 1}
    assert data["cells"].total == 2 and data["cells"].percent("HTTNV") == 50.0
    assert data["completion"]["children"] == 2 and data["completion"]["children_complete"] == 1
    assert data["discipline"] == {"warning": 1}
    text = statistics.sentences(data)
    assert text[0] == "1/2 chi, đảng bộ trực thuộc hoàn thành việc kiểm điểm."
    assert "75% đảng viên hoàn thành tốt nhiệm vụ trở lên, trong đó 0% hoàn thành xuất sắc nhiệm vụ." in text
    assert "Thi hành kỷ luật 1 đảng viên, trong đó khai trừ 0 trường hợp." in text
    assert "Có 0% chi bộ hoàn thành xuất sắc nhiệm vụ, 50% hoàn thành tốt nhiệm vụ, không có chi bộ không hoàn thành nhiệm vụ." in text
    assert not any("học tập" in t for t in text)  # no study data: no sentence about it
