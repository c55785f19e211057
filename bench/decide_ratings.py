"""Validating and deciding every member rating of one province (issue 5: < 5 s for ≈165,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/decide_ratings.py

Uses the synthetic tree of bench/member_counts.py and the helpers of bench/launch_campaign.py:
launches an annual campaign for the province nearest the mean size, gives every member review a
self-score (deterministic, spread over all four bands), then times the whole path a calibration
takes: gathering the facts (disciplines, section III, participants), checking every proposed
level against QĐ 366, and saving the decisions of all deciding bodies with their quotas
(`ratings.services.decide_all`). The proposals are each member's highest allowed level, with
excellent ratings beyond a body's quota moved down to good (what the calibration screen does).
The campaign is deleted afterwards.
"""
from __future__ import annotations

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
    actor = lc.bench_user()
    lc.cleanup()
    provinces = list(lc.Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True).order_by("path"))
    province = lc.Organisation.objects.get(code="TH-29") if lc.Organisation.objects.filter(code="TH-29").exists() else provinces[0]
    camp = lc.create_campaign(actor, province, f"xếp loại {province.code}")
    try:
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
            by_body[facts_mod.deciding_body_id(r, orgs)].append([r, profile.max_level(facts[r.pk]), ""])
        for rows in by_body.values():
            good = sum(1 for row in rows if row[1] == "HTTNV")
            allowed = good * 20 // 100
            for row in [row for row in rows if row[1] == "HTXSNV"][allowed:]:
                row[1] = "HTTNV"
        decisions = [tuple(row) for rows in by_body.values() for row in rows]
        lc.say(f"{len(decisions):,} proposals under {len(by_body):,} deciding bodies")

        clock = lc.Clock()
        with clock:
            reviews = list(Review.objects.filter(campaign=camp, member__isnull=False).select_related("campaign"))
            by_id = {r.pk: r for r in reviews}
            saved = services.decide_all(actor=actor, campaign=camp, decisions=[(by_id[r.pk], lvl, why) for r, lvl, why in decisions])
        lc.say(f"validate and decide: {len(saved):,} decisions in {clock.wall:.2f} s [{lc.verdict(clock.wall, 5)}: < 5 s] "
               f"({clock.cpu_text()}; {lc.loadavg()})")
    finally:
        lc.cleanup([camp.pk])


if __name__ == "__main__":
    main()
