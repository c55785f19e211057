import datetime

import pytest

from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import services as rating_services
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual


@pytest.fixture
def rated(cast):
    """An annual campaign issued by TU over the cast: PX's four members and two cells decided,
    C1's reviews finished, Cường (C2) warned."""
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    members = list(Review.objects.filter(campaign=campaign, member__organisation__path__startswith=cast.PX.path).order_by("member__code"))
    Review.objects.filter(pk__in=[r.pk for r in members]).update(self_score_common=29, self_score_tasks=66)
    for r in members:
        r.refresh_from_db()
    rating_services.decide(actor=cast.grace, body=cast.PX, decisions=[(r, lvl, "") for r, lvl in zip(members, ["HTTNV", "HTTNV", "HTTNV", "HTNV"])])
    cells = [Review.objects.get(campaign=campaign, subject_org=o) for o in (cast.C1, cast.C2)]
    rating_services.decide(actor=cast.grace, body=cast.PX, decisions=[(cells[0], "HTTNV", ""), (cells[1], "HTNV", "")])
    Review.objects.filter(campaign=campaign, org_path__startswith=cast.C1.path).update(status=Status.FINAL)
    discipline_record(actor=None, member=cast.members["cuong"], form="warning", deciding_body=cast.PX,
                      decision_number="7-QĐ/ĐU", decided_on=datetime.date(2025, 4, 1))
    return campaign
