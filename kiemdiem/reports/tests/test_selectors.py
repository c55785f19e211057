"""The figures of the statistics page against direct counts on the crafted world
(reports/tests/fixtures.py), and every drill-down list against its figure."""
import datetime

from kiemdiem.campaigns.models import Campaign
from kiemdiem.discipline.models import Discipline
from kiemdiem.ratings.models import Rating
from kiemdiem.remediation.models import RemediationItem
from kiemdiem.reports import selectors
from kiemdiem.reviews.models import Review

from .fixtures import world  # noqa: F401  (the crafted world)


def live(campaign, path, members):
    return Rating.objects.filter(review__campaign=campaign, stage="decision", cancelled_at__isnull=True,
                                 org_path__startswith=path, review__member__isnull=not members)


def test_figures_equal_direct_counts(world):
    data = selectors.statistics_data(world.cur, world.TU)
    assert data["members"]["total"] == live(world.cur, world.TU.path, True).count() == 5
    assert data["members"]["by_level"] == {"HTXSNV": 1, "HTTNV": 2, "HTNV": 1, "KHTNV": 1}
    assert data["organisations"]["by_kind"] == {"cell": {"HTTNV": 2, "HTNV": 1}, "grassroots": {"HTTNV": 1}}
    assert data["cells"] == {"total": 3, "by_level": {"HTTNV": 2, "HTNV": 1}}
    assert data["discipline"] == {"warning": 1, "reprimand": 1}
    assert data["removals"] == {"probationary": 1}
    assert data["remediation"] == {"by_state": {"planned": 1, "in_progress": 1, "verified": 1}, "open": 2, "total": 3,
                                   "overdue": 1}
    assert data["feedback"] == {"superior": {"requested": 1}, "person": {"requested": 1}}
    assert data["study"]["committed"] == 1 and data["study"]["members"] == 5
    stages = {s["stage"]: s["through"] for s in data["stages"]}
    assert stages["meetings"] == Review.objects.filter(campaign=world.cur, status="final").count() == 4
    assert stages["decided"] == 9 and all(s["total"] == 13 for s in data["stages"])
    # year over year: the 2024 campaign of the same kind
    assert data["previous"]["campaign"]["year"] == 2024
    assert data["previous"]["members"]["by_level"] == {"HTNV": 4}
    assert [p["year"] for p in data["trend"]] == [2024, 2025]
    assert data["trend"][1]["by_level"] == data["members"]["by_level"]


def test_children_figures_roll_up_to_direct_counts(world):
    data = selectors.statistics_data(world.cur, world.QA)
    children = {c["name"]: c for c in data["children"]}
    assert set(children) == {"Đảng bộ phường X"}  # the advisory body is not a unit under review
    px = children["Đảng bộ phường X"]
    assert px["members_total"] == live(world.cur, world.PX.path, True).count() == 4
    assert px["members_good"] == 3 and px["members_excellent"] == 1 and px["members_good_pct"] == 75.0
    assert px["orgs_total"] == live(world.cur, world.PX.path, False).count() == 3
    assert px["reviews"] == Review.objects.filter(campaign=world.cur, org_path__startswith=world.PX.path).count()
    assert px["done"] == 4 and not px["complete"]
    assert px["discipline"] == Discipline.objects.filter(org_path__startswith=world.PX.path).count() == 1
    assert px["remediation_open"] == 2
    # one level down: C1 complete, C2 not
    rows = {c["name"]: c for c in selectors.children_figures(world.cur, world.PX)}
    assert rows["Chi bộ khu vực 1"]["complete"] and rows["Chi bộ khu vực 1"]["members_total"] == 3
    assert rows["Chi bộ khu vực 2"]["members_total"] == 1 and rows["Chi bộ khu vực 2"]["members_fail"] == 0
    # the children add up to the parent (PX holds no members itself)
    assert sum(r["members_total"] for r in rows.values()) == px["members_total"]


def test_every_drill_down_count_equals_its_figure(world):
    for root in (world.TU, world.QA, world.PX, world.C1, world.XY):
        data = selectors.statistics_data(world.cur, root)
        for metric in ("members", "organisations"):
            dist = data[metric]
            assert selectors.drill(metric, "", world.cur, root).count() == dist["total"]
            for level, n in dist["by_level"].items():
                assert selectors.drill(metric, level, world.cur, root).count() == n
            for kind, levels in dist["by_kind"].items():
                for level, n in levels.items():
                    assert selectors.drill(metric, level, world.cur, root, kind).count() == n
        for status, n in data["completion"]["by_status"].items():
            assert selectors.drill("reviews", status, world.cur, root).count() == n
        assert selectors.drill("reviews", "done", world.cur, root).count() == data["completion"]["done"]
        for s in data["stages"]:
            assert selectors.drill("stage", s["stage"], world.cur, root).count() == s["through"]
        for form, n in data["discipline"].items():
            assert selectors.drill("discipline", form, world.cur, root).count() == n
        for status, n in data["removals"].items():
            assert selectors.drill("removals", status, world.cur, root).count() == n
        for state, n in data["remediation"]["by_state"].items():
            assert selectors.drill("remediation", state, world.cur, root).count() == n
        assert selectors.drill("remediation", "open", world.cur, root).count() == data["remediation"]["open"]
        assert selectors.drill("remediation", "overdue", world.cur, root).count() == data["remediation"]["overdue"]
        for source, statuses in data["feedback"].items():
            assert selectors.drill("feedback", source, world.cur, root).count() == sum(statuses.values())
        assert selectors.drill("commitments", "", world.cur, root).count() == data["study"]["committed"]


def test_burndown_counts_open_items_month_by_month(world):
    today = datetime.date.today()
    points = selectors.burndown(world.TU.path, today)
    assert len(points) == selectors.BURNDOWN_MONTHS
    assert points[-1]["open"] == RemediationItem.objects.filter(closed_at__isnull=True).count() == 2
    assert points[-1]["opened"] == 3 and points[-1]["closed"] == 1


def test_fingerprint_changes_with_the_data_and_only_then(world):
    before, reviews = selectors.fingerprint(world.cur, world.PX.path)
    assert reviews == Review.objects.filter(campaign=world.cur, org_path__startswith=world.PX.path).count()
    assert selectors.fingerprint(world.cur, world.PX.path)[0] == before
    # a change in another branch does not touch PX's fingerprint
    Review.objects.filter(campaign=world.cur, org_path__startswith=world.XY.path).update(status="submitted")
    assert selectors.fingerprint(world.cur, world.PX.path)[0] == before
    # a bulk status change (no timestamp touched) under PX does
    Review.objects.filter(campaign=world.cur, member=world.cuong).update(status="accepted")
    assert selectors.fingerprint(world.cur, world.PX.path)[0] != before


def test_campaign_choice_and_previous_year(world, cast):
    assert selectors.default_campaign(cast.bob, world.PX) == world.cur
    assert list(selectors.campaigns_for_org(cast.bob, world.PX)) == [world.cur, world.old]
    assert selectors.previous_campaign(world.cur, world.PX) == world.old
    assert selectors.previous_campaign(world.old, world.PX) is None
    # a thematic campaign is not compared with an annual one
    Campaign.objects.filter(pk=world.old.pk).update(kind="thematic")
    assert selectors.previous_campaign(world.cur, world.PX) is None
