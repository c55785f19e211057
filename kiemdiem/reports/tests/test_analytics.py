"""Rating inflation and self-assessment gap on crafted data (issue 7, analytics)."""
import datetime

import pytest
from django.urls import reverse

from kiemdiem.discipline.services import discipline_record
from kiemdiem.feedback.models import AnonymousResponse, FeedbackPoint
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.ratings.models import Rating
from kiemdiem.remediation.models import RemediationItem
from kiemdiem.reports import analytics
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual
from kiemdiem.testing import make_member, make_org

D = datetime.date
X, G, H, K = "HTXSNV", "HTTNV", "HTNV", "KHTNV"

# cell -> decided level of each member (in member-code order)
LEVELS = {
    "K1": [X, G, G, G, G],  # 100% good or better: far above its siblings
    "K2": [G, G, H, H, H],  # 40%, but both good ratings are doubtful (shortcomings, discipline)
    "K3": [G, G, H, H, K],  # 40%
    "K4": [G, G, G, H, H],  # 60%, one doubtful good rating (an open remediation item)
}


@pytest.fixture
def world(cast):
    for code in LEVELS:
        cast.orgs[code] = make_org(code, f"Chi bộ {code}", OrgKind.CELL, cast.PX)
        for i in range(len(LEVELS[code])):
            cast.members[f"{code}-{i}"] = make_member(cast.orgs[code], f"{code}-{i}", f"Đảng viên {code} số {i}")
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    reviews = {}
    for key, member in cast.members.items():
        review = Review.objects.filter(campaign=campaign, member=member).first()
        if review:
            reviews[key] = review
    levels = {f"{code}-{i}": lvl for code, lvls in LEVELS.items() for i, lvl in enumerate(lvls)}
    levels.update({"dave": H, "an": G, "binh": H, "cuong": X, "dung": X})  # C1 1/3; C2 too small; C3 other branch
    for key, lvl in levels.items():
        r = reviews[key]
        Rating.objects.create(review=r, stage="decision", profile_key=campaign.rules_profile, level=lvl, org_path=r.org_path,
                              body=cast.PX)
    return campaign, reviews


def _short(review, text, final=True):
    if final:
        Review.objects.filter(pk=review.pk).update(status=Status.FINAL)
    return Shortcoming.objects.create(review=review, text=text)


def test_rating_inflation_flags_units_above_peers_and_above_their_shortcomings(cast, world):
    campaign, reviews = world
    # K2: both good ratings doubtful — one final report records two shortcomings, one discipline in the period
    _short(reviews["K2-0"], "Chưa gương mẫu")
    _short(reviews["K2-0"], "Vắng sinh hoạt")
    discipline_record(actor=None, member=cast.members["K2-1"], form="reprimand", deciding_body=cast.PX,
                      decision_number="3-QĐ/ĐU", decided_on=D(2025, 5, 1))
    # not counted: discipline before the period; a shortcoming in a report not yet final; a discipline of a member rated HTNV
    discipline_record(actor=None, member=cast.members["K3-0"], form="reprimand", deciding_body=cast.PX,
                      decision_number="4-QĐ/ĐU", decided_on=D(2024, 5, 1))
    _short(reviews["K3-1"], "Chưa sâu sát", final=False)
    discipline_record(actor=None, member=cast.members["K3-2"], form="warning", deciding_body=cast.PX,
                      decision_number="5-QĐ/ĐU", decided_on=D(2025, 6, 1))
    # K4: one open remediation item (a single doubtful rating is not "many")
    sc = Shortcoming.objects.create(review=reviews["K4-0"], text="Chậm nộp đảng phí")
    RemediationItem.objects.create(member=cast.members["K4-0"], shortcoming=sc, review=reviews["K4-0"],
                                   org_path=reviews["K4-0"].org_path, text=sc.text, state="in_progress")

    result = analytics.rating_inflation(campaign, cast.PX)
    units = {u.unit.code: u for u in result.units}
    assert set(units) == {"K1", "K2", "K3", "K4", "C1", "C2"}
    assert {u.unit.code for u in result.flagged} == {"K1", "K2"}
    k1 = units["K1"]
    assert (k1.rated, k1.good, k1.excellent, k1.share_percent, k1.excellent_percent) == (5, 5, 1, 100.0, 20.0)
    # peers of K1: K2 .4, K3 .4, K4 .6, C1 1/3 (C2 has one rated member: not compared)
    assert k1.peers == 4 and k1.peer_percent == 43.3
    assert k1.z == pytest.approx(5.67, abs=0.01) and k1.above_peers and not k1.above_shortcomings
    assert units["K4"].z == pytest.approx(0.25, abs=0.01) and not units["K4"].flagged
    assert units["C2"].z is None and units["C2"].peers == 0
    k2 = units["K2"]
    assert (k2.good, k2.doubtful, k2.doubtful_percent) == (2, 2, 100.0) and k2.above_shortcomings and not k2.above_peers
    assert units["K4"].doubtful == 1 and units["K3"].doubtful == 0
    people = {(p.member_name, p.shortcomings, p.open_items, p.disciplines) for p in result.people}
    assert people == {("Đảng viên K2 số 0", 2, 0, 0), ("Đảng viên K2 số 1", 0, 0, 1), ("Đảng viên K4 số 0", 0, 1, 0)}
    assert result.people[0].member_name == "Đảng viên K2 số 1"  # discipline first

    # thresholds are configurable: a stricter z keeps K1 only above 5.7 → not flagged
    strict = analytics.rating_inflation(campaign, cast.PX, analytics.Thresholds(z=6, doubtful_min=3))
    assert strict.flagged == []
    # another subtree sees only its own units
    assert [u.unit.code for u in analytics.rating_inflation(campaign, cast.XY).units] == ["C3"]


def _feedback(review, n):
    anon = AnonymousResponse.objects.create(review=review, group="workplace_cell", received_on=D(2025, 11, 1))
    for i in range(n):
        FeedbackPoint.objects.create(anonymous=anon, review=review, kind="shortcoming", text=f"Hạn chế {i}")
    FeedbackPoint.objects.create(anonymous=anon, review=review, kind="strength", text="Nhiệt tình")


def test_self_assessment_gap_per_person_and_unit(cast, world):
    campaign, reviews = world

    def propose(key, level, common=None, tasks=None):
        Review.objects.filter(pk=reviews[key].pk).update(proposed_level=level, self_score_common=common, self_score_tasks=tasks)

    propose("K3-4", X, 28, 65)  # proposed excellent, decided KHTNV: gap 3
    propose("K3-2", G, 25, 50)  # gap 1 (HTTNV vs HTNV)
    propose("K2-2", X, 27, 60)  # gap 2
    propose("K1-0", X, 29, 66)  # proposed what was decided: gap 0
    propose("K4-3", K, 10, 30)  # proposed lower than decided: -1
    _feedback(reviews["K1-1"], 3)  # feedback raised 3 shortcomings, own report records 1: 2 unacknowledged
    _short(reviews["K1-1"], "Chưa chủ động", final=False)
    _feedback(reviews["K2-2"], 1)

    gap = analytics.self_assessment_gap(campaign, cast.PX)
    rows = [(p.name, p.proposed, p.decided, p.level_gap, p.unacknowledged) for p in gap.people]
    assert rows == [
        ("Đảng viên K3 số 4", X, K, 3, 0),
        ("Đảng viên K2 số 2", X, H, 2, 1),
        ("Đảng viên K3 số 2", G, H, 1, 0),
        ("Đảng viên K1 số 1", "", G, None, 2),
    ]
    assert gap.people[0].self_score == 93
    k3 = next(u for u in gap.units if u.unit.code == "K3")
    assert (k3.rated, k3.proposed, k3.overrated, k3.underrated, k3.gap_sum, k3.mean_gap) == (5, 2, 2, 0, 4, 2.0)
    assert k3.overrated_percent == 100.0
    k1 = next(u for u in gap.units if u.unit.code == "K1")
    assert (k1.proposed, k1.gap_sum, k1.feedback_shortcomings, k1.own_shortcomings, k1.unacknowledged) == (1, 0, 3, 1, 2)
    k4 = next(u for u in gap.units if u.unit.code == "K4")
    assert (k4.overrated, k4.underrated, k4.mean_gap) == (0, 1, -1.0)
    # largest mean gap first (K2 and K3 both 2.0: K2's unacknowledged feedback breaks the tie)
    assert [u.unit.code for u in gap.units[:2]] == ["K2", "K3"]
    assert {u.unit.code for u in analytics.self_assessment_gap(campaign, cast.XY).units} == {"C3"}


def test_pages_scoped_and_show_flags(cast, world, client_for):
    campaign, reviews = world
    Review.objects.filter(pk=reviews["K3-4"].pk).update(proposed_level=X)
    inflation = reverse("analytics_inflation", args=[campaign.pk, cast.PX.pk])
    gap = reverse("analytics_self_gap", args=[campaign.pk, cast.PX.pk])
    resp = client_for(cast.bob).get(inflation)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'data-flagged="K1"' in body and 'data-flagged="K3"' not in body
    resp = client_for(cast.bob).get(inflation + "?z=9")
    assert 'data-flagged="K1"' not in resp.content.decode()
    resp = client_for(cast.bob).get(inflation + "?z=abc")
    assert resp.status_code == 200 and "Ngưỡng không hợp lệ" in resp.content.decode()
    resp = client_for(cast.bob).get(gap)
    assert resp.status_code == 200 and "Đảng viên K3 số 4" in resp.content.decode()
    assert client_for(cast.eve).get(gap).status_code == 404
    assert client_for(cast.carol).get(inflation).status_code == 404
