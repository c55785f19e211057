"""Query count of the appraisal (thẩm định) page: rendered on the cast, again after many more
members and cells under the deciding body, with unit proposals, earlier appraisals and
disciplines (warnings from the rules profile); the count must not move (no query per proposal),
and stays under an absolute ceiling."""
import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdiem.discipline.services import discipline_record
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.testing import make_member, make_org

from .test_appraisal import world  # noqa: F401  (annual campaign launched over the cast)

D = datetime.date


def _grow(cast, campaign, cells=5, members=6):
    for i in range(cells):
        cell = make_org(f"TQ{i}", f"Chi bộ thẩm định {i}", OrgKind.CELL, cast.PX)
        for j in range(members):
            make_member(cell, f"TQ{i}-{j}", f"Đảng viên thẩm định {i} {j}")
    for j in range(10):
        make_member(cast.C1, f"TQC-{j}", f"Đảng viên C1 thêm {j}")
    launch(actor=cast.admin, campaign=campaign)
    new = list(Review.objects.filter(campaign=campaign, member__code__startswith="TQ").select_related("member"))
    Review.objects.filter(pk__in=[r.pk for r in new]).update(self_score_common=27, self_score_tasks=60, proposed_level="HTTNV")
    for k, r in enumerate(new):
        Rating.objects.create(review=r, stage="unit", profile_key=campaign.rules_profile, org_path=r.org_path,
                              level="HTTNV", body=r.unit)
        if k % 2:
            Rating.objects.create(review=r, stage="appraisal", profile_key=campaign.rules_profile, org_path=r.org_path,
                                  level="HTNV", body=cast.PX)
        if k % 5 == 0:
            discipline_record(actor=None, member=r.member, form="reprimand", deciding_body=cast.PX,
                              decision_number=f"{30 + k}-QĐ/ĐU", decided_on=D(2025, 5, 1))


def test_appraisal_query_count_does_not_grow_with_proposals(cast, world, client_for,  # noqa: F811
                                                            django_assert_max_num_queries):
    campaign, reviews = world
    make_org("BTC-PX", "Văn phòng Đảng ủy phường X", OrgKind.ADVISORY, cast.PX)
    # one discipline already (the collectives' check reads the disciplined leaders once, not per row)
    discipline_record(actor=None, member=reviews[0].member, form="reprimand", deciding_body=cast.PX,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))
    url = reverse("appraisal", args=[campaign.pk, cast.PX.pk])
    client = client_for(cast.alice)
    client.get(url)  # warm up (session, scope cache)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200
        rows = resp.context["cal"].rows
        return len(ctx), len(rows), sum(1 for r in rows if r.warnings), sum(1 for r in rows if r.appraisal_level)

    small, rows, warned, appraised = count()
    assert rows >= len(reviews)
    _grow(cast, campaign)
    big, more_rows, more_warned, more_appraised = count()
    assert more_rows >= rows + 40 and more_warned > warned and more_appraised >= appraised + 10
    assert big == small
    # the facts read one query per kind of record (disciplines, conclusions, task register and
    # declarations, confidence votes, positions, the units' decisions): a constant, not per row
    with django_assert_max_num_queries(30):
        client.get(url)
