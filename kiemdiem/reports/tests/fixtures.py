"""A crafted world for the statistics pages: two annual campaigns (2024, 2025) issued by TU
over the cast's tree, decided ratings, discipline, a removal, remediation, feedback and a
commitment, with known numbers."""
from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kiemdiem.discipline.services import discipline_record
from kiemdiem.feedback import services as feedback_services
from kiemdiem.ratings import services as rating_services
from kiemdiem.remediation.models import Commitment, RemediationAction, RemediationItem, RemovalCase
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date


def decide(campaign, subject, level, body):
    field = "member" if hasattr(subject, "full_name") else "subject_org"
    review = Review.objects.get(campaign=campaign, **{field: subject})
    return rating_services.rating_record(actor=None, review=review, stage="decision", level=level, force=True, body=body)


def remediation_item(review, text, state="new", late=False, closed=False):
    s = Shortcoming.objects.create(review=review, text=text)
    item = RemediationItem.objects.create(member=review.member, organisation=review.subject_org, shortcoming=s,
                                          review=review, org_path=review.org_path, text=text, state=state,
                                          closed_at=timezone.now() if closed else None)
    if late:
        RemediationAction.objects.create(item=item, what="Khắc phục", who="Chi ủy", deadline=D(2020, 1, 1))
    return item


@pytest.fixture
def world(cast):
    c = cast
    old = annual(c, 2024)
    launch(actor=None, campaign=old)
    for m in ("dave", "an", "binh", "cuong"):
        decide(old, c.members[m], "HTNV", c.PX)
    decide(old, c.C1, "HTNV", c.PX)

    cur = annual(c, 2025)
    launch(actor=None, campaign=cur)
    for m, level in (("dave", "HTXSNV"), ("an", "HTTNV"), ("binh", "HTTNV"), ("cuong", "HTNV")):
        decide(cur, c.members[m], level, c.PX)
    decide(cur, c.members["dung"], "KHTNV", c.XY)
    for org, level, body in (("C1", "HTTNV", "PX"), ("C2", "HTNV", "PX"), ("C3", "HTTNV", "XY"), ("PX", "HTTNV", "QA")):
        decide(cur, c.orgs[org], level, c.orgs[body])
    Review.objects.filter(campaign=cur, org_path__startswith=c.C1.path).update(status=Status.FINAL)
    discipline_record(actor=None, member=c.cuong, form="warning", deciding_body=c.PX, decision_number="7-QĐ/ĐU",
                      decided_on=D(2025, 4, 1))
    discipline_record(actor=None, member=c.dung, form="reprimand", deciding_body=c.XY, decision_number="3-QĐ/ĐU",
                      decided_on=D(2025, 5, 1))
    an_review = Review.objects.get(campaign=cur, member=c.an)
    remediation_item(an_review, "Chậm đóng đảng phí", state="planned", late=True)
    remediation_item(an_review, "Ít phát biểu", state="in_progress")
    remediation_item(Review.objects.get(campaign=cur, member=c.dung), "Vắng sinh hoạt", state="verified", closed=True)
    RemovalCase.objects.create(member=c.binh, year=2025, ground="dues", evidence=[], org_path=c.C1.path, state="decided",
                               decided_on=D(2025, 6, 1), status_before="probationary", decision_number="9-QĐ/ĐU")
    Commitment.objects.create(member=c.an, year=2025, text="Cam kết", submitted_on=D(2025, 1, 10), org_path=c.C1.path)
    feedback_services.request_create(actor=None, review=an_review, source_type="superior", source_org=c.PX)
    feedback_services.request_create(actor=None, review=an_review, source_type="person", source_name="Cựu chiến binh")
    c.cur, c.old = cur, old
    return c
