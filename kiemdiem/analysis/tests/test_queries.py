"""Query counts of the analysis pages: a campaign's (or an organisation's) list of flags, one
report's flags with the copied passages side by side, and the themes page. Rendered once on
the small cast, again after many more members, reports and flags: the count must not move
(no query per flag or per report), and stays under an absolute ceiling."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdiem.analysis.models import CampaignAnalysis, Flag, ReportAnalysis, Signal
from kiemdiem.campaigns import services as campaign_services
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, Shortcoming
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.testing import make_member, make_org

REPORT = "<p>Tôi phụ trách công tác dân vận ở khu dân cư số 4, đã vận động được 12 hộ hiến đất làm đường liên thôn.</p>"


@pytest.fixture
def campaign(cast):
    c = campaign_services.campaign_create(
        actor=None, issuer=cast.orgs["TU"], title="Kiểm điểm năm 2025", kind="annual", year=2025,
        period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    launch(actor=None, campaign=c)
    CampaignAnalysis.objects.create(campaign=c, analysed_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.timezone.utc),
                                    stats={"reports": 1, "analysed": 1})
    return c


def _flag_all(campaign, dave_review):
    """A flag of each kind on every report not flagged yet (member and collective reports alike):
    a copy of Đức's report, a generic self-criticism, a repeat of an earlier shortcoming; and on
    Đức's report a copy flag pointing back at each of them. Every report gets content, two
    shortcomings and theme entries."""
    for review in Review.objects.filter(campaign=campaign).exclude(analysis_flags__isnull=False):
        Review.objects.filter(pk=review.pk).update(content={"I.1": REPORT, "II": "<p>Còn chậm nộp báo cáo.</p>"})
        Shortcoming.objects.bulk_create([Shortcoming(review=review, text=f"Hạn chế {i} của {review.pk}", order=i) for i in range(2)])
        ReportAnalysis.objects.update_or_create(review=review, defaults=dict(
            campaign=campaign, org_path=review.org_path, content_hash="x",
            themes=[["bao-cao", "Còn chậm nộp báo cáo"], [f"rieng-{review.pk}", "Riêng"]]))
        if review.pk == dave_review.pk:
            continue
        Flag.objects.bulk_create([
            Flag(review=review, campaign=campaign, org_path=review.org_path, signal=Signal.COPY,
                 key=f"review:{dave_review.pk}", other_review=dave_review, score=0.9, summary="Trùng nội dung",
                 evidence={"jaccard": 0.9}),
            Flag(review=review, campaign=campaign, org_path=review.org_path, signal=Signal.GENERIC, key="II",
                 score=0.5, summary="Tự phê bình chung chung", evidence={"text": "Còn hạn chế", "verdict": "generic"}),
            Flag(review=review, campaign=campaign, org_path=review.org_path, signal=Signal.REPEAT, key="III",
                 score=0.4, summary="Lặp lại hạn chế kỳ trước", evidence={"repeats": [{"text": "a", "earlier": "b", "campaign": "2024"}]}),
            Flag(review=dave_review, campaign=campaign, org_path=dave_review.org_path, signal=Signal.COPY,
                 key=f"review:{review.pk}", other_review=review, score=0.9, summary="Trùng nội dung",
                 evidence={"jaccard": 0.9}),
        ])


def _grow(cast, campaign, dave_review, n=30):
    """n more members, in C1 and in five new cells of PX (five more collective reports)."""
    cells = [cast.C1] + [make_org(f"AN{i}", f"Chi bộ phân tích {i}", OrgKind.CELL, cast.PX) for i in range(5)]
    for i in range(n):
        make_member(cells[i % len(cells)], f"AN-{i}", f"Đảng viên phân tích {i}")
    launch(actor=cast.admin, campaign=campaign)
    _flag_all(campaign, dave_review)


def _counter(client, url):
    client.get(url)  # warm up (session, scope cache)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200
        return len(ctx), resp
    return count, client


@pytest.mark.parametrize("where", ["campaign", "org"])
def test_flag_list_query_count_does_not_grow_with_flags(cast, campaign, client_for, django_assert_max_num_queries, where):
    dave = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    _flag_all(campaign, dave)
    url = (reverse("analysis_campaign", args=[campaign.pk]) if where == "campaign"
           else reverse("analysis_campaign_org", args=[campaign.pk, cast.PX.pk])) + "?signal=generic&state=all"
    count, client = _counter(client_for(cast.grace), url)
    small, resp = count()
    shown = len(resp.context["page"].object_list)
    assert shown >= 3
    _grow(cast, campaign, dave)
    big, resp = count()
    assert len(resp.context["page"].object_list) >= shown + 10  # more rows really shown
    assert big == small
    with django_assert_max_num_queries(20):
        client.get(url)


def test_review_flags_query_count_does_not_grow_with_copies(cast, campaign, client_for, django_assert_max_num_queries):
    dave = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    _flag_all(campaign, dave)
    url = reverse("analysis_review", args=[dave.pk])
    count, client = _counter(client_for(cast.grace), url)
    small, resp = count()
    copies = sum(1 for f in resp.context["flags"] if f.signal == Signal.COPY and f.other_visible)
    assert copies >= 3 and b"<mark>[1]" in resp.content  # passages side by side
    _grow(cast, campaign, dave)
    big, resp = count()
    assert sum(1 for f in resp.context["flags"] if f.signal == Signal.COPY and f.other_visible) >= copies + 30
    assert big == small
    with django_assert_max_num_queries(12):
        client.get(url)


def test_themes_query_count_does_not_grow_with_reports(cast, campaign, client_for, django_assert_max_num_queries):
    dave = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    _flag_all(campaign, dave)
    url = reverse("analysis_themes", args=[campaign.pk, cast.QA.pk])
    count, client = _counter(client_for(cast.grace), url)
    small, resp = count()
    repeats = len(list(resp.context["repeats"]))
    assert repeats >= 3 and resp.context["themes"][0]["key"] == "bao-cao"
    _grow(cast, campaign, dave)
    big, resp = count()
    assert len(list(resp.context["repeats"])) >= repeats + 30
    assert big == small
    with django_assert_max_num_queries(18):
        client.get(url)
