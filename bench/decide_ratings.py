"""Validating and deciding every member rating of one province (issue 5: < 5 s for ≈165,000;
issue 14: the same with the facts of the task register, discipline and conclusions, and the
re-decision on a database never analysed).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/decide_ratings.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/decide_ratings.py --never-analysed

Uses the synthetic tree of bench/member_counts.py and the helpers of bench/launch_campaign.py:
gives one member of each cell of the province a secretary's post (so that about one review in
sixteen is a leader's, form 2A), launches an annual campaign for the province nearest the mean
size, gives every member review a self-score (deterministic, spread over all four bands), then
records the facts the QĐ 366 checks read, deterministic by member id (`seed_facts`):

- the task register: 3 tasks per member (5 for some), statuses spread so that about half may
  be rated excellent, others are capped by `excellent_tasks` (no task beyond requirement),
  `good_tasks` (a task not to quality, or one late in five), `done_late` (one late in three) or
  `failed_tasks` (two of three not done); a few members have a declaration instead of a
  register (2 %), a few neither (1 %); 4 tasks of each cell with a bench secretary (the
  leader's `area_tasks`);
- disciplines (≈ 1 member in 60, some self-detected and fixed, some not duty-related, plus a
  few cells), conclusions of the inspection commission (≈ 1 member in 80: degraded, breached
  prohibitions, corruption in the remit; some softened, some cancelled; disunity of a few
  cells), confidence votes of every leader (one in ten over 50 % low).

It then times the whole path a calibration takes: gathering the facts (disciplines,
conclusions, the task register and declarations, confidence votes, section III,
participants), checking every proposed level against QĐ 366, and saving the decisions of all
deciding bodies with their quotas (`ratings.services.decide_all`, given (review id, level,
reason) tuples). The proposals are each member's highest allowed level under those facts,
with excellent ratings beyond a body's quota moved down to good (what the calibration screen
does). Then the same decisions are taken again (a re-rating of the whole province: every live
decision cancelled and replaced), timed too.

--never-analysed reproduces a freshly loaded database whose tables were never analysed:
after seeding, autovacuum is switched off on the tables the decision reads, their planner
statistics are deleted from pg_statistic and their size counters in pg_class reset to those of
a table never vacuumed nor analysed (needs a superuser), then both runs are timed, and
between them the old per-review `LATERAL … LIMIT 1` lookup of live decisions (before commit
3f9e1f5) is timed with EXPLAIN ANALYZE on a sample of --sample ids (under a statement timeout
of --timeout s) next to the set-based read that replaced it; afterwards autovacuum is
restored and the tables are vacuumed and analysed.

The campaign and every record seeded here (marked "[bench-decide]") are deleted afterwards
(--keep leaves them; --campaign ID reuses a kept campaign and its facts; --profile FILE writes
a cProfile of the first timed run; --no-facts runs the issue 5 benchmark without them).
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

from django.db import OperationalError, connection, transaction  # noqa: E402

from kiemdiem.ratings import facts as facts_mod  # noqa: E402
from kiemdiem.ratings import services  # noqa: E402
from kiemdiem.ratings.choices import RatingStage  # noqa: E402
from kiemdiem.ratings.models import Rating  # noqa: E402
from kiemdiem.ratings.rules import get_profile  # noqa: E402
from kiemdiem.reviews.models import Review  # noqa: E402

FACT_TAG = "[bench-decide]"
# (table, text column holding FACT_TAG) of every record seeded here, in deletion order
SEEDED = (
    ("performance_confidencevote", "note"),
    ("performance_taskassignment", "evidence"),
    ("performance_taskdeclaration", "basis"),
    ("discipline_conclusion", "summary"),
    ("discipline_discipline", "summary"),
    ("organisations_position", "title"),
)
# the tables a decision reads: without statistics in --never-analysed
READ_TABLES = (
    "ratings_rating", "reviews_review", "reviews_participant", "reviews_priorshortcoming", "ratings_quotaraise",
    "performance_taskassignment", "performance_taskdeclaration", "performance_confidencevote",
    "discipline_discipline", "discipline_conclusion", "organisations_position", "organisations_organisation",
    "organisations_member",
)


def execute(sql: str, params=()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def remove_seeded() -> dict[str, int]:
    """Delete the records seeded here (and whatever points at them)."""
    out = {}
    with transaction.atomic(), connection.cursor() as cur:
        for table, column in SEEDED:
            out[table] = lc._delete(cur, table, f"{column} = %s", [FACT_TAG])
    return out


def seed_leaders(province) -> int:
    """A secretary's post, held since 2024, for the first active member of each cell of the
    province: the launch then gives those members the leader's form (2A)."""
    return execute(
        """INSERT INTO organisations_position (member_id, organisation_id, role, title, start, "end")
           SELECT DISTINCT ON (m.organisation_id) m.id, m.organisation_id, 'secretary', %s, DATE '2024-01-01', NULL
           FROM organisations_member m JOIN organisations_organisation o ON o.id = m.organisation_id
           WHERE o.path LIKE %s AND m.status IN ('official', 'probationary')
           ORDER BY m.organisation_id, m.id""",
        [FACT_TAG, province.path + "%"])


def seed_facts(camp, province) -> dict[str, int]:
    """The task register, declarations, disciplines, conclusions and confidence votes of the
    campaign's subjects, deterministic by id (h = id × 7919 mod 100 picks a member's group)."""
    start, end, cid, body = camp.period_start, camp.period_end, camp.pk, province.pk
    n = {}
    members = """SELECT member_id, unit_id, org_path, form, (member_id * 7919) %% 100 AS h
                 FROM reviews_review WHERE campaign_id = %s AND member_id IS NOT NULL"""
    # h <  50: one task of three beyond requirement, all on time  -> excellent possible
    # h <  70: all on time, none beyond                           -> excellent_tasks (≤ HTTNV)
    # h <  80: all on time, one not to quality                    -> good_tasks (≤ HTNV)
    # h <  87: five tasks, one late (20 %)                        -> good_tasks (≤ HTNV)
    # h <  92: one late of three (33 %)                           -> done_late (KHTNV)
    # h <  95: two of three not done                              -> failed_tasks (KHTNV)
    # h <  97: one of three still pending (counts as failed)      -> good_tasks (≤ HTNV), low score
    # h = 97, 98: a declaration instead (all on time 40 % beyond / 10 % late); h = 99: nothing
    n["member tasks"] = execute(
        f"""INSERT INTO performance_taskassignment (member_id, organisation_id, org_path, title, assigned_by, assigned_on,
                deadline, status, quality_met, completed_on, evidence, created_by_id, created_at)
            SELECT member_id, NULL, org_path, 'Nhiệm vụ ' || k, 'Chi bộ', %s::date, deadline, status,
                   NOT (h BETWEEN 70 AND 79 AND k = 2),
                   CASE status WHEN 'late' THEN deadline + 12 WHEN 'on_time' THEN deadline - 3
                               WHEN 'beyond' THEN deadline - 10 END,
                   %s, NULL, now()
            FROM (SELECT s.member_id, s.org_path, s.h, k, %s::date + 50 * k AS deadline,
                         CASE WHEN s.h < 50 THEN CASE WHEN k = 1 THEN 'beyond' ELSE 'on_time' END
                              WHEN s.h < 80 THEN 'on_time'
                              WHEN s.h < 87 THEN CASE WHEN k = 3 THEN 'late' ELSE 'on_time' END
                              WHEN s.h < 92 THEN CASE WHEN k = 2 THEN 'late' ELSE 'on_time' END
                              WHEN s.h < 95 THEN CASE WHEN k <= 2 THEN 'not_done' ELSE 'on_time' END
                              ELSE CASE WHEN k = 3 THEN 'pending' ELSE 'on_time' END END AS status
                  FROM ({members}) s CROSS JOIN LATERAL generate_series(1, CASE WHEN s.h BETWEEN 80 AND 86 THEN 5 ELSE 3 END) k
                  WHERE s.h < 97) t""",
        [start, FACT_TAG, start, cid])
    # the cells the bench secretaries head: 4 tasks each, ≥ 70 % done but for 1 cell in 20
    n["cell tasks"] = execute(
        """INSERT INTO performance_taskassignment (member_id, organisation_id, org_path, title, assigned_by, assigned_on,
               deadline, status, quality_met, completed_on, evidence, created_by_id, created_at)
           SELECT NULL, o.id, o.path, 'Chỉ tiêu ' || k, 'Cấp ủy cấp trên', %s::date, %s::date + 60 * k,
                  CASE WHEN (o.id * 7919) %% 100 >= 95 AND k >= 3 THEN 'not_done'
                       WHEN (o.id * 7919) %% 100 >= 85 AND k = 4 THEN 'not_done' ELSE 'on_time' END,
                  true, CASE WHEN (o.id * 7919) %% 100 >= 95 AND k >= 3 THEN NULL
                             WHEN (o.id * 7919) %% 100 >= 85 AND k = 4 THEN NULL ELSE %s::date + 60 * k - 5 END,
                  %s, NULL, now()
           FROM organisations_position p JOIN organisations_organisation o ON o.id = p.organisation_id
           CROSS JOIN generate_series(1, 4) k WHERE p.title = %s""",
        [start, start, start, FACT_TAG, FACT_TAG])
    n["declarations"] = execute(
        f"""INSERT INTO performance_taskdeclaration (member_id, organisation_id, org_path, period_start, period_end,
                on_time_pct, beyond_pct, late_pct, failed_pct, all_quality_met, basis, created_by_id, created_at, updated_at)
            SELECT member_id, NULL, org_path, %s, %s, CASE h WHEN 97 THEN 100 ELSE 90 END, CASE h WHEN 97 THEN 40 ELSE 0 END,
                   CASE h WHEN 97 THEN 0 ELSE 10 END, 0, true, %s, NULL, now(), now()
            FROM ({members}) s WHERE h IN (97, 98)""",
        [start, end, FACT_TAG, cid])
    # disciplines decided in the period: 1 member in 60 (warning or reprimand; 1 in 5 not
    # duty-related, 1 in 7 self-detected and fixed), 1 cell in 200
    n["disciplines"] = execute(
        """INSERT INTO discipline_discipline (member_id, organisation_id, unit_id, org_path, form, deciding_body_id,
               decision_number, decided_on, violation_on, duty_related, self_detected_fixed, self_fix_evidence,
               self_fix_reference, summary, created_by_id, created_at)
           SELECT r.member_id, r.subject_org_id, r.unit_id, r.org_path,
                  CASE WHEN coalesce(r.member_id, r.subject_org_id) %% 3 = 0 THEN 'warning' ELSE 'reprimand' END, %s,
                  'QĐ-BENCH-' || r.id, %s::date + 160, %s::date + 60, coalesce(r.member_id, 1) %% 5 <> 0,
                  coalesce(r.member_id, 1) %% 7 = 0,
                  CASE WHEN coalesce(r.member_id, 1) %% 7 = 0 THEN 'Biên bản tự kiểm tra, khắc phục' ELSE '' END,
                  '', %s, NULL, now()
           FROM reviews_review r
           WHERE r.campaign_id = %s AND (CASE WHEN r.member_id IS NOT NULL THEN (r.member_id * 31) %% 60 = 7
                                             ELSE (r.subject_org_id * 31) %% 200 = 9 END)""",
        [body, start, start, FACT_TAG, cid])
    # conclusions in the period: 1 member in 80 (degraded / prohibitions / corruption in the
    # remit by id; 1 in 5 softened, 1 in 11 cancelled), disunity in 1 collective in 150
    n["conclusions"] = execute(
        """INSERT INTO discipline_conclusion (member_id, organisation_id, unit_id, org_path, kind, body_id, number,
               concluded_on, summary, self_detected_fixed, self_fix_evidence, self_fix_reference, created_by_id,
               created_at, cancelled_at, cancelled_by_id, cancel_reason)
           SELECT r.member_id, r.subject_org_id, r.unit_id, r.org_path,
                  CASE WHEN r.member_id IS NULL THEN 'disunity' WHEN r.member_id %% 3 = 0 THEN 'degraded'
                       WHEN r.member_id %% 3 = 1 THEN 'prohibitions' ELSE 'corruption_in_remit' END,
                  %s, 'KL-BENCH-' || r.id, %s::date + 250, %s, coalesce(r.member_id, 1) %% 5 = 0,
                  CASE WHEN coalesce(r.member_id, 1) %% 5 = 0 THEN 'Tự phát hiện, đã khắc phục' ELSE '' END, '', NULL, now(),
                  CASE WHEN coalesce(r.member_id, 1) %% 11 = 0 THEN now() END, NULL,
                  CASE WHEN coalesce(r.member_id, 1) %% 11 = 0 THEN 'Ghi nhầm' ELSE '' END
           FROM reviews_review r
           WHERE r.campaign_id = %s AND (CASE WHEN r.member_id IS NOT NULL THEN (r.member_id * 37) %% 80 = 11
                                             ELSE (r.subject_org_id * 37) %% 150 = 5 END)""",
        [body, start, FACT_TAG, cid])
    # confidence votes of every leader in the period (the latest counts): 1 in 10 over 50 % low;
    # 1 in 5 had an earlier vote with a low majority, superseded
    n["confidence votes"] = execute(
        f"""INSERT INTO performance_confidencevote (member_id, body_id, org_path, held_on, total, high, medium, low, note,
                created_by_id, created_at)
            SELECT member_id, %s, org_path, %s::date + v.day, 25, 20 - v.low, 5, v.low, %s, NULL, now()
            FROM ({members}) s CROSS JOIN LATERAL (
                SELECT 270 AS day, CASE WHEN (s.member_id * 13) %% 100 >= 90 THEN 15 ELSE 3 END AS low
                UNION ALL SELECT 60, 15 WHERE (s.member_id * 13) %% 100 >= 80) v
            WHERE s.form = '2A'""",
        [body, start, FACT_TAG, cid])
    for table, _column in SEEDED:
        execute(f"ANALYZE {table}")
    return n


def proposals(camp) -> tuple[list[tuple], int, dict]:
    """Each member's highest allowed level under the recorded facts, excellent ratings beyond a
    body's quota moved down to good; the number of deciding bodies; the levels proposed."""
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
    levels = defaultdict(int)
    for _rid, level, _reason in decisions:
        levels[level] += 1
    return decisions, len(by_body), dict(levels)


# --- a database never analysed ---------------------------------------------------------------

def _existing(tables) -> list[str]:
    return [t for t in tables if lc.scalar("SELECT to_regclass(%s) IS NOT NULL", [t])]


_RELATIONS = "SELECT unnest(%s::regclass[]) UNION SELECT indexrelid FROM pg_index WHERE indrelid = ANY(%s::regclass[])"


def forget_statistics(tables: list[str]) -> int:
    """Autovacuum off, no planner statistics (pg_statistic) and the size counters of a table
    never vacuumed nor analysed (pg_class: reltuples -1, relpages 0, relallvisible 0) for
    `tables` and their indexes, as after `migrate` and a bulk load (superuser)."""
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        cur.execute(f"DELETE FROM pg_statistic WHERE starelid IN ({_RELATIONS})", [tables, tables])
        removed = cur.rowcount
        cur.execute(f"UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 WHERE oid IN ({_RELATIONS})",
                    [tables, tables])
        return removed


def restore_statistics(tables: list[str]) -> None:
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
            cur.execute(f"VACUUM ANALYZE {table}")


def statistics_rows(tables: list[str]) -> int:
    return lc.scalar("SELECT count(*) FROM pg_statistic WHERE starelid = ANY(%s::regclass[])", [tables])


OLD_LOOKUP = """SELECT r.review_id, r.id, r.level FROM unnest(%s::bigint[]) AS t(id) CROSS JOIN LATERAL (
    SELECT x.review_id, x.id, x.level FROM ratings_rating x
    WHERE x.review_id = t.id AND x.stage = %s AND x.cancelled_at IS NULL LIMIT 1) r"""


def explain_lookups(camp, ids: list[int], sample: int, timeout: float) -> None:
    """EXPLAIN ANALYZE of the old per-review lookup on `sample` ids (spread over the list)
    and of the set-based read of the campaign's live decisions that replaced it."""
    step = max(1, len(ids) // sample)
    chosen = sorted(ids)[::step][:sample]
    literal = "{" + ",".join(map(str, chosen)) + "}"
    lc.say(f"\n  old lookup (LATERAL … LIMIT 1 per review), {len(chosen):,} of {len(ids):,} ids, "
           f"statement timeout {timeout:.0f} s:")
    t0 = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
            cur.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + OLD_LOOKUP, [literal, RatingStage.DECISION])
            plan = [row[0] for row in cur.fetchall()]
        took = time.perf_counter() - t0
        lc.say("    " + "\n    ".join(plan))
        lc.say(f"  -> {took:.2f} s for {len(chosen):,} ids; for all {len(ids):,}: ≈ {took * len(ids) / len(chosen):.0f} s "
               f"(linear extrapolation)")
    except OperationalError as exc:  # QueryCanceled
        took = time.perf_counter() - t0
        with connection.cursor() as cur:
            cur.execute("EXPLAIN " + OLD_LOOKUP, [literal, RatingStage.DECISION])
            lc.say("    " + "\n    ".join(row[0] for row in cur.fetchall()))
        lc.say(f"  -> cancelled after {took:.0f} s ({str(exc).strip()}): for all {len(ids):,} ids "
               f"> {took * len(ids) / len(chosen):.0f} s")
    live = Rating.objects.filter(stage=RatingStage.DECISION, cancelled_at__isnull=True, campaign_id=camp.pk)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        t0 = time.perf_counter()
        plan = live.values_list("review_id", "id", "level").explain(analyze=True, buffers=True)
        took = time.perf_counter() - t0
    lc.say(f"\n  new lookup (every live decision of the campaign, one read), all {len(ids):,} ids:\n    "
           + plan.replace("\n", "\n    ") + f"\n  -> {took:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the campaign and the seeded facts in place")
    parser.add_argument("--campaign", type=int, help="reuse a campaign (and its facts) kept by --keep")
    parser.add_argument("--profile", help="write a cProfile of the first timed run to this file")
    parser.add_argument("--no-facts", action="store_true", help="no task register, discipline, conclusions, votes")
    parser.add_argument("--never-analysed", action="store_true",
                        help="time both runs with no planner statistics on the tables read (superuser)")
    parser.add_argument("--sample", type=int, default=2000, help="ids for the old lookup's EXPLAIN (--never-analysed)")
    parser.add_argument("--timeout", type=float, default=300, help="its statement timeout, seconds")
    args = parser.parse_args()
    actor = lc.bench_user()
    province = lc.Organisation.objects.filter(code="TH-29").first() or \
        lc.Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True).order_by("path").first()
    label = f"xếp loại {province.code}"
    tables, stripped = [], False
    if not args.campaign:
        remove_seeded()  # leftovers of an interrupted run
    camp = lc.own_campaign(actor, province, label, args.campaign)
    try:
        if not args.campaign:
            t0 = time.perf_counter()
            leaders = 0 if args.no_facts else seed_leaders(province)
            lc.launch(actor=actor, campaign=camp)
            with connection.cursor() as cur:  # scores 40..100 spread by id: every band occurs
                cur.execute("""UPDATE reviews_review SET self_score_common = 20 + (id %% 11),
                               self_score_tasks = 20 + (id * 7 %% 51) WHERE campaign_id = %s AND member_id IS NOT NULL""",
                            [camp.pk])
            lc.say(f"launched and scored {province.code} in {time.perf_counter() - t0:.1f} s "
                   f"({leaders:,} bench secretaries' posts)")
            if not args.no_facts:
                t0 = time.perf_counter()
                seeded = seed_facts(camp, province)
                lc.say("seeded " + ", ".join(f"{v:,} {k}" for k, v in seeded.items())
                       + f" in {time.perf_counter() - t0:.1f} s")
            # the scoring UPDATE left a dead twin of every review, and earlier runs' deleted
            # ratings may linger: this CI server runs without autovacuum, a production one would
            # have cleaned them before a calibration
            for table in ("reviews_review", "ratings_rating"):
                execute(f"VACUUM ANALYZE {table}")

        # the proposals (not timed): highest allowed level, excess excellent moved to good per body
        decisions, bodies, levels = proposals(camp)
        lc.say(f"{len(decisions):,} proposals under {bodies:,} deciding bodies: "
               + ", ".join(f"{k} {v:,}" for k, v in sorted(levels.items())))

        if args.never_analysed:
            tables = _existing(READ_TABLES)
            stripped = True
            removed = forget_statistics(tables)
            lc.say(f"never analysed: autovacuum off, {removed:,} pg_statistic rows deleted and pg_class counters reset "
                   f"for {', '.join(tables)} (and their indexes); {statistics_rows(tables)} statistics rows left")

        for run, what in enumerate(("validate and decide", "decide again (replacing every decision)")):
            if run == 1 and args.never_analysed:
                explain_lookups(camp, [d[0] for d in decisions], args.sample, args.timeout)
                lc.say(f"  statistics rows on those tables now: {statistics_rows(tables)}\n")
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
        if args.never_analysed:
            lc.say(f"statistics rows on those tables after both runs: {statistics_rows(tables)}")
    finally:
        if stripped:
            t0 = time.perf_counter()
            restore_statistics(tables)
            lc.say(f"autovacuum restored and {len(tables)} tables vacuumed and analysed in {time.perf_counter() - t0:.1f} s")
        if args.keep:
            lc.say(f"kept campaign {camp.pk} and the seeded facts")
        else:
            lc.cleanup([camp.pk])
            removed = remove_seeded()
            lc.say("  removed the seeded " + ", ".join(f"{table} {n:,}" for table, n in removed.items() if n))


if __name__ == "__main__":
    main()
