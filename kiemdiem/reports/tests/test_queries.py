"""Query counts of the statistics page and its drill-down lists: a fixed set of grouped
aggregates, whatever the size of the subtree (no query per child unit or per person). The
issuer's page also reads the cache fingerprint (a dozen count/max aggregates), hence the two
ceilings."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .fixtures import world  # noqa: F401  (the crafted world)
from .test_views import page_url


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp


def test_statistics_page_and_lists_have_bounded_queries(world, client_for):
    client = client_for(world.admin)
    _count(client, page_url(world.PX, world.cur))  # warm the session and the scope cache
    commune, _ = _count(client, page_url(world.PX, world.cur))
    tree, resp = _count(client, page_url(world.TU, world.cur))
    assert commune <= 45
    assert tree <= 60
    href = resp.context["members_rows"][1]["href"]  # everyone rated HTTNV in the tree
    listed, lresp = _count(client, href)
    assert lresp.context["page"].paginator.count >= 2
    assert listed <= 25
