"""The per-report stage in worker processes (KIEMDIEM_ANALYSIS_WORKERS=2, pool threshold lowered
so the few reports of the test cast go through it) gives exactly the serial run's results."""
import pytest

from kiemdiem.analysis import engine
from kiemdiem.analysis.models import CampaignAnalysis, Flag, ReportAnalysis
from kiemdiem.core.text import unaccent
from kiemdiem.feedback import services as feedback_services

from .test_engine_views import OTHER, REPORT, SHORT, _reviews, _set, campaign  # noqa: F401


def _snapshot():
    flags = sorted((f.review_id, f.signal, f.key, f.other_review_id, f.score, f.summary, repr(f.evidence))
                   for f in Flag.objects.all())
    reports = sorted((r.review_id, r.content_hash, bytes(r.signature), r.shingles, repr(r.themes))
                     for r in ReportAnalysis.objects.all())
    ca = CampaignAnalysis.objects.get()
    return flags, reports, bytes(ca.boilerplate or b""), ca.theme_labels


def _analyse(monkeypatch, campaign, n_workers):
    Flag.objects.all().delete()
    ReportAnalysis.objects.all().delete()
    CampaignAnalysis.objects.all().delete()
    monkeypatch.setenv("KIEMDIEM_ANALYSIS_WORKERS", str(n_workers))
    stats = engine.analyse_campaign(campaign, full=True)
    return stats, _snapshot()


def test_worker_pool_gives_the_serial_results(cast, campaign, monkeypatch):  # noqa: F811
    r = _reviews(cast, campaign)
    _set(r["dave"], {"I.1": REPORT, "II": SHORT}, ["Chậm nộp báo cáo quý III cho Đảng ủy", "Vắng 2 buổi sinh hoạt"])
    _set(r["an"], {k: unaccent(v) for k, v in {"I.1": REPORT, "II": SHORT}.items()})
    _set(r["binh"], {"I.1": OTHER, "II": "<p>Không có.</p>"})
    _set(r["cuong"], {"I.1": OTHER.replace("54", "12"), "II": "<p>Đôi khi còn nể nang, né tránh; năng lực còn hạn chế.</p>"})
    _set(r["dung"], {"I.1": REPORT.replace("12 hộ", "9 hộ"), "II": SHORT}, ["Còn chậm nộp báo cáo quý III"])
    req = feedback_services.request_create(actor=None, review=r["dave"], source_type="superior", source_org=cast.orgs["PX"])
    feedback_services.respond(actor=None, request=req, points=[
        ("shortcoming", "Đồng chí để gia đình lấn chiếm đất công của khu phố."),
        ("strength", "Đồng chí là tấm gương sáng, luôn luôn gương mẫu, tận tụy, xuất sắc."),
    ])
    # tiny tasks and chunks: several tasks in flight, results joined back in reading order
    monkeypatch.setattr(engine, "POOL_MIN", 1)
    monkeypatch.setattr(engine, "POOL_TASK", 2)
    monkeypatch.setattr(engine, "CHUNK", 3)
    used = []
    real = engine._pool_for

    def spy(n):
        cm = real(n)
        class Wrap:
            def __enter__(self):
                pool = cm.__enter__()
                used.append(pool is not None)
                return pool

            def __exit__(self, *exc):
                return cm.__exit__(*exc)
        return Wrap()

    monkeypatch.setattr(engine, "_pool_for", spy)
    serial_stats, serial = _analyse(monkeypatch, campaign, 1)
    pooled_stats, pooled = _analyse(monkeypatch, campaign, 2)
    assert used == [False, True]
    assert serial[0], "the crafted campaign raises flags"
    assert {f[1] for f in serial[0]} >= {"copy", "generic", "feedback", "tone"}
    assert max(r[3] for r in serial[1]) >= engine.MIN_SHINGLES  # shingle counts stored per report
    assert pooled == serial
    drop = {"seconds"}
    assert {k: v for k, v in pooled_stats.items() if k not in drop} == {k: v for k, v in serial_stats.items() if k not in drop}


def test_workers_setting(monkeypatch):
    monkeypatch.setenv("KIEMDIEM_ANALYSIS_WORKERS", "1")
    assert engine.workers() == 1
    with engine._pool_for(10**6) as pool:
        assert pool is None
    monkeypatch.setenv("KIEMDIEM_ANALYSIS_WORKERS", "x")
    assert engine.workers() == 1
    monkeypatch.delenv("KIEMDIEM_ANALYSIS_WORKERS")
    assert engine.workers() == 2
    with engine._pool_for(engine.POOL_MIN - 1) as pool:
        assert pool is None  # small campaigns stay serial
