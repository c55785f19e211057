"""The statistics page, its drill-down lists and the API: scoping, links and charts."""
import re

import pytest
from django.urls import reverse

from kiemdiem.core.models import ApiToken
from kiemdiem.ratings.models import Rating
from kiemdiem.reports import charts, selectors
from kiemdiem.reports.models import ReportBuild

from .fixtures import world  # noqa: F401  (the crafted world)


def page_url(org, campaign=None):
    if campaign is None:
        return reverse("report_statistics", args=[org.pk])
    return reverse("report_statistics_campaign", args=[org.pk, campaign.pk])


def test_page_shows_the_figures_and_writes_nothing(world, client_for):
    resp = client_for(world.bob).get(page_url(world.PX))  # default: the latest campaign
    assert resp.status_code == 200
    html = resp.content.decode()
    assert resp.context["campaign"] == world.cur and resp.context["source"] == "live"
    assert "1/2 chi, đảng bộ trực thuộc hoàn thành" in html
    assert "75% đảng viên hoàn thành tốt nhiệm vụ trở lên, trong đó 25% hoàn thành xuất sắc nhiệm vụ." in html
    assert re.search(r'id="members-total">4<', html)
    assert re.search(r'id="remediation-overdue">1<', html)
    assert ReportBuild.objects.count() == 0  # a GET never writes
    # year over year against 2024 and the trend chart
    assert resp.context["yoy"]["campaign"]["year"] == 2024
    assert 'class="chart trend"' in html


def test_charts_have_the_expected_bars(world, client_for):
    html = client_for(world.bob).get(page_url(world.PX, world.cur)).content.decode()
    members_svg = html.split('class="chart levels members-chart"')[1].split("</svg>")[0]
    bars = dict(re.findall(r'<rect class="bar lv-\d" [^>]*data-key="(\w+)" data-value="(\d+)"', members_svg))
    assert bars == {"HTXSNV": "1", "HTTNV": "2", "HTNV": "1", "KHTNV": "0"}
    widths = {key: float(w) for w, key in re.findall(r'width="([\d.]+)" height="[\d.]+" fill="[^"]+" data-key="(\w+)"',
                                                      members_svg)}
    assert float(widths["HTTNV"]) == pytest.approx(2 * float(widths["HTXSNV"]))
    assert float(widths["KHTNV"]) == 0
    # each bar drills down to the people behind it
    link = re.search(r'<a href="([^"]+)"><rect class="bar lv-\d" [^>]*data-key="HTTNV"', members_svg).group(1)
    assert "key=HTTNV" in link
    progress_svg = html.split('class="chart progress-chart"')[1].split("</svg>")[0]
    assert re.search(r'data-key="meetings" data-value="4"', progress_svg)
    burndown_svg = html.split('class="chart burndown"')[1].split("</svg>")[0]
    assert len(re.findall(r'<rect class="bar open"', burndown_svg)) == selectors.BURNDOWN_MONTHS
    assert "<polyline" in burndown_svg
    # nothing the CSP blocks: no inline style or script anywhere on the page
    assert "style=" not in html.split("<main")[1] and "<script" not in html.split("<main")[1]


def test_chart_geometry():
    levels = [{"code": "A", "name": "A"}, {"code": "B", "name": "B"}]
    chart = charts.level_bars({"total": 4, "by_level": {"A": 1, "B": 3}}, levels)
    a, b = chart.bars
    assert (a.value, b.value) == (1, 3) and b.w == pytest.approx(3 * a.w, abs=0.2)
    assert a.text == "1 (25%)" and (a.cls, b.cls) == ("bar lv-0", "bar lv-5")  # best green, lowest red
    trend = charts.trend_bars([{"year": 2024, "total": 2, "by_level": {"A": 2}, "ranks": {"A": 2, "B": 1}, "campaign_id": 1}])
    assert [bar.key for bar in trend.bars] == ["2024-A"] and trend.bars[0].h == 180


def test_drill_down_lists_match_the_figures(world, client_for):
    client = client_for(world.bob)
    page = client.get(page_url(world.PX, world.cur))
    ctx = page.context
    for row in ctx["members_rows"]:
        resp = client.get(row["href"])
        assert resp.status_code == 200
        assert resp.context["page"].paginator.count == row["n"]
    resp = client.get(ctx["members_rows"][1]["href"])  # HTTNV
    names = {r.review.member.full_name for r in resp.context["page"]}
    assert names == {"Nguyễn Thị An", "Lê Văn Bình"}
    assert "Hoàn thành tốt nhiệm vụ" in resp.content.decode()
    for row in ctx["discipline_rows"] + ctx["remediation_rows"] + ctx["removal_rows"] + ctx["status_rows"]:
        assert client.get(row["href"]).context["page"].paginator.count == row["n"]
    assert client.get(ctx["remediation_overdue_href"]).context["page"].paginator.count == 1
    for row in ctx["feedback_rows"]:
        assert client.get(row["href"]).context["page"].paginator.count == row["total"]


def test_children_drill_to_the_same_page_for_the_child(world, client_for):
    client = client_for(world.alice)
    ctx = client.get(page_url(world.QA, world.cur)).context
    (px,) = ctx["children"]
    assert px["href"] == page_url(world.PX, world.cur)
    child = client.get(px["href"])
    assert child.status_code == 200 and child.context["org"] == world.PX
    assert child.context["data"]["members"]["total"] == px["members_total"] == 4
    rows = {c["name"]: c for c in child.context["children"]}
    c1 = rows["Chi bộ khu vực 1"]
    listed = client.get(c1["list_base"] + "members/")
    assert listed.context["page"].paginator.count == c1["members_total"] == 3


def test_scoping(world, client_for):
    url = page_url(world.PX, world.cur)
    assert client_for(world.eve).get(url).status_code == 404  # outsider
    assert client_for(world.carol).get(url).status_code == 404  # other branch
    assert client_for(world.dave).get(url).status_code == 404  # a member without a grant
    assert client_for(world.bob).get(page_url(world.QA, world.cur)).status_code == 404  # above bob's grant
    # lists are scoped to the organisation asked for: carol's XY list has Dũng only
    resp = client_for(world.carol).get(reverse("report_list", args=[world.XY.pk, world.cur.pk, "members"]))
    assert [r.review.member.full_name for r in resp.context["page"]] == ["Hoàng Văn Dũng"]
    assert client_for(world.carol).get(reverse("report_list", args=[world.PX.pk, world.cur.pk, "members"])).status_code == 404
    assert client_for(world.bob).get(reverse("report_list", args=[world.PX.pk, world.cur.pk, "nonsense"])).status_code == 404
    # a campaign that does not reach the organisation: 404
    from kiemdiem.reviews.tests.test_launch import annual

    other = annual(world, 2025, issuer=world.XY)
    assert client_for(world.admin).get(page_url(world.PX, other)).status_code == 404


def test_navigation_entry_only_with_a_grant(world, client_for):
    assert 'id="nav-reports"' in client_for(world.bob).get(reverse("org_tree")).content.decode()
    assert 'id="nav-reports"' not in client_for(world.dave).get(reverse("my_reviews")).content.decode()
    home = client_for(world.bob).get(reverse("reports_home"))
    assert home.status_code == 302 and home.url == page_url(world.PX)


def test_api_statistics(world):
    _t, key = ApiToken.issue(world.bob)
    from django.test import Client

    client = Client()
    resp = client.get(f"/api/v1/organisations/{world.PX.pk}/statistics", {"campaign_id": world.cur.pk},
                      headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200
    body = resp.json()
    direct = Rating.objects.filter(review__campaign=world.cur, stage="decision", cancelled_at__isnull=True,
                                   org_path__startswith=world.PX.path, review__member__isnull=False).count()
    assert body["members"]["total"] == direct == 4
    assert body["previous"]["campaign"]["year"] == 2024 and body["source"] == "live"
    _t, eve_key = ApiToken.issue(world.eve)
    assert client.get(f"/api/v1/organisations/{world.PX.pk}/statistics",
                      headers={"Authorization": f"Bearer {eve_key}"}).status_code == 404


def test_children_table_is_paged(world, client_for, monkeypatch):
    from kiemdiem.reports import views

    monkeypatch.setattr(views, "CHILDREN_PER_PAGE", 1)
    client = client_for(world.bob)
    first = client.get(page_url(world.PX, world.cur))
    assert [c["name"] for c in first.context["children"]] == ["Chi bộ khu vực 1"]
    assert f'href="{page_url(world.PX, world.cur)}?cpage=2#children"' in first.content.decode()
    second = client.get(page_url(world.PX, world.cur), {"cpage": 2})
    assert [c["name"] for c in second.context["children"]] == ["Chi bộ khu vực 2"]
