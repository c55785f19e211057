"""Benchmark: launching a campaign and reading its progress on the synthetic national tree.

Targets (issue 3): a national launch (~5.6 M members) on PostgreSQL in under 10 minutes, one
province (~165 000 members) in under 30 s, the progress page of a province in under 300 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench \\
        .venv/bin/python bench/launch_campaign.py

The database must hold a seeded tree (`kiemdiem seed_synthetic --members 5600000`); the script
migrates it, refuses to run on an empty tree (or waits with --wait-minutes), then:

  a. creates an annual campaign issued by one province (by default the one nearest the mean
     size) and launches it, timed; relaunches it (must create nothing);
  b. times selectors.progress() for that province and its progress page through Django's
     test client, logged in as a superuser (best of --repeat);
  c. launches a national annual campaign: issued at the single root if the tree has one,
     otherwise (seed_synthetic: 34 provinces, no national node) one campaign per province,
     launched back to back; the figure is the total;
  d. relaunches the national campaign(s), timed (must create nothing), and times the province's
     progress again, now that the reviews table holds the whole nation;

and finally deletes the benchmark campaigns and everything under them with raw DELETEs by
campaign id (then VACUUM ANALYZE) so the database can be reused. --skip-national runs (a) and
(b) only; --keep leaves the campaigns in place.

Wall times depend on what else the machine runs, so next to each figure the script prints the
CPU time spent on it by this process (Python) and by the PostgreSQL backend serving it (read
from /proc when the server is local and readable, "n/a" otherwise), plus the load average:
on a quiet machine a CPU-bound step takes about its CPU time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiemdiem_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
os.environ.setdefault("DEBUG", "0")  # as in production: no query log, no debug templates
os.environ.setdefault("CONN_MAX_AGE", "86400")  # one connection throughout: its backend's CPU is measured

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from kiemdiem.campaigns import services as campaign_services  # noqa: E402
from kiemdiem.campaigns.choices import CampaignKind, Stage  # noqa: E402
from kiemdiem.campaigns.models import Campaign  # noqa: E402
from kiemdiem.organisations.choices import ACTIVE_STATUSES, OrgKind  # noqa: E402
from kiemdiem.organisations.models import Member, Organisation  # noqa: E402
from kiemdiem.reviews import selectors  # noqa: E402
from kiemdiem.reviews.launch import launch  # noqa: E402
from kiemdiem.reviews.models import Review  # noqa: E402

TAG = "[bench-launch]"
YEAR = 2025
D = datetime.date
TICKS = os.sysconf("SC_CLK_TCK")


def say(msg: str = "") -> None:
    print(msg, flush=True)


def scalar(sql: str, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def loadavg() -> str:
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load n/a"


# --- clocks ---------------------------------------------------------------------------------

_backend: dict = {}


def backend_cpu() -> tuple[int, float] | None:
    """(pid, CPU seconds used so far) of the PostgreSQL backend of Django's connection."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    key = id(connection.connection)
    if key not in _backend:
        _backend.clear()
        _backend[key] = scalar("SELECT pg_backend_pid()")
    pid = _backend[key]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return pid, (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return None


class Clock:
    """Wall time, this process's CPU time and the database backend's CPU time of a block."""

    def __enter__(self):
        self.b0, self.c0, self.t0 = backend_cpu(), time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0
        b1 = backend_cpu()
        same = b1 is not None and self.b0 is not None and b1[0] == self.b0[0]
        self.db = b1[1] - self.b0[1] if same else None

    def cpu_text(self, unit: str = "s") -> str:
        k = 1000 if unit == "ms" else 1
        fmt = ".0f" if unit == "ms" else ".1f"
        db = f"{self.db * k:{fmt}} {unit}" if self.db is not None else "n/a"
        return f"CPU: Python {self.cpu * k:{fmt}} {unit}, PostgreSQL {db}"


def best_of(fn, repeat: int) -> tuple[Clock, float, object]:
    """The clock of the fastest of `repeat` calls, the median wall time, the last result."""
    clocks, result = [], None
    for _ in range(repeat):
        with Clock() as clock:
            result = fn()
        clocks.append(clock)
    return min(clocks, key=lambda c: c.wall), statistics.median(c.wall for c in clocks), result


# --- setup and cleanup ----------------------------------------------------------------------

def wait_for_tree(minutes: float, min_members: int) -> tuple[int, int]:
    deadline = time.monotonic() + minutes * 60
    while True:
        orgs = scalar("SELECT count(*) FROM organisations_organisation")
        members = scalar("SELECT count(*) FROM organisations_member") if orgs else 0
        if orgs and members >= min_members:
            return orgs, members
        if time.monotonic() >= deadline:
            say(f"The tree in {connection.settings_dict['NAME']} is not seeded "
                f"({orgs} organisations, {members} members; need ≥ {min_members} members).\n"
                "Seed it first:  DATABASE_URL=... .venv/bin/kiemdiem seed_synthetic --members 5600000\n"
                "or pass --wait-minutes N to wait for a seeding that is running.")
            sys.exit(2)
        say(f"  waiting for the tree: {orgs} organisations, {members} members …")
        time.sleep(min(180, max(5, deadline - time.monotonic())))


def bench_user():
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-launch", defaults={"is_superuser": True, "is_staff": True})
    if not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return user


def create_campaign(actor, issuer: Organisation, label: str) -> Campaign:
    return campaign_services.campaign_create(
        actor=actor, issuer=issuer, title=f"{TAG} {label} {YEAR}", kind=CampaignKind.ANNUAL, year=YEAR,
        period_start=D(YEAR, 1, 1), period_end=D(YEAR, 12, 31), plan_number="Kế hoạch số 00-KH/BENCH",
        deadlines={Stage.DRAFTS: D(YEAR, 12, 10), Stage.MEETINGS: D(YEAR + 1, 1, 15)},
    )


def own_campaign(actor, issuer: Organisation, label: str, reuse: int | None = None) -> Campaign:
    """The campaign a benchmark works on: `reuse` (a campaign kept by an earlier --keep run),
    else a new one, after deleting this label's leftovers only (other benchmarks share the tag
    and the database)."""
    if reuse:
        return Campaign.objects.get(pk=reuse)
    cleanup(list(Campaign.objects.filter(title=f"{TAG} {label} {YEAR}").values_list("pk", flat=True)))
    return create_campaign(actor, issuer, label)


def _referencing(table: str) -> list[tuple[str, str]]:
    """(table, column) of every foreign key pointing at `table`: those the PostgreSQL catalogue
    knows, and those the models declare without a database constraint (`db_constraint=False`,
    e.g. a rating's review and campaign)."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               WHERE c.contype = 'f' AND c.confrelid = %s::regclass""",
            [table],
        )
        found = cur.fetchall()
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and (field.many_to_one or field.one_to_one) and not field.db_constraint \
                    and field.remote_field.model._meta.db_table == table:
                pair = (model._meta.db_table, field.column)
                if pair not in found:
                    found.append(pair)
    return found


def _delete(cur, table: str, where: str, params: list, seen: tuple = ()) -> int:
    """DELETE rows of `table` matching `where`, after the rows that point at them, whatever
    app has added a table pointing at reviews since (feedback, ratings, remediation …)."""
    for child, column in _referencing(table):
        if child != table and child not in seen:
            _delete(cur, child, f"{column} IN (SELECT id FROM {table} WHERE {where})", params, (*seen, table))
    cur.execute(f"DELETE FROM {table} WHERE {where}", params)
    return cur.rowcount


def cleanup(ids: list[int] | None = None) -> None:
    """Delete benchmark campaigns (all tagged ones when ids is None) and everything under them
    with raw DELETEs by campaign id, then VACUUM ANALYZE, so the database stays reusable."""
    if ids is None:
        ids = list(Campaign.objects.filter(title__startswith=TAG).values_list("pk", flat=True))
    if not ids:
        return
    t0 = time.perf_counter()
    reviews = Review.objects.filter(campaign_id__in=ids).count()
    if connection.vendor != "postgresql":
        Campaign.objects.filter(pk__in=ids).delete()
    else:
        with transaction.atomic(), connection.cursor() as cur:
            if scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
                # the rows pointing at the deleted ones go first, so the per-row foreign-key
                # checks of each DELETE have nothing to find: skip them (as seed_synthetic does)
                cur.execute("SET LOCAL session_replication_role = replica")
            _delete(cur, "campaigns_campaign", "id = ANY(%s)", [ids])
        with connection.cursor() as cur:
            for table in ("reviews_review", "reviews_ineligibility", "ratings_rating"):
                cur.execute(f"VACUUM ANALYZE {table}")
    say(f"  cleanup: {len(ids)} campaign(s), {reviews:,} reviews deleted (and vacuumed) in {time.perf_counter() - t0:.1f} s")


# --- the measurements -----------------------------------------------------------------------

def progress_url(campaign: Campaign, org: Organisation) -> str | None:
    """The progress page of `org` in `campaign` (kiemdiem/campaigns/urls.py), if defined."""
    for name, kwargs in (("campaign_progress_org", {"campaign_id": campaign.pk, "org_id": org.pk}),):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def bench_progress(actor, campaign: Campaign, org: Organisation, repeat: int, label: str) -> dict:
    clock, median, tallies = best_of(lambda: selectors.progress(campaign, org.path), repeat)
    root = tallies.get(org.pk)
    say(f"  [{label}] selectors.progress({org.code}): best {clock.wall * 1000:.0f} ms, median {median * 1000:.0f} ms "
        f"({clock.cpu_text('ms')}); {len(tallies):,} organisations tallied, {root.total if root else 0:,} reviews; {loadavg()}")
    out = {"selector_ms": clock.wall * 1000}
    url = progress_url(campaign, org)
    if url is None:
        say(f"  [{label}] no progress page in kiemdiem/campaigns/urls.py: the selector alone is measured")
        return out
    client = Client()
    client.force_login(actor)
    warm = client.get(url)  # session, templates, translations
    if warm.status_code != 200:
        say(f"  [{label}] GET {url} -> {warm.status_code}: not measured")
        return out
    clock, median, resp = best_of(lambda: client.get(url), repeat)
    children = resp.content.count(b"<tr data-org=")
    say(f"  [{label}] GET {url}: best {clock.wall * 1000:.0f} ms, median {median * 1000:.0f} ms "
        f"({clock.cpu_text('ms')}); {len(resp.content):,} bytes, {children:,} child rows shown; {loadavg()}")
    out["page_ms"] = clock.wall * 1000
    return out


def timed_launch(actor, campaign: Campaign) -> tuple[Clock, dict]:
    with Clock() as clock:
        counts = launch(actor=actor, campaign=campaign)
    return clock, counts


def describe(counts: dict) -> str:
    reviews = counts["collective"] + counts["individual"]
    return (f"{reviews:,} reviews ({counts['collective']:,} collective, {counts['individual']:,} individual), "
            f"{counts['ineligible']:,} ineligible, {counts['participants']:,} participants")


def verdict(seconds: float, target: float) -> str:
    return "OK" if seconds < target else "MISSED"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--province", help="code of the province to launch and read (default: the one nearest the mean size)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--keep", action="store_true", help="leave the benchmark campaigns in place")
    ap.add_argument("--wait-minutes", type=float, default=0, help="wait this long for the tree to be seeded")
    ap.add_argument("--min-members", type=int, default=1, help="how many members make the tree seeded")
    args = ap.parse_args()

    db = connection.settings_dict
    say(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']} @ {db.get('HOST') or 'local'}; DEBUG={settings.DEBUG}; "
        f"{os.cpu_count()} CPUs; {loadavg()}")
    call_command("migrate", interactive=False, verbosity=0)
    orgs, members = wait_for_tree(args.wait_minutes, args.min_members)
    say(f"tree: {orgs:,} organisations, {members:,} members")
    if connection.vendor == "postgresql":
        say(f"server: PostgreSQL {scalar('SHOW server_version')}; shared_buffers {scalar('SHOW shared_buffers')}, "
            f"work_mem {scalar('SHOW work_mem')}, max_wal_size {scalar('SHOW max_wal_size')}; "
            f"backend CPU readable: {'yes' if backend_cpu() is not None else 'no'}")
    cleanup()  # leftovers of an interrupted run
    actor = bench_user()

    roots = list(Organisation.objects.filter(parent__isnull=True, dissolved__isnull=True).order_by("path"))
    national_root = roots[0] if len(roots) == 1 and roots[0].kind != OrgKind.PROVINCIAL else None
    provinces = list(national_root.children.filter(dissolved__isnull=True).order_by("path")) if national_root else roots
    # active members per province: one GROUP BY per organisation, summed by the province's path
    depth = provinces[0].path.count(".")
    sizes: dict[str, int] = {}
    per_org = Member.objects.filter(status__in=ACTIVE_STATUSES).values_list("organisation__path").annotate(n=Count("id"))
    for path, n in per_org.order_by():
        key = ".".join(path.split(".")[:depth]) + "."
        sizes[key] = sizes.get(key, 0) + n
    mean = sum(sizes.values()) / len(provinces)
    if args.province:
        province = Organisation.objects.get(code=args.province)
    else:
        province = min(provinces, key=lambda p: abs(sizes.get(p.path, 0) - mean))
    say(f"{len(roots)} root(s), {len(provinces)} provinces of {min(sizes.values()):,}–{max(sizes.values()):,} active "
        f"members (mean {mean:,.0f}); benchmarked: {province.code} {province.name}, {sizes.get(province.path, 0):,} active members")

    ids: list[int] = []
    results: dict[str, float] = {}
    try:
        say("\n(a) an annual campaign issued by one province")
        camp = create_campaign(actor, province, f"tỉnh {province.code}")
        ids.append(camp.pk)
        clock, counts = timed_launch(actor, camp)
        say(f"  launch {clock.wall:.1f} s [{verdict(clock.wall, 30)}: < 30 s] ({clock.cpu_text()}; {loadavg()})\n"
            f"    created {describe(counts)}")
        results["province_launch_s"] = clock.wall
        clock, again = timed_launch(actor, camp)
        say(f"  relaunch {clock.wall:.1f} s ({clock.cpu_text()}), created {sum(again.values())} rows")
        results["province_relaunch_s"] = clock.wall

        say(f"\n(b) progress of the province, best of {args.repeat} [target < 300 ms]")
        for k, v in bench_progress(actor, camp, province, args.repeat, "province campaign").items():
            results[f"province_{k}"] = v

        if not args.skip_national:
            say("\n(c) national launch")
            if national_root:
                national = [create_campaign(actor, national_root, "toàn quốc")]
                say(f"  one campaign issued at the root {national_root.code}")
            else:
                national = [create_campaign(actor, p, f"toàn quốc/{p.code}") for p in provinces]
                say(f"  {len(roots)} roots and no national node: one campaign per province, launched back to back")
            ids += [c.pk for c in national]
            totals: dict[str, int] = {}
            with Clock() as total:
                for i, c in enumerate(national, 1):
                    _clock, counts = timed_launch(actor, c)
                    for k, v in counts.items():
                        totals[k] = totals.get(k, 0) + v
                    if len(national) > 1 and (i % 5 == 0 or i == len(national)):
                        say(f"    {i}/{len(national)} launched, {time.perf_counter() - total.t0:.0f} s so far ({loadavg()})")
            say(f"  national launch {total.wall:.1f} s = {total.wall / 60:.1f} min [{verdict(total.wall, 600)}: < 10 min] "
                f"({total.cpu_text()}; {loadavg()})\n    created {describe(totals)}")
            results["national_launch_s"] = total.wall

            say("\n(d) national relaunch (must create nothing)")
            with Clock() as clock:
                created = sum(sum(launch(actor=actor, campaign=c).values()) for c in national)
            say(f"  relaunch {clock.wall:.1f} s ({clock.cpu_text()}), created {created} rows")
            results["national_relaunch_s"] = clock.wall

            say(f"\n(b') progress of the province with the whole nation launched, best of {args.repeat}")
            holder = next(c for c in national if province.path.startswith(c.issuer_path))
            for k, v in bench_progress(actor, holder, province, args.repeat, "national").items():
                results[f"national_{k}"] = v
    finally:
        if args.keep:
            say(f"\nkept benchmark campaigns {ids}")
        else:
            say("")
            cleanup(ids)
    say("\nsummary: " + ", ".join(f"{k}={v:.1f}" for k, v in results.items()) + f"; {loadavg()}")


if __name__ == "__main__":
    main()
