"""Member counts for every node of a national-shaped tree (docs/benchmarks.md, issue 2).

    .venv/bin/python bench/member_counts.py [--members 5600000] [--sample 2000] [--repeat 3]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kiemdiem_bench): creates the
database if missing, migrates it, seeds it with `seed_synthetic --members N` when it holds no
organisations (timing the seeding), then times

  (a) selectors.member_counts(): the active-member count of every node, best of --repeat;
  (b) the naive per-node ORM loop, Member.objects.filter(organisation__path__startswith=o.path,
      status__in=ACTIVE_STATUSES).count() for each organisation, measured on a sample of nodes
      stratified by kind (every provincial node, the rest at random) and extrapolated to all
      nodes (mean time per kind x number of nodes of that kind);
  (c) selectors.member_counts_sql_floor(): one raw SQL aggregate, best of --repeat, and for
      reference (c2) the same roll-up in SQL aggregating per organisation first, and (a0) the
      first implementation of member_counts (join the tree, GROUP BY path, roll up the paths);

(a) and (c) are also measured as CPU seconds (this process + the PostgreSQL backend, parallel
workers off), which depend far less than wall-clock time on what else the shared machine runs.

and checks that (a), (c) and the sampled (b) agree. Results also go to var/bench/member_counts.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kiemdiem_bench"


def ensure_database(url: str) -> None:
    import psycopg
    from urllib.parse import urlparse

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


AGGREGATE_FIRST = """
    SELECT anc::bigint, SUM(n) FROM (
        SELECT o.path, c.n FROM (
            SELECT organisation_id, COUNT(*) AS n FROM organisations_member
            WHERE status IN ('official', 'probationary') GROUP BY organisation_id
        ) c JOIN organisations_organisation o ON o.id = c.organisation_id
    ) per_org, unnest(string_to_array(rtrim(per_org.path, '.'), '.')) AS anc
    GROUP BY anc
"""


def aggregate_first_sql() -> dict[int, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(AGGREGATE_FIRST)
        return {int(k): int(v) for k, v in cur.fetchall()}


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(repeat: int, func) -> dict:
    """CPU used by `func` in this process and in the database backend (same machine), with
    parallel workers off so that the backend does all the database work itself."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        cur.execute("SET max_parallel_workers_per_gather = 0")
    best = None
    try:
        for _ in range(repeat):
            py0, pg0 = time.process_time(), _backend_cpu(pid)
            func()
            py, pg = time.process_time() - py0, _backend_cpu(pid) - pg0
            if best is None or py + pg < best["total"]:
                best = {"python": round(py, 3), "postgres": round(pg, 3), "total": round(py + pg, 3)}
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET max_parallel_workers_per_gather")
    return best


def best_of(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return min(times), times, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5_600_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        ensure_database(url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from kiemdiem.organisations import selectors
    from kiemdiem.organisations.choices import ACTIVE_STATUSES
    from kiemdiem.organisations.models import Member, Organisation

    call_command("migrate", verbosity=0)
    report: dict = {"database": connection.vendor, "members_requested": args.members}
    if not Organisation.objects.exists():
        print(f"seeding {args.members:,} members …", flush=True)
        started = time.perf_counter()
        call_command("seed_synthetic", members=args.members, seed=args.seed)
        report["seed_seconds"] = round(time.perf_counter() - started, 1)
        print(f"seeded in {report['seed_seconds']} s")
    else:
        print("database already seeded; reusing it")

    nodes = Organisation.objects.count()
    members = Member.objects.count()
    kinds = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")))
    report.update(nodes=nodes, members=members, kinds=kinds)
    print(f"{nodes:,} organisations, {members:,} members; {kinds}")

    # (a) our selector
    best_a, times_a, counts_a = best_of(args.repeat, selectors.member_counts)
    report["member_counts_seconds"] = [round(t, 3) for t in times_a]
    print(
        f"(a) selectors.member_counts(): best {best_a:.2f} s of {[round(t, 2) for t in times_a]}; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )

    # (a) again, as CPU time: this process + the PostgreSQL backend, serial plan. Wall-clock
    # figures on this shared 2-core machine depend on what else runs; CPU time much less.
    if connection.vendor == "postgresql":
        cpu = cpu_seconds(args.repeat, selectors.member_counts)
        report["member_counts_cpu_seconds"] = cpu
        print(
            f"(a) CPU, serial plan: python {cpu['python']:.2f} s + postgres {cpu['postgres']:.2f} s = "
            f"{cpu['total']:.2f} s (best of {args.repeat}); load average {os.getloadavg()[0]:.1f}"
        )

    # (a0) for reference: the first implementation (join the tree, GROUP BY path, roll up paths)
    def path_roll_up():
        rows = (
            Member.objects.filter(status__in=ACTIVE_STATUSES)
            .values_list("organisation__path").annotate(n=Count("id")).order_by()
        )
        return selectors._roll_up(rows)

    best_a0, times_a0, counts_a0 = best_of(args.repeat, path_roll_up)
    report["path_roll_up_seconds"] = [round(t, 3) for t in times_a0]
    print(f"(a0) first implementation (GROUP BY path): best {best_a0:.2f} s of {[round(t, 2) for t in times_a0]}")
    assert counts_a0 == counts_a

    # (c) the SQL floor
    if connection.vendor == "postgresql":
        best_c, times_c, counts_c = best_of(args.repeat, selectors.member_counts_sql_floor)
        report["sql_floor_seconds"] = [round(t, 3) for t in times_c]
        print(f"(c) selectors.member_counts_sql_floor(): best {best_c:.2f} s of {[round(t, 2) for t in times_c]}")
        cpu_c = cpu_seconds(args.repeat, selectors.member_counts_sql_floor)
        report["sql_floor_cpu_seconds"] = cpu_c
        print(f"(c) CPU, serial plan: python {cpu_c['python']:.2f} s + postgres {cpu_c['postgres']:.2f} s = {cpu_c['total']:.2f} s")
        assert counts_a == counts_c, "member_counts and the SQL floor disagree"
        print("    (a) and (c) agree on every node")
        # (c2) for reference: the same SQL roll-up, aggregating per organisation first (index only)
        best_c2, times_c2, counts_c2 = best_of(args.repeat, aggregate_first_sql)
        report["sql_aggregate_first_seconds"] = [round(t, 3) for t in times_c2]
        print(f"(c2) aggregate-first SQL roll-up: best {best_c2:.2f} s of {[round(t, 2) for t in times_c2]}")
        assert counts_c2 == counts_a

    # (b) naive per-node loop, stratified sample, extrapolated
    rng = random.Random(args.seed)
    by_kind: dict[str, list] = {}
    for pk, path, kind in Organisation.objects.values_list("pk", "path", "kind"):
        by_kind.setdefault(kind, []).append((pk, path))
    sample: dict[str, list] = {"provincial": by_kind.get("provincial", [])}
    rest = [k for k in by_kind if k != "provincial"]
    others = sum(len(by_kind[k]) for k in rest)
    budget = max(args.sample - len(sample["provincial"]), len(rest))
    for kind in rest:
        share = max(20, round(budget * len(by_kind[kind]) / others))
        sample[kind] = rng.sample(by_kind[kind], min(share, len(by_kind[kind])))
    estimate, per_kind = 0.0, {}
    sampled = 0
    for kind, chosen in sample.items():
        spent = []
        for pk, path in chosen:
            started = time.perf_counter()
            n = Member.objects.filter(organisation__path__startswith=path, status__in=ACTIVE_STATUSES).count()
            spent.append(time.perf_counter() - started)
            assert n == counts_a.get(pk, 0), f"naive count differs on {pk}"
        mean = statistics.fmean(spent) if spent else 0.0
        per_kind[kind] = {"nodes": len(by_kind[kind]), "sampled": len(chosen), "mean_ms": round(mean * 1000, 3)}
        estimate += mean * len(by_kind[kind])
        sampled += len(chosen)
        print(f"(b) {kind:>16}: {len(chosen):>5} of {len(by_kind[kind]):>7} sampled, mean {mean * 1000:8.2f} ms")
    report["naive"] = {"sampled": sampled, "per_kind": per_kind, "extrapolated_seconds": round(estimate, 1)}
    print(f"(b) naive per-node loop: {sampled:,} nodes sampled, extrapolated to all {nodes:,}: {estimate:,.0f} s")

    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "member_counts.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {out / 'member_counts.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
