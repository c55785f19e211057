"""`kiemdiem check_ratings`: every live rating re-validated; each violation printed with its
reason, exit 1 if any; 0 on ratings made through the services."""
import datetime
import io

import pytest
from django.core.management import call_command

from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import services
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_ratings", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.fixture
def campaign(cast):
    c = annual(cast)
    launch(actor=cast.admin, campaign=c)
    return c


def _px_members(campaign, cast):
    return list(Review.objects.filter(campaign=campaign, member__isnull=False, org_path__startswith=cast.PX.path))


def test_ratings_made_through_the_services_pass(cast, campaign):
    services.decide(actor=cast.grace, body=cast.PX, campaign=campaign,
                    decisions=[(r, "HTTNV", "") for r in _px_members(campaign, cast)])
    code, out = _run("--campaign", str(campaign.pk))
    assert code == 0 and "đều đúng quy định" in out


def test_a_rating_that_breaks_a_binding_rule_is_reported(cast, campaign):
    reviews = _px_members(campaign, cast)
    services.decide(actor=cast.grace, body=cast.PX, campaign=campaign, decisions=[(r, "HTTNV", "") for r in reviews])
    # a discipline recorded after the decision: the stored rating now breaks the rule
    discipline_record(actor=None, member=reviews[0].member, form="warning", deciding_body=cast.PX,
                      decision_number="07-QĐ/ĐU", decided_on=D(2025, 11, 1))
    code, out = _run()
    assert code == 1 and reviews[0].member.full_name in out and "Không hoàn thành nhiệm vụ" in out and "kỷ luật" in out


def test_wrong_body_and_quota_are_reported(cast, campaign):
    reviews = _px_members(campaign, cast)
    for i, r in enumerate(reviews):  # written around the services: the Huyện ủy, and 4 HTXSNV
        Rating.objects.create(review=r, stage="decision", profile_key="qd366-2025", level="HTXSNV", body=cast.QA,
                              org_path=r.org_path)
    code, out = _run("--campaign", str(campaign.pk))
    assert code == 1
    assert "cấp quyết định không đúng thẩm quyền" in out and "quá nhiều" in out
