"""The statistics page of one province (issue 7, pages): the data fingerprint, the full build,
the cached page and the drill-down list.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/report_pages.py

Uses the helpers of bench/launch_campaign.py: launches an annual campaign for TH-29 (≈165,000
member reviews, ≈1,500 units directly under the province), records a live decision for every
review with one INSERT … SELECT (levels spread by id), then times, best of --repeat:
(a) `reports.selectors.fingerprint` (the dozen aggregates every page view runs to know whether
the cache is fresh), (b) `reports.selectors.statistics_data` (the whole build: completion by
stage, distributions by level and kind, discipline, removals, remediation and burn-down,
feedback, study, the per-child table, last year and the trend), (c) the page served from the
cached build through the test client (fingerprint + rendering ≈1,500 child rows and the SVG
charts), (d) a drill-down list (members rated HTTNV, first page of 50). The campaign and the
cached builds are deleted afterwards (--keep leaves them; --campaign ID reuses a kept one).
"""
from __future__ import annotations

import argparse
import statistics as pystats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import launch_campaign as lc  # noqa: E402  (sets up Django)

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from kiemdiem.reports import jobs as report_jobs  # noqa: E402
from kiemdiem.reports import selectors  # noqa: E402
from kiemdiem.reports.models import ReportBuild  # noqa: E402


def best(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), pystats.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--campaign", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    actor = lc.bench_user()
    province = lc.Organisation.objects.get(code="TH-29")
    label = f"thống kê {province.code}"
    camp = lc.own_campaign(actor, province, label, args.campaign)
    try:
        if not args.campaign:
            t0 = time.perf_counter()
            lc.launch(actor=actor, campaign=camp)
            with connection.cursor() as cur:
                cur.execute("""
                    INSERT INTO ratings_rating (stage, profile_key, level, org_path, warnings, reason, previous_level,
                                                created_at, cancel_reason, review_id, campaign_id, subject_kind)
                    SELECT 'decision', 'qd366-2025',
                           CASE WHEN r.id %% 10 = 0 THEN 'HTXSNV' WHEN r.id %% 10 < 8 THEN 'HTTNV'
                                WHEN r.id %% 50 = 9 THEN 'KHTNV' ELSE 'HTNV' END,
                           r.org_path, '[]'::jsonb, '', '', now(), '', r.id, r.campaign_id, COALESCE(o.kind, 'member')
                    FROM reviews_review r LEFT JOIN organisations_organisation o ON o.id = r.subject_org_id
                    WHERE r.campaign_id = %s""", [camp.pk])
                cur.execute("UPDATE reviews_review SET status = 'final' WHERE campaign_id = %s AND id %% 3 = 0", [camp.pk])
                cur.execute("ANALYZE ratings_rating")
            lc.say(f"launched and decided {province.code} in {time.perf_counter() - t0:.1f} s")
        path = province.path
        lo, med, (digest, reviews) = best(lambda: selectors.fingerprint(camp, path), args.repeat)
        lc.say(f"(a) fingerprint of {reviews:,} reviews' subtree: best {lo * 1000:.0f} ms, median {med * 1000:.0f} ms")
        lo, med, data = best(lambda: selectors.statistics_data(camp, province), max(2, args.repeat // 2))
        lc.say(f"(b) full build: best {lo * 1000:.0f} ms, median {med * 1000:.0f} ms "
               f"({data['members']['total']:,} members rated, {len(data['children']):,} children)")
        made = report_jobs.start(actor, camp, province)  # inline or thread: wait for it
        deadline = time.time() + 300
        while not ReportBuild.objects.filter(pk=made.pk, finished_at__isnull=False).exists():
            if time.time() > deadline:
                raise SystemExit("the build did not finish in 5 minutes")
            time.sleep(0.5)
        client = Client()
        client.force_login(actor)
        url = reverse("report_statistics_campaign", args=[province.pk, camp.pk])

        def page():
            resp = client.get(url)
            assert resp.status_code == 200 and b'id="statistics-body" class="report"' in resp.content, resp.status_code
            return len(resp.content)

        settings.KIEMDIEM_REPORT_FINGERPRINT_TTL = 0
        lo, med, size = best(page, args.repeat)
        lc.say(f"(c) page from the cached build, fingerprint checked on every view: best {lo * 1000:.0f} ms, "
               f"median {med * 1000:.0f} ms ({size // 1024} KiB)")
        settings.KIEMDIEM_REPORT_FINGERPRINT_TTL = 60
        page()  # fills the fingerprint cache
        lo, med, size = best(page, args.repeat)
        lc.say(f"(c') the same within the fingerprint's 60 s reuse: best {lo * 1000:.0f} ms, median {med * 1000:.0f} ms")
        list_url = reverse("report_list", args=[province.pk, camp.pk, "members"]) + "?key=HTTNV"
        lo, med, _ = best(lambda: client.get(list_url).status_code, args.repeat)
        lc.say(f"(d) drill-down list (HTTNV members, page 1): best {lo * 1000:.0f} ms, median {med * 1000:.0f} ms")
        lc.say(f"load: {lc.loadavg()}")
    finally:
        if args.keep:
            lc.say(f"kept campaign {camp.pk}")
        else:
            ReportBuild.objects.filter(campaign=camp).delete()
            lc.cleanup([camp.pk])


if __name__ == "__main__":
    main()
