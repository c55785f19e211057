"""Validating and deciding every member rating of one province (issue 5: < 5 s for ≈165,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/decide_ratings.py

Uses the synthetic tree of bench/member_counts.py and the helpers of bench/launch_campaign.py:
launches an annual campaign for the province nearest the mean size, gives every member review a
self-score (deterministic, spread over all four bands), then times the whole path a calibration
takes: gathering the facts (disciplines, section III, participants), checking every proposed
level against QĐ 366, and saving the decisions of all deciding bodies with their quotas
(`ratings.services.decide_all`, given (review id, level, reason) tuples). The proposals are
each member's highest allowed level, with excellent ratings beyond a body's quota moved down to
good (what the calibration screen does). Then the same decisions are taken again (a re-rating
of the whole province: every live decision cancelled and replaced), timed too. The campaign is
deleted afterwards (--keep leaves it; --campaign ID reuses a kept one; --profile FILE writes a
cProfile of the first timed run).
"""
from __future__ import annotations

import argparse
import cProfile
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import launch_campaign as lc  # noqa: E402  (sets up Django)

from django.db import connection  # noqa: E402

from kiemdiem.ratings import facts as facts_mod  # noqa: E402
from kiemdiem.ratings import services  # noqa: E402
from kiemdiem.ratings.rules import get_profile  # noqa: E402
from kiemdiem.reviews.models import Review  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the campaign in place")
    parser.add_argument("--campaign", type=int, help="reuse a campaign kept by --keep")
    parser.add_argument("--profile", help="write a cProfile of the first timed run to this file")
    args = parser.parse_args()
    actor = lc.bench_user()
    province = lc.Organisation.objects.filter(code="TH-29").first() or \
        lc.Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True).order_by("path").first()
    label = f"xếp loại {province.code}"
    camp = lc.own_campaign(actor, province, label, args.campaign)
    try:
        if not args.campaign:
            t0 = time.perf_counter()
            lc.launch(actor=actor, campaign=camp)
            with connection.cursor() as cur:  # scores 40..100 spread by id: every band occurs
                cur.execute("""UPDATE reviews_review SET self_score_common = 20 + (id %% 11),
                               self_score_tasks = 20 + (id * 7 %% 51) WHERE campaign_id = %s AND member_id IS NOT NULL""",
                            [camp.pk])
            lc.say(f"launched and scored {province.code} in {time.perf_counter() - t0:.1f} s")

        # the proposals (not timed): highest allowed level, excess excellent moved to good per body
        reviews = list(Review.objects.filter(campaign=camp, member__isnull=False).select_related("campaign"))
        profile = get_profile(camp.rules_profile)
        facts = facts_mod.facts_for(reviews)
        orgs = facts_mod.orgs_for(reviews)
        by_body = defaultdict(list)
        for r in reviews:
            by_body[facts_mod.deciding_body_id(r, orgs)].append([r.pk, profile.max_level(facts[r.pk]), ""])
        for rows in by_body.values():
            good = sum(1 for row in rows if row[1] == "HTTNV")
            allowed = good * 20 // 100
            for row in [row for row in rows if row[1] == "HTXSNV"][allowed:]:
                row[1] = "HTTNV"
        decisions = [tuple(row) for rows in by_body.values() for row in rows]
        del reviews, facts
        lc.say(f"{len(decisions):,} proposals under {len(by_body):,} deciding bodies")

        for run, what in enumerate(("validate and decide", "decide again (replacing every decision)")):
            profiler = cProfile.Profile() if args.profile and run == 0 else None
            clock = lc.Clock()
            with clock:
                if profiler:
                    profiler.enable()
                saved = services.decide_all(actor=actor, campaign=camp, decisions=decisions)
                if profiler:
                    profiler.disable()
            if profiler:
                profiler.dump_stats(args.profile)
            lc.say(f"{what}: {saved:,} decisions in {clock.wall:.2f} s [{lc.verdict(clock.wall, 5)}: < 5 s] "
                   f"({clock.cpu_text()}; {lc.loadavg()})")
    finally:
        if args.keep:
            lc.say(f"kept campaign {camp.pk}")
        else:
            lc.cleanup([camp.pk])

if __name__ == "__main__":
    main()
