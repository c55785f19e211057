"""Benchmark: review-quality analysis (issue 8) of one province's reports.

Targets: 150,000 reports analysed in under 5 minutes on 2 cores with under 4 GB of memory;
re-analysis after 1 % of the reports change in under 30 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd_analysis_bench \\
        .venv/bin/python bench/text_analysis.py [--reports 150000] [--feedback-share 0.01] [--keep]

It uses its own database (created if missing, migrated), never kiemdiem_bench. It builds a
synthetic province (10 districts, 150 communes, 1,500 cells, one member per report), one
campaign whose reports are assembled from the evaluation set's sentence pools (about 2 % are
copies or unaccented copies of another report), two shortcoming items per report, and
feedback points (2 each) on --feedback-share of the reports; then it times a full analysis,
changes 1 % of the reports (new text, version + 1) and times the incremental run. Only reports
that have feedback points are embedded (their sentences and the points). Peak memory is the
process's maximum RSS. The data is deleted at the end unless --keep.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kd_analysis_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
os.environ.setdefault("DEBUG", "0")

import datetime  # noqa: E402

import psycopg  # noqa: E402


def ensure_db(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    if name == "kiemdiem_bench":
        raise SystemExit("Dùng cơ sở dữ liệu riêng, không dùng kiemdiem_bench.")
    base = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname=%s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


ensure_db(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from kiemdiem.analysis import engine  # noqa: E402
from kiemdiem.analysis.evaluation import build as ev  # noqa: E402
from kiemdiem.campaigns import services as campaign_services  # noqa: E402
from kiemdiem.campaigns.models import Campaign  # noqa: E402
from kiemdiem.core.text import unaccent  # noqa: E402
from kiemdiem.feedback.models import FeedbackPoint, FeedbackRequest, FeedbackResponse  # noqa: E402
from kiemdiem.organisations.models import Member, Organisation  # noqa: E402
from kiemdiem.reviews.models import Review, Shortcoming  # noqa: E402
from kiemdiem.testing import make_org  # noqa: E402

TITLE = "Bench phân tích văn bản"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def content_for(rng) -> tuple[dict, list[str]]:
    sents = ev._report(rng)
    shortcomings = [s for s in sents if any(s.startswith(t.split("{")[0][:12]) for t in ev.SHORTCOMING)][:2] or sents[6:8]
    return ({"I.1": "<p>" + " ".join(sents[:3]) + "</p>", "I.2": "<p>" + " ".join(sents[3:6]) + "</p>",
             "II": "<p>" + " ".join(sents[6:9]) + "</p>", "VI": "<p>" + sents[9] + "</p>"}, shortcomings)


def build(n: int, feedback_share: float, seed: int = 8):
    rng = random.Random(seed)
    t = time.monotonic()
    province = Organisation.objects.filter(code="AB-P").first() or make_org("AB-P", "Tỉnh ủy Phân Tích", "provincial")
    cells = list(Organisation.objects.filter(path__startswith=province.path, kind="cell"))
    if not cells:
        for d in range(10):
            district = make_org(f"AB-D{d}", f"Huyện ủy {d}", "district", province)
            for c in range(15):
                commune = make_org(f"AB-D{d}-X{c}", f"Đảng ủy xã {d}-{c}", "grassroots", district)
                for k in range(10):
                    cells.append(make_org(f"AB-D{d}-X{c}-C{k}", f"Chi bộ {d}-{c}-{k}", "cell", commune))
    campaign = Campaign.objects.filter(title=TITLE).first()
    if campaign is None:
        campaign = campaign_services.campaign_create(
            actor=None, issuer=province, title=TITLE, kind="annual", year=2025,
            period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    if Review.objects.filter(campaign=campaign).count() >= n:
        print(f"dữ liệu có sẵn ({time.monotonic() - t:.0f} s)")
        return campaign
    families, middles, givens = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"], ["Văn", "Thị", "Hữu", "Minh"], ["An", "Bình", "Cường", "Dũng", "Hà", "Lan"]
    have = Member.objects.filter(code__startswith="AB").count()
    members = [Member(code=f"AB{i:07d}", full_name=f"{rng.choice(families)} {rng.choice(middles)} {rng.choice(givens)}",
                      gender="male", birth_date=datetime.date(1980, 1, 1), admitted_on=datetime.date(2005, 1, 1),
                      organisation=cells[i % len(cells)]) for i in range(have, n)]
    Member.objects.bulk_create(members, batch_size=5000)
    members = list(Member.objects.filter(code__startswith="AB").order_by("code").values_list("pk", "organisation_id")[:n])
    paths = dict(Organisation.objects.filter(pk__in={o for _m, o in members}).values_list("pk", "path"))
    reviews, items, texts = [], [], []
    for i, (mid, org_id) in enumerate(members):
        content, sc = content_for(rng)
        if i > 10 and rng.random() < 0.02:  # a copy of an earlier report (half of them unaccented)
            j = rng.randrange(i)
            content, sc = texts[j]
            if rng.random() < 0.5:
                content = {k: unaccent(v) for k, v in content.items()}
        texts.append((content, sc))
        reviews.append(Review(campaign=campaign, member_id=mid, unit_id=org_id, org_path=paths[org_id], form="2B",
                              content=content, status="submitted", version=1))
    Review.objects.bulk_create(reviews, batch_size=5000)
    ids = list(Review.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True))
    for rid, (_c, sc) in zip(ids, texts):
        items += [Shortcoming(review_id=rid, text=s, order=k) for k, s in enumerate(sc)]
    Shortcoming.objects.bulk_create(items, batch_size=10000)
    fb = rng.sample(ids, int(feedback_share * len(ids)))
    reqs = FeedbackRequest.objects.bulk_create([FeedbackRequest(review_id=r, source_type="superior", status="answered")
                                                for r in fb], batch_size=5000)
    resps = FeedbackResponse.objects.bulk_create([FeedbackResponse(request=q) for q in reqs], batch_size=5000)
    pts = []
    for resp in resps:
        for point, _answer in rng.sample(ev.FEEDBACK, 2):
            pts.append(FeedbackPoint(response=resp, review_id=resp.request.review_id, kind="shortcoming", text=point))
    FeedbackPoint.objects.bulk_create(pts, batch_size=5000)
    print(f"dựng dữ liệu: {len(ids)} bản kiểm điểm, {len(items)} hạn chế, {len(pts)} ý kiến góp ý ({time.monotonic() - t:.0f} s)")
    return campaign


def cleanup(campaign):
    with connection.cursor() as cur:
        for sql in (
            "delete from analysis_flag where campaign_id=%s", "delete from analysis_reportanalysis where campaign_id=%s",
            "delete from analysis_campaignanalysis where campaign_id=%s",
            "delete from feedback_feedbackpoint where review_id in (select id from reviews_review where campaign_id=%s)",
            "delete from feedback_feedbackresponse where request_id in (select r.id from feedback_feedbackrequest r join reviews_review v on v.id=r.review_id where v.campaign_id=%s)",
            "delete from feedback_feedbackrequest where review_id in (select id from reviews_review where campaign_id=%s)",
            "delete from reviews_shortcoming where review_id in (select id from reviews_review where campaign_id=%s)",
            "delete from reviews_reviewversion where review_id in (select id from reviews_review where campaign_id=%s)",
            "delete from reviews_review where campaign_id=%s",
        ):
            cur.execute(sql, [campaign.pk])
    Campaign.objects.filter(pk=campaign.pk).delete()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=150_000)
    ap.add_argument("--feedback-share", type=float, default=0.01)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    campaign = build(args.reports, args.feedback_share)
    print(f"load avg {os.getloadavg()[0]:.1f}, rss {rss_mb():.0f} MB")

    t, c = time.monotonic(), time.process_time()
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats
        prof = cProfile.Profile()
        stats = prof.runcall(engine.analyse_campaign, campaign, full=True)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    else:
        stats = engine.analyse_campaign(campaign, full=True)
    full_s, full_cpu = time.monotonic() - t, time.process_time() - c
    print(f"phân tích toàn bộ: {full_s:.1f} s (CPU tiến trình {full_cpu:.1f} s), RSS tối đa {rss_mb():.0f} MB, {stats}")

    rng = random.Random(99)
    ids = list(Review.objects.filter(campaign=campaign).values_list("pk", flat=True))
    changed = rng.sample(ids, len(ids) // 100)
    objs = []
    for rid in changed:
        content, _sc = content_for(rng)
        objs.append(Review(pk=rid, content=content, version=2))
    Review.objects.bulk_update(objs, ["content", "version"], batch_size=2000)
    t, c = time.monotonic(), time.process_time()
    stats2 = engine.analyse_campaign(campaign)
    inc_s, inc_cpu = time.monotonic() - t, time.process_time() - c
    print(f"phân tích lại sau 1% thay đổi: {inc_s:.1f} s (CPU tiến trình {inc_cpu:.1f} s), RSS tối đa {rss_mb():.0f} MB, {stats2}")
    print(f"load avg {os.getloadavg()[0]:.1f}")
    ok = full_s < 300 and rss_mb() < 4096 and inc_s < 30
    print("ĐẠT" if ok else "CHƯA ĐẠT", f"(mục tiêu: < 300 s, < 4096 MB, < 30 s)")
    if not args.keep:
        cleanup(campaign)


if __name__ == "__main__":
    main()
