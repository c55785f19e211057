"""API answers without 5xx (issue 15.5): a collective review with its participants, a year past
what a date holds, a NUL byte in a search, page numbers past a database offset."""
import datetime

import pytest

from kiemdiem.organisations import services as org_services
from kiemdiem.organisations.choices import PositionRole
from kiemdiem.ratings.tests.test_api import Api
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual


@pytest.fixture
def api(cast):
    return Api(cast.admin)


def test_a_collective_review_with_participants_reads(cast, api):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    review = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    assert review.participants.exists()  # An, the cell's secretary
    resp = api.call("GET", f"/reviews/{review.pk}")
    assert resp.status_code == 200
    assert {p["role"] for p in resp.json()["participants"]} == {str(PositionRole.SECRETARY.label)}


@pytest.mark.parametrize("path,query", [
    ("/organisations/{px}/removal", {"year": "274877906945"}),
    ("/organisations/{px}/removal", {"year": "0"}),
    ("/organisations/{px}/members", {"q": "a\x00b"}),
    ("/organisations/{px}/members", {"q": "a\x1fb"}),
    ("/organisations/{px}/members", {"page": str(2**63)}),
    ("/organisations/{px}/members", {"page_size": str(2**63)}),
    ("/campaigns/{campaign}/analysis/flags", {"offset": str(2**63)}),
    ("/campaigns/{campaign}/analysis/flags", {"limit": "-1"}),
])
def test_out_of_range_or_control_characters_are_refused_with_422(cast, api, path, query):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    resp = api.call("GET", path.format(px=cast.PX.pk, campaign=campaign.pk), **query)
    assert resp.status_code == 422, resp.content


def test_the_bounded_values_still_work(cast, api):
    assert api.call("GET", f"/organisations/{cast.PX.pk}/members", q="An", page="1").status_code == 200
    assert api.call("GET", f"/organisations/{cast.PX.pk}/removal", year=str(datetime.date.today().year)).status_code == 200
