"""Benchmark: report statistics on the synthetic national tree (issue 7, acceptance 3).

Targets: the full statistics of one province in under 300 ms; the national roll-up
(distributions and completion per province) in under 5 s; each beside a naive per-node ORM
version and a single raw SQL aggregate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/report_statistics.py
    ... --prepare-only   # build the data and stop
    ... --drop           # delete everything this benchmark added and stop

Preparation (once; idempotent, reused by later runs): seed_synthetic has 34 provinces and no
national node, so the "national annual campaign" is one campaign per province, titled with
TAG (distinct from bench/launch_campaign.py's, whose cleanup() must not delete these), each
launched with reviews.launch (~8 min for the nation). Then, with set-based SQL: self-scores,
proposed levels and statuses for every review (92% final, 4% accepted, 2% submitted, 2%
draft), a decision rating for every member and organisation (members ≈10% HTXSNV, 70% HTTNV,
17% HTNV, 3% KHTNV), a discipline for one member in 1,000, and a shortcoming with a
remediation item for one member review in 40. Each step runs only if its rows are missing.

Measurements (best and median of --repeat, with CPU of Python and of the PostgreSQL backend):
  (1) one province (default TH-29): every statistics function the statistics page calls, as
      reports.statistics.summary + feedback_by_source, and (if present) the page's whole data
      reports.selectors.statistics_data; beside (1n) the naive loop over the province's nodes,
      one ORM query per node and figure, and (1s) one raw SQL statement;
  (2) the nation: reports.statistics.rollup (member and organisation distributions and
      completion per province); beside (2n) the naive loop over every node (measured on a
      sample and extrapolated, said so) and (2s) one raw SQL statement.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import launch_campaign as lc  # noqa: E402  (sets up Django)

from django.db import OperationalError, connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from kiemdiem.campaigns.models import Campaign  # noqa: E402
from kiemdiem.organisations.models import Organisation  # noqa: E402
from kiemdiem.ratings.models import Rating  # noqa: E402
from kiemdiem.reports import statistics  # noqa: E402
from kiemdiem.reviews.models import Review  # noqa: E402

TAG = "[bench-report]"
YEAR = 2025
say = lc.say


def scalar(sql, params=()):
    return lc.scalar(sql, params)


def execute(sql, params=()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def campaigns() -> list[Campaign]:
    return list(Campaign.objects.filter(title__startswith=TAG).order_by("issuer__path"))


def provinces() -> list[Organisation]:
    return list(Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True).order_by("path"))


# --- preparation ----------------------------------------------------------------------------

def score_and_decide(cid: int) -> int:
    """Self-scores, proposed levels and statuses of one campaign's reviews, and a live decision
    for each (set-based, deterministic spread by id)."""
    with transaction.atomic():
        execute("""UPDATE reviews_review SET
                     self_score_common = 20 + (id %% 11), self_score_tasks = 20 + (id * 7 %% 51),
                     proposed_level = CASE WHEN (id * 13) %% 100 < 14 THEN 'HTXSNV' WHEN (id * 13) %% 100 < 82 THEN 'HTTNV'
                                           WHEN (id * 13) %% 100 < 98 THEN 'HTNV' ELSE 'KHTNV' END,
                     status = CASE WHEN (id * 7) %% 100 < 92 THEN 'final' WHEN (id * 7) %% 100 < 96 THEN 'accepted'
                                   WHEN (id * 7) %% 100 < 98 THEN 'submitted' ELSE 'draft' END
                   WHERE campaign_id = %s""", [cid])
        return execute("""INSERT INTO ratings_rating (review_id, stage, profile_key, level, score, org_path, warnings, reason,
                                                      previous_level, created_at, cancelled_at, cancel_reason, actor_id, body_id,
                                                      campaign_id, subject_kind)
                          SELECT r.id, 'decision', c.rules_profile,
                                 CASE WHEN r.member_id IS NOT NULL THEN
                                        CASE WHEN (r.id * 13) %% 100 < 10 THEN 'HTXSNV' WHEN (r.id * 13) %% 100 < 80 THEN 'HTTNV'
                                             WHEN (r.id * 13) %% 100 < 97 THEN 'HTNV' ELSE 'KHTNV' END
                                      ELSE CASE WHEN (r.id * 13) %% 100 < 15 THEN 'HTXSNV' WHEN (r.id * 13) %% 100 < 75 THEN 'HTTNV'
                                             WHEN (r.id * 13) %% 100 < 98 THEN 'HTNV' ELSE 'KHTNV' END END,
                                 r.self_score_common + r.self_score_tasks, r.org_path, '[]'::jsonb, '', '', now(), NULL, '', NULL, NULL,
                                 r.campaign_id, COALESCE(o.kind, 'member')
                          FROM reviews_review r JOIN campaigns_campaign c ON c.id = r.campaign_id
                               LEFT JOIN organisations_organisation o ON o.id = r.subject_org_id
                          WHERE r.campaign_id = %s""", [cid])


def prepare(actor) -> list[Campaign]:
    roots = provinces()
    have = {c.issuer_id: c for c in campaigns()}
    with lc.Clock() as total:
        for i, p in enumerate(roots, 1):
            camp = have.get(p.pk)
            if camp is None:
                camp = lc.campaign_services.campaign_create(
                    actor=actor, issuer=p, title=f"{TAG} toàn quốc/{p.code} {YEAR}", kind=lc.CampaignKind.ANNUAL,
                    year=YEAR, period_start=lc.D(YEAR, 1, 1), period_end=lc.D(YEAR, 12, 31),
                    plan_number="Kế hoạch số 00-KH/BENCH",
                    deadlines={lc.Stage.DRAFTS: lc.D(YEAR, 12, 10), lc.Stage.MEETINGS: lc.D(YEAR + 1, 1, 15)})
                have[p.pk] = camp
            if not Review.objects.filter(campaign=camp).exists():
                with lc.Clock() as clock:
                    counts = lc.launch(actor=actor, campaign=camp)
                say(f"  launched {p.code} ({i}/{len(roots)}): {lc.describe(counts)} in {clock.wall:.1f} s; {lc.loadavg()}")
    camps = [have[p.pk] for p in roots]
    ids = [c.pk for c in camps]
    say(f"  campaigns ready: {len(ids)} ({total.wall:.0f} s)")

    t0, n = time.perf_counter(), 0
    for cid in ids:  # one short transaction per campaign: other benchmarks share the database
        if Rating.objects.filter(review__campaign_id=cid).exists():
            continue
        for attempt in range(3):
            try:
                n += score_and_decide(cid)
                break
            except OperationalError as exc:  # a deadlock with another benchmark: retry
                say(f"  campaign {cid}: {str(exc).splitlines()[0]}; retrying")
                time.sleep(5)
    if n:
        say(f"  scores, statuses and {n:,} decision ratings in {time.perf_counter() - t0:.0f} s")

    if not scalar("SELECT EXISTS (SELECT 1 FROM discipline_discipline WHERE decision_number LIKE 'BENCH-R%%')"):
        t0 = time.perf_counter()
        n = execute("""INSERT INTO discipline_discipline (member_id, organisation_id, unit_id, org_path, form, deciding_body_id,
                              decision_number, decided_on, violation_on, duty_related, self_detected_fixed, summary,
                              created_by_id, created_at)
                       SELECT m.id, NULL, o.id, o.path,
                              CASE (m.id / 1000) %% 10 WHEN 6 THEN 'warning' WHEN 7 THEN 'warning' WHEN 8 THEN 'dismissal'
                                   WHEN 9 THEN 'expulsion' ELSE 'reprimand' END,
                              COALESCE(o.parent_id, o.id), 'BENCH-R-' || m.id, DATE '2025-02-01' + (m.id %% 300)::int, NULL,
                              true, false, '', NULL, now()
                       FROM organisations_member m JOIN organisations_organisation o ON o.id = m.organisation_id
                       WHERE m.id %% 1000 = 0 AND m.status IN ('official', 'probationary')""")
        say(f"  {n:,} disciplines in {time.perf_counter() - t0:.0f} s")

    if not scalar("""SELECT EXISTS (SELECT 1 FROM reviews_shortcoming s JOIN reviews_review r ON r.id = s.review_id
                                    WHERE r.campaign_id = %s)""", [ids[0]]):
        t0 = time.perf_counter()
        with transaction.atomic():
            n = execute("""INSERT INTO reviews_shortcoming (review_id, text, "order")
                           SELECT id, 'Chưa gương mẫu trong sinh hoạt chi bộ', 0 FROM reviews_review
                           WHERE campaign_id = ANY(%s) AND member_id IS NOT NULL AND id %% 40 = 0""", [ids])
            m = execute("""INSERT INTO remediation_remediationitem (member_id, organisation_id, shortcoming_id, review_id, org_path,
                                  text, state, long_standing, repeats_id, verified_by_id, verification_note, created_at, closed_at)
                           SELECT r.member_id, NULL, s.id, r.id, r.org_path, s.text,
                                  (ARRAY['new', 'planned', 'in_progress', 'done', 'verified', 'reopened'])[1 + (s.id %% 6)],
                                  false, NULL, NULL, '', now(), NULL
                           FROM reviews_shortcoming s JOIN reviews_review r ON r.id = s.review_id
                           WHERE r.campaign_id = ANY(%s)""", [ids])
        say(f"  {n:,} shortcomings and {m:,} remediation items in {time.perf_counter() - t0:.0f} s")
    with connection.cursor() as cur:
        for table in ("reviews_review", "ratings_rating", "discipline_discipline", "reviews_shortcoming",
                      "remediation_remediationitem"):
            cur.execute(f"VACUUM ANALYZE {table}")  # the UPDATE left a dead twin of every review
    return camps


def drop() -> None:
    ids = [c.pk for c in campaigns()]
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        if scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            cur.execute("SET LOCAL session_replication_role = replica")
        n = lc._delete(cur, "discipline_discipline", "decision_number LIKE %s", ["BENCH-R-%"])
        if ids:
            lc._delete(cur, "campaigns_campaign", "id = ANY(%s)", [ids])
    with connection.cursor() as cur:
        for table in ("reviews_review", "reviews_ineligibility", "ratings_rating", "reviews_shortcoming",
                      "remediation_remediationitem", "discipline_discipline"):
            cur.execute(f"VACUUM ANALYZE {table}")
    say(f"dropped {len(ids)} campaign(s) and {n:,} disciplines in {time.perf_counter() - t0:.0f} s")


# --- (1) one province ---------------------------------------------------------------------

def province_statistics(campaign, province):
    data = statistics.summary(campaign, province)
    data["feedback"] = statistics.feedback_by_source(campaign, province.path)
    return data


def province_naive(campaign, province, sample: int | None):
    """Per node of the province, one ORM query per figure: reviews by status, decided levels
    (members and the node itself), discipline, remediation; summed in Python."""
    from kiemdiem.discipline.models import Discipline
    from kiemdiem.remediation.models import RemediationItem

    nodes = list(Organisation.objects.filter(path__startswith=province.path).values_list("pk", flat=True))
    chosen = nodes if not sample or sample >= len(nodes) else random.Random(1).sample(nodes, sample)
    tallies = defaultdict(int)
    start, end = campaign.period_start, campaign.period_end
    for pk in chosen:
        for status, n in Review.objects.filter(campaign=campaign, unit_id=pk).values_list("status").annotate(n=Count("id")).order_by():
            tallies[("status", status)] += n
        for level, n in (Rating.objects.filter(review__campaign=campaign, review__unit_id=pk, review__member__isnull=False,
                                               stage="decision", cancelled_at__isnull=True)
                         .values_list("level").annotate(n=Count("id")).order_by()):
            tallies[("member", level)] += n
        for level in Rating.objects.filter(review__campaign=campaign, review__subject_org_id=pk, stage="decision",
                                           cancelled_at__isnull=True).values_list("level", flat=True):
            tallies[("org", level)] += 1
        for form, n in (Discipline.objects.filter(unit_id=pk, member__isnull=False, decided_on__gte=start, decided_on__lte=end)
                        .values_list("form").annotate(n=Count("id")).order_by()):
            tallies[("discipline", form)] += n
        for state, n in RemediationItem.objects.filter(review__unit_id=pk).values_list("state").annotate(n=Count("id")).order_by():
            tallies[("remediation", state)] += n
    return len(nodes), len(chosen), dict(tallies)


PROVINCE_SQL = """
    SELECT 'status', status, count(*) FROM reviews_review WHERE campaign_id = %(c)s AND org_path LIKE %(p)s GROUP BY status
    UNION ALL
    SELECT CASE WHEN subject_kind = 'member' THEN 'member' ELSE 'org' END, level, count(*)
      FROM ratings_rating
     WHERE campaign_id = %(c)s AND org_path LIKE %(p)s AND stage = 'decision' AND cancelled_at IS NULL
     GROUP BY 1, 2
    UNION ALL
    SELECT 'discipline', form, count(*) FROM discipline_discipline
     WHERE org_path LIKE %(p)s AND member_id IS NOT NULL AND decided_on BETWEEN %(s)s AND %(e)s GROUP BY form
    UNION ALL
    SELECT 'remediation', state, count(*) FROM remediation_remediationitem WHERE org_path LIKE %(p)s GROUP BY state
"""


def province_sql(campaign, province):
    with connection.cursor() as cur:
        cur.execute(PROVINCE_SQL, {"c": campaign.pk, "p": province.path + "%", "s": campaign.period_start, "e": campaign.period_end})
        return {(k, v): n for k, v, n in cur.fetchall()}


# --- (2) the nation -------------------------------------------------------------------------

def national_naive(camps, sample: int):
    """Every node, one ORM query each (decided levels of the reviews held there, and its
    reviews by status): measured on a random sample of nodes and extrapolated."""
    ids = [c.pk for c in camps]
    nodes = list(Organisation.objects.values_list("pk", flat=True))
    chosen = random.Random(2).sample(nodes, min(sample, len(nodes)))
    with lc.Clock() as clock:
        for pk in chosen:
            list(Rating.objects.filter(review__campaign_id__in=ids, review__unit_id=pk, stage="decision", cancelled_at__isnull=True)
                 .values_list("level").annotate(n=Count("id")).order_by())
            list(Review.objects.filter(campaign_id__in=ids, unit_id=pk).values_list("status").annotate(n=Count("id")).order_by())
    return len(nodes), len(chosen), clock.wall * len(nodes) / len(chosen), clock


NATIONAL_SQL = """
    SELECT split_part(org_path, '.', 1), CASE WHEN subject_kind = 'member' THEN 'member' ELSE 'org' END, level, count(*)
      FROM ratings_rating
     WHERE campaign_id = ANY(%(c)s) AND stage = 'decision' AND cancelled_at IS NULL
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT split_part(org_path, '.', 1), 'status', status, count(*) FROM reviews_review
     WHERE campaign_id = ANY(%(c)s) GROUP BY 1, 3
"""


def national_sql(camps):
    with connection.cursor() as cur:
        cur.execute(NATIONAL_SQL, {"c": [c.pk for c in camps]})
        return cur.fetchall()


def report(label, clock, median, target_ms=None, extra=""):
    verdict = f" [{lc.verdict(clock.wall * 1000, target_ms)}: < {target_ms:,} ms]" if target_ms else ""
    say(f"  {label}: best {clock.wall * 1000:,.0f} ms, median {median * 1000:,.0f} ms{verdict} ({clock.cpu_text('ms')}){extra}; "
        f"{lc.loadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--province", default="TH-29")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--naive-sample", type=int, default=2000, help="nodes of the nation timed in the naive loop")
    ap.add_argument("--province-sample", type=int, default=0, help="time the province's naive loop on this many nodes (0: all)")
    ap.add_argument("--no-jit", action="store_true", help="SET jit = off on the connection (PostgreSQL's JIT costs ~0.2 s here)")
    ap.add_argument("--skip-national", action="store_true", help="time the province only")
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument("--drop", action="store_true", help="delete the benchmark's campaigns and data, then stop")
    args = ap.parse_args()
    db = connection.settings_dict
    say(f"database: {db['NAME']}; {lc.os.cpu_count()} CPUs; {lc.loadavg()}")
    lc.call_command("migrate", interactive=False, verbosity=0)
    if args.drop:
        drop()
        return
    actor = lc.bench_user()
    say("preparing (only what is missing)")
    camps = prepare(actor)
    if args.prepare_only:
        return
    if args.no_jit:
        execute("SET jit = off")
        say("jit = off for this connection")
    province = Organisation.objects.get(code=args.province)
    camp = next(c for c in camps if c.issuer_id == province.pk)
    members = Review.objects.filter(campaign=camp, member__isnull=False).count()
    say(f"\n(1) province {province.code} {province.name}: {members:,} member reviews")
    clock, median, data = lc.best_of(lambda: province_statistics(camp, province), args.repeat)
    report("statistics.summary + feedback_by_source", clock, median, 300,
           f"; {data['members'].total:,} members rated, {data['completion']['children_complete']}/{data['completion']['children']} complete")
    try:
        from kiemdiem.reports import selectors as report_selectors
    except ImportError:
        report_selectors = None
    if report_selectors is not None and hasattr(report_selectors, "statistics_data"):
        clock, median, _d = lc.best_of(lambda: report_selectors.statistics_data(camp, province), max(1, args.repeat // 2))
        report("the statistics page's whole data (reports.selectors.statistics_data)", clock, median, 300)
    clock, median, raw = lc.best_of(lambda: province_sql(camp, province), args.repeat)
    report("one raw SQL statement", clock, median)
    assert sum(n for (k, _v), n in raw.items() if k == "member") == data["members"].total
    with lc.Clock() as clock:
        nodes, timed, tallies = province_naive(camp, province, args.province_sample)
    if timed == nodes:
        say(f"  naive per-node ORM loop: {clock.wall:,.1f} s for {nodes:,} nodes × 5 queries ({clock.cpu_text()}); {lc.loadavg()}")
        assert sum(n for (k, _v), n in tallies.items() if k == "member") == data["members"].total
    else:
        say(f"  naive per-node ORM loop: {timed:,} of {nodes:,} nodes × 5 queries in {clock.wall:,.1f} s → extrapolated "
            f"{clock.wall * nodes / timed:,.0f} s for every node ({clock.cpu_text()}); {lc.loadavg()}")

    if args.skip_national:
        return
    say(f"\n(2) the nation: {len(camps)} provincial campaigns")
    clock, median, roll = lc.best_of(lambda: statistics.rollup(camps), max(1, args.repeat // 2))
    total = sum(r["members"].total for r in roll.values())
    report("statistics.rollup", clock, median, 5000, f"; {len(roll)} provinces, {total:,} members rated")
    clock, median, rows = lc.best_of(lambda: national_sql(camps), max(1, args.repeat // 2))
    report("one raw SQL statement", clock, median)
    assert sum(n for _p, kind, _l, n in rows if kind == "member") == total
    nodes, timed, estimate, clock = national_naive(camps, args.naive_sample)
    say(f"  naive per-node ORM loop: {timed:,} of {nodes:,} nodes in {clock.wall:.1f} s → extrapolated "
        f"{estimate:,.0f} s = {estimate / 60:.0f} min for every node ({clock.cpu_text()}); {lc.loadavg()}")


if __name__ == "__main__":
    main()
