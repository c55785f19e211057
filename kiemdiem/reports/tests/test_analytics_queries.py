"""Query counts of the analytics pages (rating inflation, self-assessment gap): rendered on the
crafted world of test_analytics, again after many more cells, members, decisions, doubtful
ratings and feedback; the count must not move (grouped queries and subqueries, no query per
unit or per person), and stays under an absolute ceiling."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdiem.organisations.choices import OrgKind
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.testing import make_member, make_org

from .test_analytics import G, H, X, _feedback, _short, world  # noqa: F401  (the crafted world)


def _grow(cast, campaign, cells=6, members=6):
    """More cells under PX: everyone decided (mostly good), each one proposing HTXSNV, some
    good ratings doubtful (final shortcomings), some people with feedback they did not take up."""
    for i in range(cells):
        cell = make_org(f"AQ{i}", f"Chi bộ phân tích {i}", OrgKind.CELL, cast.PX)
        for j in range(members):
            make_member(cell, f"AQ{i}-{j}", f"Đảng viên AQ {i} số {j}")
    launch(actor=cast.admin, campaign=campaign)
    new = list(Review.objects.filter(campaign=campaign, member__code__startswith="AQ").order_by("member__code"))
    assert len(new) == cells * members
    Review.objects.filter(pk__in=[r.pk for r in new]).update(proposed_level=X, self_score_common=29, self_score_tasks=66)
    for k, r in enumerate(new):
        Rating.objects.create(review=r, stage="decision", profile_key=campaign.rules_profile, org_path=r.org_path,
                              level=[X, G, G, H][k % 4], body=cast.PX)
        if k % 3 == 0:
            _short(r, f"Hạn chế AQ {k}")
        if k % 2 == 0:
            _feedback(r, 2)


@pytest.mark.parametrize("page", ["analytics_inflation", "analytics_self_gap"])
def test_analytics_query_count_does_not_grow_with_units_and_people(cast, world, client_for, page,  # noqa: F811
                                                                   django_assert_max_num_queries):
    campaign, reviews = world
    Review.objects.filter(pk=reviews["K3-4"].pk).update(proposed_level=X)
    _short(reviews["K2-0"], "Chậm nộp đảng phí")  # a doubtful good rating
    url = reverse(page, args=[campaign.pk, cast.PX.pk])
    client = client_for(cast.bob)
    client.get(url)  # warm up (session, scope cache)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200
        units = resp.context["result"].units if page == "analytics_inflation" else resp.context["gap"].units
        return len(ctx), len(units), len(resp.context["people"])

    small, units, people = count()
    assert units >= 4 and people >= 1
    _grow(cast, campaign)
    big, more_units, more_people = count()
    assert more_units >= units + 6 and more_people >= people + 8  # the rows really are on the page
    assert big == small
    with django_assert_max_num_queries(15):
        client.get(url)
