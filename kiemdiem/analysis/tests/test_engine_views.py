"""The background analysis on a launched campaign of the test cast, its incremental re-runs,
and the pages/API with their scoping (VIEW to read, MANAGE to dismiss; outsider 404)."""
import datetime

import pytest
from django.urls import reverse

from kiemdiem.analysis import engine
from kiemdiem.analysis.models import CampaignAnalysis, Flag, Phrase, ReportAnalysis, Signal
from kiemdiem.campaigns import services as campaign_services
from kiemdiem.core.models import AuditEvent, Job
from kiemdiem.core.text import unaccent
from kiemdiem.feedback import services as feedback_services
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, Shortcoming

REPORT = ("<p>Tôi phụ trách công tác dân vận ở khu dân cư số 4, đã vận động được 12 hộ hiến đất làm đường liên thôn.</p>"
          "<p>Tôi trực tiếp giải quyết 37 hồ sơ hộ tịch, không có hồ sơ trễ hạn trong quý II.</p>")
SHORT = "<p>Tôi còn chậm nộp báo cáo quý III cho Đảng ủy, để cấp trên nhắc 3 lần; vắng 2 buổi sinh hoạt chi bộ tháng 7.</p>"
OTHER = ("<p>Tôi được giao theo dõi chuyển đổi số ở phường, đã hướng dẫn 54 hộ kinh doanh nộp thuế điện tử.</p>"
         "<p>Tôi kiểm tra thực tế 6 công trình xây dựng và báo cáo 2 trường hợp sai phép lên Ủy ban.</p>")


@pytest.fixture
def campaign(cast):
    c = campaign_services.campaign_create(
        actor=None, issuer=cast.orgs["TU"], title="Kiểm điểm năm 2025", kind="annual", year=2025,
        period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    launch(actor=None, campaign=c)
    return c


def _set(review, content, items=()):
    Review.objects.filter(pk=review.pk).update(content=content, version=review.version + 1)
    Shortcoming.objects.filter(review=review).delete()
    for i, t in enumerate(items):
        Shortcoming.objects.create(review=review, text=t, order=i)
    review.refresh_from_db()


def _reviews(cast, campaign):
    return {k: Review.objects.get(campaign=campaign, member=cast.members[k]) for k in ("dave", "an", "binh", "cuong", "dung")}


def test_full_run_flags_each_signal_with_evidence_and_never_touches_workflow(cast, campaign):
    r = _reviews(cast, campaign)
    _set(r["dave"], {"I.1": REPORT, "II": SHORT})
    _set(r["an"], {k: unaccent(v) for k, v in {"I.1": REPORT, "II": SHORT}.items()})  # unaccented copy of Đức's
    _set(r["binh"], {"I.1": OTHER, "II": "<p>Không có.</p>"})
    _set(r["cuong"], {"I.1": OTHER.replace("54", "12"), "II": "<p>Đôi khi còn nể nang, né tránh; năng lực còn hạn chế.</p>"})
    _set(r["dung"], {"I.1": REPORT.replace("12 hộ", "9 hộ"), "II": SHORT})
    req = feedback_services.request_create(actor=None, review=r["dave"], source_type="superior", source_org=cast.orgs["PX"])
    feedback_services.respond(actor=None, request=req, points=[
        ("shortcoming", "Đồng chí còn chậm nộp báo cáo quý III."),
        ("shortcoming", "Đồng chí để gia đình lấn chiếm đất công của khu phố."),
        ("strength", "Đồng chí là tấm gương sáng, luôn luôn gương mẫu, tận tụy, xuất sắc."),
    ])
    statuses = dict(Review.objects.values_list("pk", "status"))
    stats = engine.analyse_campaign(campaign)
    assert stats["analysed"] == Review.objects.filter(campaign=campaign).count()
    flags = {(f.review_id, f.signal, f.key): f for f in Flag.objects.all()}
    # copies: Đức ~ An (unaccented), Đức ~ Dũng (one number changed), both directions
    assert (r["dave"].pk, Signal.COPY, f"review:{r['an'].pk}") in flags
    assert (r["an"].pk, Signal.COPY, f"review:{r['dave'].pk}") in flags
    assert (r["dave"].pk, Signal.COPY, f"review:{r['dung'].pk}") in flags
    assert not any(k[0] == r["binh"].pk and k[1] == Signal.COPY and k[2] == f"review:{r['dave'].pk}" for k in flags)
    # generic / empty self-criticism
    assert flags[(r["binh"].pk, Signal.GENERIC, "II")].evidence["verdict"] == "empty"
    assert flags[(r["cuong"].pk, Signal.GENERIC, "II")].evidence["verdict"] == "generic"
    assert (r["dave"].pk, Signal.GENERIC, "II") not in flags
    # feedback: the report speaks of the late report, not of the land
    fb = [f for k, f in flags.items() if k[0] == r["dave"].pk and k[1] == Signal.FEEDBACK]
    assert len(fb) == 1 and "lấn chiếm" in fb[0].evidence["point"]  # praise needs no absorbing
    assert not any("báo cáo quý III" in f.evidence["point"] for f in fb)
    # tone of the flattering point
    assert any(k[0] == r["dave"].pk and k[1] == Signal.TONE for k in flags)
    # advisory only
    assert dict(Review.objects.values_list("pk", "status")) == statuses
    assert not Rating.objects.exists()
    # themes stored per report
    assert ReportAnalysis.objects.get(review=r["dave"]).themes


def test_incremental_rerun_only_reanalyses_changed_reports_and_keeps_dismissals(cast, campaign):
    r = _reviews(cast, campaign)
    _set(r["dave"], {"I.1": REPORT, "II": SHORT})
    _set(r["an"], {"I.1": REPORT, "II": SHORT})
    _set(r["binh"], {"I.1": OTHER, "II": "<p>Không có.</p>"})
    engine.analyse_campaign(campaign)
    generic = Flag.objects.get(review=r["binh"], signal=Signal.GENERIC)
    from kiemdiem.analysis import services

    services.dismiss(actor=cast.users["grace"], flag=generic, note="Đồng chí mới chuyển đến, đã trao đổi trực tiếp")
    assert AuditEvent.objects.filter(action="analysis.flag_dismiss", reason__contains="mới chuyển").exists()
    stats = engine.analyse_campaign(campaign)
    assert stats["analysed"] == 0 and stats["candidates"] == 0
    # a version bump without a text change is read but not analysed again
    Review.objects.filter(pk=r["binh"].pk).update(version=99)
    assert engine.analyse_campaign(campaign)["analysed"] == 0
    # An rewrites the report: the copy flags on both sides disappear; Bình's dismissal stays
    _set(r["an"], {"I.1": OTHER.replace("54", "7"), "II": SHORT})
    stats = engine.analyse_campaign(campaign)
    assert stats["analysed"] == 1
    assert not Flag.objects.filter(signal=Signal.COPY, review=r["dave"], other_review=r["an"]).exists()
    assert Flag.objects.get(pk=generic.pk).dismissed_at is not None
    # a new committee phrase forces a full run and is used
    Phrase.objects.create(organisation=cast.orgs["TU"], kind="stock", text="hiến đất làm đường")
    assert engine.analyse_campaign(campaign)["full"] is True


def test_repeat_of_own_earlier_shortcomings_and_earlier_copy(cast, campaign):
    earlier = campaign_services.campaign_create(
        actor=None, issuer=cast.orgs["TU"], title="Kiểm điểm năm 2024", kind="annual", year=2024,
        period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 12, 31))
    launch(actor=None, campaign=earlier)
    old = Review.objects.get(campaign=earlier, member=cast.members["dave"])
    _set(old, {"I.1": REPORT, "II": SHORT}, ["Chậm nộp báo cáo quý III cho Đảng ủy"])
    now = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    _set(now, {"I.1": REPORT, "II": SHORT}, ["Còn chậm nộp báo cáo quý III cho Đảng ủy"])
    engine.analyse_campaign(campaign)
    rep = Flag.objects.get(review=now, signal=Signal.REPEAT)
    assert rep.evidence["repeats"][0]["campaign"] == "Kiểm điểm năm 2024"
    copy = Flag.objects.get(review=now, signal=Signal.COPY, other_review=old)
    assert copy.evidence["same_person"] is True


def test_pages_scope_and_dismiss(cast, campaign, client_for):
    r = _reviews(cast, campaign)
    _set(r["dave"], {"I.1": REPORT, "II": SHORT})
    _set(r["an"], {"I.1": REPORT, "II": SHORT})
    _set(r["dung"], {"I.1": OTHER, "II": "<p>Không có.</p>"})
    # the run through the page (MANAGE on the issuer) as a job
    admin = cast.users["admin"]
    resp = client_for(admin).post(reverse("analysis_run", args=[campaign.pk]))
    assert resp.status_code == 302
    assert Job.objects.filter(kind="analysis.run", status="done").exists()
    assert CampaignAnalysis.objects.get(campaign=campaign).analysed_at
    copy = Flag.objects.get(review=r["dave"], signal=Signal.COPY)
    grace, bob, eve, carol = (client_for(cast.users[n]) for n in ("grace", "bob", "eve", "carol"))
    page = grace.get(reverse("analysis_review", args=[r["dave"].pk]))
    assert page.status_code == 200 and b"<mark>[1]" in page.content  # side-by-side passages
    assert bob.get(reverse("analysis_review", args=[r["dave"].pk])).status_code == 200
    assert eve.get(reverse("analysis_review", args=[r["dave"].pk])).status_code == 404
    assert carol.get(reverse("analysis_review", args=[r["dave"].pk])).status_code == 404
    overview = grace.get(reverse("analysis_campaign_org", args=[campaign.pk, cast.orgs["PX"].pk]) + "?signal=copy")
    assert overview.status_code == 200 and f'data-flag="{copy.pk}"'.encode() in overview.content
    # carol (QB) sees Dũng's generic flag, not Đức's copy
    qb = carol.get(reverse("analysis_campaign_org", args=[campaign.pk, cast.orgs["QB"].pk]) + "?state=all")
    assert f'data-flag="{copy.pk}"'.encode() not in qb.content
    # dismiss: viewer 403, empty note refused, committee with a note ok
    url = reverse("analysis_flag_dismiss", args=[copy.pk])
    assert bob.post(url, {"note": "x"}).status_code == 403
    grace.post(url, {"note": ""})
    assert Flag.objects.get(pk=copy.pk).dismissed_at is None
    grace.post(url, {"note": "Hai đồng chí cùng tổ công tác, nội dung chung đã được chi bộ thống nhất"})
    assert Flag.objects.get(pk=copy.pk).dismiss_note.startswith("Hai đồng chí")
    themes = grace.get(reverse("analysis_themes", args=[campaign.pk, cast.orgs["QA"].pk]))
    assert themes.status_code == 200
    # API
    api = grace.get(f"/api/v1/campaigns/{campaign.pk}/analysis/flags?state=all")
    assert api.status_code == 200 and api.json()["count"] >= 2
    assert eve.get(f"/api/v1/campaigns/{campaign.pk}/analysis/flags").status_code == 404


def test_phrase_editor(cast, client_for):
    grace, bob = client_for(cast.users["grace"]), client_for(cast.users["bob"])
    url = reverse("analysis_phrases", args=[cast.orgs["QA"].pk])
    assert grace.get(url).status_code == 200
    assert grace.post(url, {"kind": "stock", "text": "  Chưa phát huy vai trò nêu gương. "}).status_code == 302
    phrase = Phrase.objects.get()
    assert phrase.text == "chưa phát huy vai trò nêu gương"
    grace.post(url, {"kind": "stock", "text": "chưa phát huy vai trò nêu gương"})  # duplicate refused
    assert Phrase.objects.count() == 1
    assert bob.get(reverse("analysis_phrases", args=[cast.orgs["PX"].pk])).status_code == 200
    assert bob.post(reverse("analysis_phrases", args=[cast.orgs["PX"].pk]), {"kind": "stock", "text": "x y"}).status_code == 403
    assert client_for(cast.users["eve"]).get(url).status_code == 404
    assert bob.post(reverse("analysis_phrase_delete", args=[phrase.pk])).status_code == 404  # QA is above bob
    assert grace.post(reverse("analysis_phrase_delete", args=[phrase.pk])).status_code == 302
    assert not Phrase.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="analysis.phrase_").count() == 2
