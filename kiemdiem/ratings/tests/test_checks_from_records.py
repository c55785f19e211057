"""Every QĐ 366 check fires from records kept in the system, through the normal flow: the
records are made by their services (discipline, conclusions, the task register, declarations,
confidence votes, stored ratings), then the calibration API names the highest level allowed
with the check's reason, and deciding above it is refused with 422, reason or not."""
import datetime
from decimal import Decimal

import pytest

from kiemdiem.discipline.services import conclusion_record, discipline_record
from kiemdiem.organisations import services as org_services
from kiemdiem.organisations.choices import PositionRole
from kiemdiem.performance import services as perf
from kiemdiem.ratings import services
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import PriorShortcoming, Review, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual

from .test_api import Api

D = datetime.date
ABOVE = {"HTTNV": "HTXSNV", "HTNV": "HTTNV", "KHTNV": "HTNV"}


def _task(cast, status, member=None, organisation=None, n=1, beyond=False):
    for i in range(n):
        perf.task_create(actor=cast.alice, title=f"Nhiệm vụ {status} {i}", deadline=D(2025, 6, 30), member=member,
                         organisation=organisation, assigned_by="Chi bộ", status=status,
                         completed_on=None if status in ("pending", "not_done") else D(2025, 6, 30 if status != "late" else 30),
                         evidence="Báo cáo kết quả")


def _conclusion(cast, kind, member=None, organisation=None, **kw):
    conclusion_record(actor=cast.alice, kind=kind, body=cast.QA, number="12-KL/UBKT", concluded_on=D(2025, 9, 1),
                      member=member, organisation=organisation, summary="Kết luận kiểm tra", **kw)


def _discipline(cast, member=None, organisation=None, body=None):
    discipline_record(actor=None, member=member, organisation=organisation, form="reprimand", deciding_body=body or cast.PX,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))


def _decide(cast, campaign, body, decisions):
    return Api(cast.grace).call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": body.pk, "decisions": [
        {"review_id": pk, "level": level, "reason": reason} for pk, level, reason in decisions]})


def _members_of(campaign, org):
    return list(Review.objects.filter(campaign=campaign, member__isnull=False, leadership="", org_path__startswith=org.path))


def _late_task(cast, member):
    perf.task_create(actor=cast.alice, title="Nhiệm vụ chậm", deadline=D(2025, 6, 30), member=member, assigned_by="Chi bộ",
                     status="late", completed_on=D(2025, 7, 15), evidence="Báo cáo")


# each case: (records made before the decision, the subject, its deciding body, the cap, the check's code)
def case_score(cast, campaign):
    Review.objects.filter(campaign=campaign, member=cast.members["dave"]).update(self_score_common=20, self_score_tasks=40)
    return "dave", "PX", "HTNV", "score"


def case_excellent_tasks(cast, campaign):
    _task(cast, "on_time", member=cast.members["dave"], n=3)
    return "dave", "PX", "HTTNV", "excellent_tasks"


def case_good_tasks(cast, campaign):
    _task(cast, "beyond", member=cast.members["dave"], n=4)
    _late_task(cast, cast.members["dave"])
    return "dave", "PX", "HTNV", "good_tasks"


def case_done_late(cast, campaign):
    _task(cast, "on_time", member=cast.members["dave"], n=2)
    _late_task(cast, cast.members["dave"])
    return "dave", "PX", "KHTNV", "done_late"


def case_failed_tasks(cast, campaign):
    _task(cast, "on_time", member=cast.members["dave"])
    _task(cast, "not_done", member=cast.members["dave"], n=2)
    return "dave", "PX", "KHTNV", "failed_tasks"


def case_declared_tasks(cast, campaign):
    perf.declaration_set(actor=cast.alice, period_start=D(2025, 1, 1), period_end=D(2025, 12, 31), on_time_pct=100,
                         beyond_pct=10, all_quality_met=True, basis="Báo cáo tổng kết của chi bộ", member=cast.members["dave"])
    return "dave", "PX", "HTTNV", "excellent_tasks"


def case_degraded(cast, campaign):
    _conclusion(cast, "degraded", member=cast.members["dave"])
    return "dave", "PX", "KHTNV", "degraded"


def case_prohibitions(cast, campaign):
    _conclusion(cast, "prohibitions", member=cast.members["dave"])
    return "dave", "PX", "KHTNV", "prohibitions"


def case_disciplined(cast, campaign):
    _discipline(cast, member=cast.members["dave"])
    return "dave", "PX", "KHTNV", "disciplined"


def case_softened_by_recorded_self_fix(cast, campaign):
    _conclusion(cast, "prohibitions", member=cast.members["dave"], self_detected_fixed=True,
                self_fix_evidence="Tự phát hiện sai sót, đã nộp lại khoản thu trước khi kiểm tra",
                self_fix_reference="Biên bản 03-BB/CB ngày 10/8/2025")
    return "dave", "PX", "HTNV", "prohibitions"


def case_low_confidence(cast, campaign):
    perf.confidence_vote_record(actor=cast.alice, member=cast.members["an"], body=cast.PX, held_on=D(2025, 10, 1),
                                total=10, high=2, medium=2, low=6)
    return "an", "PX", "KHTNV", "low_confidence"


def case_corruption_in_remit(cast, campaign):
    _conclusion(cast, "corruption_in_remit", member=cast.members["an"])
    return "an", "PX", "KHTNV", "corruption"


def case_area_tasks(cast, campaign):
    _task(cast, "on_time", organisation=cast.C1)
    _task(cast, "not_done", organisation=cast.C1, n=2)
    return "an", "PX", "KHTNV", "area_tasks"


def case_units_failing(cast, campaign):
    # Cường heads the ward's committee; the one unit under it decided so far (C1) failed
    members = _members_of(campaign, cast.C1)
    assert _decide(cast, campaign, cast.PX, [(r.pk, "HTTNV", "") for r in members]).status_code == 200
    c1 = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    assert _decide(cast, campaign, cast.PX, [(c1.pk, "KHTNV", "")]).status_code == 200
    return "cuong", "PX", "KHTNV", "units_failing"


def case_collective_member(cast, campaign):
    _discipline(cast, member=cast.members["cuong"], body=cast.QA)  # Cường sits in PX's Ban Chấp hành (its secretary)
    return "PX:bch", "QA", "KHTNV", "collective_member"


def case_leader_disciplined_bars_excellence_of_the_organisation(cast, campaign):
    _discipline(cast, member=cast.members["an"])  # An leads C1 (its secretary): the cell itself is not KHTNV
    return "C1", "PX", "HTTNV", "excellent_collective"


def case_excellent_collective(cast, campaign):
    _discipline(cast, member=cast.members["dung"], body=cast.XY)  # a member of a cell under XY
    return "XY", "QB", "HTTNV", "excellent_collective"


def case_disunity(cast, campaign):
    _conclusion(cast, "disunity", organisation=cast.C1)
    return "C1", "PX", "KHTNV", "disunity"


def case_collective_disciplined(cast, campaign):
    _discipline(cast, organisation=cast.C1)
    return "C1", "PX", "KHTNV", "collective_disciplined"


CASES = [v for k, v in dict(globals()).items() if k.startswith("case_")]


@pytest.fixture
def campaign(cast):
    org_services.position_assign(actor=None, member=cast.members["cuong"], organisation=cast.PX,
                                 role=PositionRole.SECRETARY, start=D(2020, 1, 1))
    c = annual(cast)
    launch(actor=cast.admin, campaign=c)
    Review.objects.filter(campaign=c).update(self_score_common=Decimal(28), self_score_tasks=Decimal(65))
    return c


def _subject_review(cast, campaign, name):
    if name in cast.members:
        return Review.objects.get(campaign=campaign, member=cast.members[name], leadership="")
    org, _sep, leadership = name.partition(":")
    return Review.objects.get(campaign=campaign, subject_org=cast.orgs[org], leadership=leadership)


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[5:] for c in CASES])
def test_each_check_fires_from_records(cast, campaign, case):
    name, body_code, cap, code = case(cast, campaign)
    review, body = _subject_review(cast, campaign, name), cast.orgs[body_code]
    cal = Api(cast.grace if body_code in ("PX", "QA") else cast.carol).call(
        "GET", f"/campaigns/{campaign.pk}/calibration", body_id=body.pk).json()
    row = next(r for r in cal["rows"] if r["review_id"] == review.pk)
    assert row["max_level"] == cap
    assert code in {w["code"] for w in row["warnings"] if w["binding"]}
    assert row["max_level_reasons"]
    # the subordinates first (the order the regulation sets), then the subject above its cap
    decided = set(Rating.objects.filter(stage="decision", cancelled_at__isnull=True).values_list("review_id", flat=True))
    if review.member_id is None:
        below = [r for r in _members_of(campaign, review.subject_org) if r.pk not in decided]
        cells = Review.objects.filter(campaign=campaign, member__isnull=True, leadership="",
                                      org_path__startswith=review.org_path).exclude(org_path=review.org_path)
        for group in (below, [c for c in cells if c.pk not in decided]):
            for r in group:
                from kiemdiem.ratings.facts import deciding_body_id, orgs_for

                b = deciding_body_id(r, orgs_for([r]))
                level = services.assess(r, "KHTNV").cap
                level = "HTTNV" if level == "HTXSNV" else level
                client = Api(cast.grace if cast.orgs["QA"].path in r.org_path else cast.carol)
                resp = client.call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": b, "decisions": [
                    {"review_id": r.pk, "level": level, "reason": ""}]})
                assert resp.status_code == 200, resp.json()
    client = Api(cast.grace if body_code in ("PX", "QA") else cast.carol)
    for who, reason in ((client, ""), (client, "Đồng chí có nhiều đóng góp"), (Api(cast.admin), "Quản trị viên quyết định")):
        resp = who.call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": body.pk, "decisions": [
            {"review_id": review.pk, "level": ABOVE[cap], "reason": reason}]})
        assert resp.status_code == 422, resp.json()
        [refused] = resp.json()["refusals"]
        assert refused["max_level"] == cap and refused["binding"] is True
    resp = client.call("POST", "/calibration/decide", {"campaign_id": campaign.pk, "body_id": body.pk, "decisions": [
        {"review_id": review.pk, "level": cap, "reason": ""}]})
    assert resp.status_code == 200, resp.json()


def test_unfixed_earlier_shortcomings_are_advisory_and_a_reason_overrides_them(cast, campaign):
    review = _subject_review(cast, campaign, "dave")
    earlier = annual(cast, year=2024)
    launch(actor=cast.admin, campaign=earlier)
    source = Shortcoming.objects.create(review=Review.objects.get(campaign=earlier, member=cast.members["dave"]),
                                        text="Chưa chủ động nghiên cứu nghị quyết")
    PriorShortcoming.objects.create(review=review, source=source, state="in_progress", comment="Đang khắc phục")
    cal = Api(cast.grace).call("GET", f"/campaigns/{campaign.pk}/calibration", body_id=cast.PX.pk).json()
    row = next(r for r in cal["rows"] if r["review_id"] == review.pk)
    assert row["max_level"] == "HTXSNV"  # advisory: no cap
    assert [(w["code"], w["binding"]) for w in row["warnings"]] == [("excellent_prior", False)]
    others = [(r.pk, "HTTNV", "") for r in _members_of(campaign, cast.PX) if r.pk != review.pk]
    resp = _decide(cast, campaign, cast.PX, others + [(review.pk, "HTXSNV", "")])
    assert resp.status_code == 422 and resp.json()["refusals"][0]["binding"] is False
    resp = _decide(cast, campaign, cast.PX, others + [(review.pk, "HTXSNV", "Hạn chế đã được khắc phục, chi bộ xác nhận")])
    assert resp.status_code == 400 and "quá nhiều" in resp.json()["detail"]  # the advisory passed; the quota is binding
