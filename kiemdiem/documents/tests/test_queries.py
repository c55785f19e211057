"""Query counts of the documents pages: the summary report draft, the register of issued
documents (with the term's counts), the end-of-term report and a member's record set (Mẫu 04).
Each is rendered once on the small data, again after many more units, members, ratings,
documents, shortcomings or feedback: the count must not move (grouped queries, no query per
row), and stays under an absolute ceiling."""
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from kiemdiem.discipline.services import discipline_record
from kiemdiem.documents.models import IssuedDocument
from kiemdiem.feedback.models import FeedbackPoint, FeedbackRequest, FeedbackResponse
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Prompt, Review, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual
from kiemdiem.testing import make_member, make_org

D = datetime.date
TERM = {"term": "I (2020 – 2025)", "start": "2020-10-01", "end": "2025-09-30"}


def _counter(client, url, params=None):
    client.get(url, params)  # warm up (session, scope cache)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url, params)
        assert resp.status_code == 200
        return len(ctx), resp
    return count, client


def _grow_px(cast, campaign, cells=6, members=6):
    """More cells under PX with members, launched and decided, some of them disciplined."""
    for i in range(cells):
        cell = make_org(f"DQ{i}", f"Chi bộ văn bản {i}", OrgKind.CELL, cast.PX)
        for j in range(members):
            make_member(cell, f"DQ{i}-{j}", f"Đảng viên văn bản {i} {j}")
    launch(actor=cast.admin, campaign=campaign)
    new = Review.objects.filter(campaign=campaign, org_path__startswith=cast.PX.path).exclude(ratings__stage="decision")
    for k, r in enumerate(new):
        Rating.objects.create(review=r, stage="decision", profile_key=campaign.rules_profile, org_path=r.org_path,
                              level=["HTXSNV", "HTTNV", "HTNV", "KHTNV"][k % 4], body=cast.PX)
    for k, r in enumerate(new.filter(member__isnull=False)[:5]):
        discipline_record(actor=None, member=r.member, form="reprimand", deciding_body=cast.PX,
                          decision_number=f"{20 + k}-QĐ/ĐU", decided_on=D(2025, 6, 1))


def test_report_draft_query_count_does_not_grow_with_units(cast, rated, client_for, django_assert_max_num_queries):
    count, client = _counter(client_for(cast.alice), reverse("documents_report", args=[cast.PX.pk, rated.pk]))
    small, resp = count()
    rows = sum(len(t.rows) for t in resp.context["tables"])
    _grow_px(cast, rated)
    assert Rating.objects.filter(campaign=rated, stage="decision").count() > 40
    big, resp = count()
    assert sum(len(t.rows) for t in resp.context["tables"]) >= rows + 6  # one more row per new cell
    assert big == small
    with django_assert_max_num_queries(40):
        client.get(reverse("documents_report", args=[cast.PX.pk, rated.pk]))


def test_issued_register_query_count_does_not_grow_with_documents(cast, client_for, django_assert_max_num_queries):
    def add(n, start=0):
        IssuedDocument.objects.bulk_create([
            IssuedDocument(organisation=cast.QA, kind=["resolution", "directive", "plan", "report"][i % 4],
                           number=f"{i}-VB/QU", issued_on=D(2021 + i % 4, 1 + i % 12, 1), title=f"Văn bản {i}",
                           created_by=cast.alice)
            for i in range(start, start + n)])

    add(2)
    url = reverse("documents_issued", args=[cast.QA.pk])
    count, client = _counter(client_for(cast.alice), url, TERM)
    small, resp = count()
    assert len(resp.context["rows"]) == 2
    add(80, start=2)
    big, resp = count()
    assert len(resp.context["rows"]) == 82 and sum(resp.context["counts"].values()) == 82
    assert big == small
    with django_assert_max_num_queries(12):
        client.get(url, TERM)


def test_term_report_query_count_does_not_grow_with_shortcomings(cast, rated, client_for, django_assert_max_num_queries):
    review = Review.objects.get(campaign=rated, subject_org=cast.QA)
    Shortcoming.objects.create(review=review, text="Hạn chế số 0", order=0)
    IssuedDocument.objects.create(organisation=cast.QA, kind="plan", number="1-KH/QU", issued_on=D(2022, 1, 1), title="Kế hoạch")
    url = reverse("documents_term_report", args=[cast.QA.pk])
    count, client = _counter(client_for(cast.grace), url, TERM)
    small, resp = count()
    lines = [p.text for p in Document(io.BytesIO(resp.content)).paragraphs]
    assert "- Hạn chế số 0" in lines
    Shortcoming.objects.bulk_create([Shortcoming(review=review, text=f"Hạn chế số {i}", order=i) for i in range(1, 25)])
    IssuedDocument.objects.bulk_create([
        IssuedDocument(organisation=cast.QA, kind="resolution", number=f"{i}-NQ/QU", issued_on=D(2023, 1, 1), title="Nghị quyết")
        for i in range(40)])
    big, resp = count()
    lines = [p.text for p in Document(io.BytesIO(resp.content)).paragraphs]
    assert "- Hạn chế số 24" in lines
    assert big == small
    with django_assert_max_num_queries(15):
        client.get(url, TERM)


def test_member_records_query_count_does_not_grow_with_feedback_and_campaigns(cast, rated, client_for,
                                                                               django_assert_max_num_queries):
    an = cast.members["an"]
    review = Review.objects.get(campaign=rated, member=an)

    def feedback(n, start=0):
        for i in range(start, start + n):
            req = FeedbackRequest.objects.create(review=review, source_type="residence_cell" if i % 2 else "superior",
                                                 source_name=f"Chi ủy tổ dân phố {i}", status="answered")
            resp = FeedbackResponse.objects.create(request=req, signed_as="Bí thư chi bộ")
            FeedbackPoint.objects.create(response=resp, review=review, kind="strength", text=f"Gương mẫu {i}")
            Prompt.objects.create(review=review, issued_by=cast.PX, text=f"Gợi ý {i}")

    feedback(2)
    url = reverse("documents_member_records", args=[an.pk])
    count, client = _counter(client_for(cast.bob), url)
    small, resp = count()
    assert len(resp.context["campaigns"]) == 1
    assert {i.code: i.present for i in resp.context["items"]}["prompts"]
    feedback(20, start=2)
    for year in (2022, 2023, 2024):
        launch(actor=cast.admin, campaign=annual(cast, year=year))
    big, resp = count()
    assert len(resp.context["campaigns"]) == 4 and resp.context["campaign"] == rated  # the latest one shown
    assert big == small
    with django_assert_max_num_queries(20):
        client.get(url)
