"""Removal candidates (xóa tên) of one province (issue 6: < 10 s for ≈165,000 members with
12 months of attendance and dues).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/removal_candidates.py
    # remove the generated attendance, dues and cases again:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench .venv/bin/python bench/removal_candidates.py --drop

Uses the synthetic tree of bench/member_counts.py (PostgreSQL only) and the helpers of
bench/launch_campaign.py. For every member of the province (TH-29 by default) it generates, with
set-based SQL (INSERT … SELECT over generate_series, deterministic pseudo-random by hashtext),
12 months of `YEAR`:

- a regular cell meeting per member-holding unit and month (title starting with TAG), and every
  active member's attendance at it: ≈ 2 % unexcused, 5 % excused, the rest present; 1 member
  in 100 is a habitual absentee (unexcused about one month in three);
- dues (đảng phí) for each month paid, amount DUES_AMOUNT (the marker of generated rows):
  ≈ 1.5 % of months unpaid, 6 members in 1,000 habitually late (one month in three unpaid);
- months before a member's membership started get neither (the synthetic memberships start on
  2025-07-01 or later, hence `YEAR` = 2026, the first whole year).

The data are generated once and reused by later runs (a run checks the counts); `--drop`
deletes them (attendance, meetings, dues and the removal cases of the year in the province).
Then it times, best of --repeat:

  a. `removal.candidates()` for the province's members (the computation);
  b. `services.removal_refresh()` for the province, what the page's "Rà soát" button runs:
     the computation plus storing the cases (first run: all new; then again: nothing new);
  c. (a) with parallel query off, so that the CPU time read for the database backend is all of
     PostgreSQL's work: Python + PostgreSQL CPU is what the step costs on an idle machine;

and checks the candidates against an independent SQL count. `today` is the year's last day so
all 12 months count (the machine's clock may be inside `YEAR`). The removal cases created by (b)
are deleted at the end unless --keep.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import launch_campaign as lc  # noqa: E402  (sets up Django)

from django.db import connection, transaction  # noqa: E402

from kiemdiem.organisations.models import Member, Organisation  # noqa: E402
from kiemdiem.remediation import removal, services  # noqa: E402
from kiemdiem.remediation.models import RemovalCase  # noqa: E402

TAG = "[bench-removal]"
YEAR = 2026
DUES_AMOUNT = 29_029  # VND; marks the generated dues rows
D = lc.D
say, scalar = lc.say, lc.scalar
ACTIVE = "('official', 'probationary')"


# --- the data -------------------------------------------------------------------------------

def expected_meetings(path: str) -> int:
    return 12 * scalar("""SELECT count(DISTINCT mb.organisation_id) FROM organisations_member mb
                          JOIN organisations_organisation o ON o.id = mb.organisation_id
                          WHERE o.path LIKE %s AND mb.status IN """ + ACTIVE, [path + "%"])


def drop(path: str) -> None:
    """Delete the generated rows of the province and the removal cases of YEAR there."""
    t0 = time.perf_counter()
    like = path + "%"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM remediation_removalcase WHERE year = %s AND org_path LIKE %s", [YEAR, like])
        cases = cur.rowcount
        cur.execute("""CREATE TEMP TABLE bench_meetings ON COMMIT DROP AS
                       SELECT cm.id FROM remediation_cellmeeting cm JOIN organisations_organisation o ON o.id = cm.organisation_id
                       WHERE o.path LIKE %s AND cm.title LIKE %s AND cm.held_on BETWEEN %s AND %s""",
                    [like, TAG + "%", D(YEAR, 1, 1), D(YEAR, 12, 31)])
        cur.execute("DELETE FROM remediation_meetingattendance WHERE meeting_id IN (SELECT id FROM bench_meetings)")
        attendance = cur.rowcount
        cur.execute("DELETE FROM remediation_cellmeeting WHERE id IN (SELECT id FROM bench_meetings)")
        meetings = cur.rowcount
        cur.execute("""DELETE FROM remediation_duespayment d USING organisations_member mb, organisations_organisation o
                       WHERE mb.id = d.member_id AND o.id = mb.organisation_id AND o.path LIKE %s
                       AND d.amount = %s AND d.month BETWEEN %s AND %s""", [like, DUES_AMOUNT, D(YEAR, 1, 1), D(YEAR, 12, 31)])
        dues = cur.rowcount
    with connection.cursor() as cur:
        for table in ("remediation_meetingattendance", "remediation_cellmeeting", "remediation_duespayment", "remediation_removalcase"):
            cur.execute(f"VACUUM ANALYZE {table}")
    say(f"  dropped {meetings:,} meetings, {attendance:,} attendance rows, {dues:,} dues payments, "
        f"{cases:,} removal cases in {time.perf_counter() - t0:.1f} s")


def generate(path: str) -> None:
    """12 months of meetings, attendance and dues for every active member under `path`, in one
    transaction (all or nothing), by INSERT … SELECT."""
    like = path + "%"
    with transaction.atomic(), connection.cursor() as cur:
        if scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            cur.execute("SET LOCAL session_replication_role = replica")  # consistent by construction
        with lc.Clock() as clock:
            cur.execute(
                """INSERT INTO remediation_cellmeeting (organisation_id, held_on, kind, title)
                   SELECT o.id, make_date(%s, m, 5), 'regular', %s || ' Sinh hoạt chi bộ tháng ' || m
                   FROM organisations_organisation o CROSS JOIN generate_series(1, 12) m
                   WHERE o.path LIKE %s AND EXISTS (SELECT 1 FROM organisations_member mb
                                                    WHERE mb.organisation_id = o.id AND mb.status IN """ + ACTIVE + ")",
                [YEAR, TAG, like])
            meetings = cur.rowcount
        say(f"  {meetings:,} meetings in {clock.wall:.1f} s")
        # one membership start per member (the earliest open official one)
        cur.execute("""CREATE TEMP TABLE bench_members ON COMMIT DROP AS
                       SELECT mb.id, mb.organisation_id, min(ms.start) AS since
                       FROM organisations_member mb JOIN organisations_organisation o ON o.id = mb.organisation_id
                       JOIN organisations_membership ms ON ms.member_id = mb.id AND ms.kind = 'official' AND ms."end" IS NULL
                       WHERE o.path LIKE %s AND mb.status IN """ + ACTIVE + """
                       GROUP BY mb.id, mb.organisation_id""", [like])
        cur.execute("ANALYZE bench_members")
        with lc.Clock() as clock:
            cur.execute(
                """INSERT INTO remediation_meetingattendance (meeting_id, member_id, status)
                   SELECT cm.id, b.id, CASE
                       WHEN abs(hashtext('absentee' || b.id)) %% 100 = 0 AND abs(hashtext('a' || b.id || '-' || cm.held_on)) %% 3 = 0
                           THEN 'unexcused'
                       WHEN abs(hashtext('a' || b.id || '-' || cm.held_on)) %% 1000 < 20 THEN 'unexcused'
                       WHEN abs(hashtext('a' || b.id || '-' || cm.held_on)) %% 1000 < 70 THEN 'excused'
                       ELSE 'present' END
                   FROM bench_members b JOIN remediation_cellmeeting cm ON cm.organisation_id = b.organisation_id
                   WHERE cm.title LIKE %s AND cm.held_on BETWEEN %s AND %s AND cm.held_on >= b.since""",
                [TAG + "%", D(YEAR, 1, 1), D(YEAR, 12, 31)])
            attendance = cur.rowcount
        say(f"  {attendance:,} attendance rows in {clock.wall:.1f} s ({clock.cpu_text()})")
        with lc.Clock() as clock:
            cur.execute(
                """INSERT INTO remediation_duespayment (member_id, month, amount, paid_on)
                   SELECT b.id, make_date(%s, m, 1), %s, make_date(%s, m, 10)
                   FROM bench_members b CROSS JOIN generate_series(1, 12) m
                   WHERE make_date(%s, m, 1) >= date_trunc('month', b.since)::date
                   AND NOT (abs(hashtext('late' || b.id)) %% 1000 < 6 AND abs(hashtext('d' || b.id || '-' || m)) %% 3 = 0)
                   AND abs(hashtext('d' || b.id || '-' || m)) %% 1000 >= 15""",
                [YEAR, DUES_AMOUNT, YEAR, YEAR])
            dues = cur.rowcount
        say(f"  {dues:,} dues payments in {clock.wall:.1f} s ({clock.cpu_text()})")
    with connection.cursor() as cur:
        for table in ("remediation_meetingattendance", "remediation_cellmeeting", "remediation_duespayment"):
            cur.execute(f"VACUUM ANALYZE {table}")


def ensure_data(path: str) -> None:
    """Reuse the generated data when every meeting is there (it is written in one transaction:
    all or nothing), otherwise drop what there is and generate it."""
    like = path + "%"
    meetings = scalar("""SELECT count(*) FROM remediation_cellmeeting cm JOIN organisations_organisation o
                         ON o.id = cm.organisation_id WHERE o.path LIKE %s AND cm.title LIKE %s
                         AND cm.held_on BETWEEN %s AND %s""", [like, TAG + "%", D(YEAR, 1, 1), D(YEAR, 12, 31)])
    if meetings and meetings == expected_meetings(path):
        say(f"  reusing the generated data: {meetings:,} meetings with their attendance, and the dues "
            f"(`--drop` deletes them)")
        return
    if meetings:
        say(f"  stale generated data ({meetings:,} meetings): dropping it first")
    drop(path)  # also dues or cases left without meetings
    t0 = time.perf_counter()
    generate(path)
    say(f"  generated in {time.perf_counter() - t0:.1f} s (with VACUUM ANALYZE)")


# --- an independent count -------------------------------------------------------------------

def sql_expected(path: str) -> Counter:
    """Grounds by a plain SQL aggregate over the months each member held an official membership
    (a cross-check of removal.candidates, not timed)."""
    threshold = removal.months_threshold()
    with connection.cursor() as cur:
        cur.execute(
            """WITH scope AS (
                   SELECT mb.id FROM organisations_member mb JOIN organisations_organisation o ON o.id = mb.organisation_id
                   WHERE o.path LIKE %(like)s AND mb.status IN """ + ACTIVE + """),
               months AS (
                   SELECT DISTINCT s.id AS member_id, make_date(%(y)s, m, 1) AS month
                   FROM scope s JOIN organisations_membership ms ON ms.member_id = s.id AND ms.kind = 'official'
                   CROSS JOIN generate_series(1, 12) m
                   WHERE ms.start < make_date(%(y)s, m, 1) + interval '1 month'
                   AND (ms."end" IS NULL OR ms."end" > make_date(%(y)s, m, 1))),
               absent AS (
                   SELECT DISTINCT a.member_id, date_trunc('month', cm.held_on)::date AS month
                   FROM remediation_meetingattendance a JOIN remediation_cellmeeting cm ON cm.id = a.meeting_id
                   WHERE a.status = 'unexcused' AND cm.held_on BETWEEN make_date(%(y)s, 1, 1) AND make_date(%(y)s, 12, 31)),
               per_month AS (
                   SELECT mo.member_id, (ab.member_id IS NOT NULL) AS absent,
                          NOT EXISTS (SELECT 1 FROM remediation_duespayment d
                                      WHERE d.member_id = mo.member_id AND d.month = mo.month) AS unpaid
                   FROM months mo LEFT JOIN absent ab ON ab.member_id = mo.member_id AND ab.month = mo.month),
               per_member AS (
                   SELECT member_id, count(*) FILTER (WHERE absent) AS a, count(*) FILTER (WHERE unpaid) AS u,
                          count(*) FILTER (WHERE absent OR unpaid) AS c
                   FROM per_month GROUP BY member_id)
               SELECT CASE WHEN a >= %(t)s THEN 'absence' WHEN u >= %(t)s THEN 'dues' ELSE 'absence_or_dues' END, count(*)
               FROM per_member WHERE c >= %(t)s GROUP BY 1""",
            {"like": path + "%", "y": YEAR, "t": threshold})
        return Counter(dict(cur.fetchall()))


# --- main -----------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--province", default="TH-29", help="code of the province (default TH-29)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--drop", action="store_true", help="delete the generated data and the cases, then stop")
    ap.add_argument("--keep", action="store_true", help="leave the removal cases created by (b) in place")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://…/kiemdiem_bench")

    db = connection.settings_dict
    say(f"database: {db['NAME']}; PostgreSQL {scalar('SHOW server_version')}; {lc.os.cpu_count()} CPUs; {lc.loadavg()}")
    province = Organisation.objects.get(code=args.province)
    if args.drop:
        drop(province.path)
        return
    members = Member.objects.filter(organisation__path__startswith=province.path)
    active = members.filter(status__in=lc.ACTIVE_STATUSES).count()
    say(f"province {province.code} {province.name}: {active:,} active members; year {YEAR}")

    say("\n(0) 12 months of meetings, attendance and dues")
    ensure_data(province.path)
    RemovalCase.objects.filter(year=YEAR, org_path__startswith=province.path).delete()  # leftovers of an interrupted run
    today = D(YEAR, 12, 31)
    actor = lc.bench_user()
    results: dict[str, float] = {}
    try:
        say(f"\n(a) removal.candidates() for the province, best of {args.repeat} [target < 10 s]")
        clock, median, found = lc.best_of(lambda: removal.candidates(members, YEAR, today), args.repeat)
        grounds = Counter(str(c["ground"]) for c in found)
        say(f"  best {clock.wall:.2f} s, median {median:.2f} s [{lc.verdict(clock.wall, 10)}: < 10 s] "
            f"({clock.cpu_text()}; {lc.loadavg()})")
        say(f"  {len(found):,} candidates ({len({c['member_id'] for c in found}):,} members): "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(grounds.items())))
        results["candidates_s"] = clock.wall
        months = Counter(len(c["evidence"]) for c in found if c["ground"] in ("absence", "dues", "absence_or_dues"))
        say(f"  evidence months per attendance/dues candidate: {dict(sorted(months.items()))}")

        expected = sql_expected(province.path)
        mine = Counter({k: v for k, v in grounds.items() if k in ("absence", "dues", "absence_or_dues")})
        say(f"  cross-check with a plain SQL count: {'same' if expected == mine else 'DIFFERENT'} ({dict(expected)})")

        say("\n(b) services.removal_refresh() for the province (computation + storing the cases)")
        with lc.Clock() as clock:
            created = services.removal_refresh(actor=actor, organisation=province, year=YEAR, today=today)
        say(f"  first run {clock.wall:.2f} s [{lc.verdict(clock.wall, 10)}: < 10 s] ({clock.cpu_text()}; {lc.loadavg()}), "
            f"{created:,} cases created")
        results["refresh_first_s"] = clock.wall
        clock, median, again = lc.best_of(
            lambda: services.removal_refresh(actor=actor, organisation=province, year=YEAR, today=today), args.repeat)
        say(f"  again: best {clock.wall:.2f} s, median {median:.2f} s [{lc.verdict(clock.wall, 10)}: < 10 s] "
            f"({clock.cpu_text()}), {again} cases created")
        results["refresh_again_s"] = clock.wall

        say(f"\n(c) (a) again without parallel query, so the backend's CPU is all of PostgreSQL's work, best of {args.repeat}")
        with connection.cursor() as cur:
            cur.execute("SET max_parallel_workers_per_gather = 0")
        try:
            clock, median, _found = lc.best_of(lambda: removal.candidates(members, YEAR, today), args.repeat)
        finally:
            with connection.cursor() as cur:
                cur.execute("RESET max_parallel_workers_per_gather")
        total = clock.cpu + (clock.db or 0)
        say(f"  best {clock.wall:.2f} s, median {median:.2f} s ({clock.cpu_text()}: {total:.1f} s in all; {lc.loadavg()})")
        results["candidates_serial_s"] = clock.wall
        results["candidates_serial_cpu_s"] = total
    finally:
        if args.keep:
            say(f"\nkept the removal cases of {YEAR} in {province.code}")
        else:
            n = RemovalCase.objects.filter(year=YEAR, org_path__startswith=province.path).delete()[0]
            say(f"\ndeleted {n:,} removal cases (the generated attendance and dues stay; --drop removes them)")
    say("\nsummary: " + ", ".join(f"{k}={v:.2f}" for k, v in results.items()) + f"; {lc.loadavg()}")


if __name__ == "__main__":
    main()
