"""Benchmark: import 100,000 members (and the cells they belong to) from one XLSX file.

    .venv/bin/python bench/import_members.py                      # SQLite, in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiemdiem_bench_import .venv/bin/python bench/import_members.py

It makes its own fresh database (SQLite: a temporary KIEMDIEM_DATA_DIR; PostgreSQL: the
database named in DATABASE_URL is dropped and re-created, so its name must contain "bench"),
migrates it, writes the workbook to /tmp, then times imports.import_file end to end (reading,
validation and saving) as a superuser, and then the same file again (nothing to change).
Prints rows/s and the peak resident memory of the process.
"""
from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu", "Hồng", "Anh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]


def prepare_database() -> callable:
    """Point Django at a fresh, empty database; returns a function that removes it."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlparse(url)
        name = parts.path.lstrip("/")
        if "bench" not in name:
            sys.exit(f"refusing to drop database {name!r}: use a name containing 'bench'")
        admin_url = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

        return drop
    os.environ.pop("DATABASE_URL", None)
    data_dir = tempfile.mkdtemp(prefix="kiemdiem-bench-")
    os.environ["KIEMDIEM_DATA_DIR"] = data_dir
    return lambda: shutil.rmtree(data_dir, ignore_errors=True)


def write_workbook(path: Path, members: int, cells: int, seed: int = 2) -> None:
    """A province, 10 districts, grassroots units of 10 cells, and `members` spread evenly.
    (openpyxl's write-only mode stores text inline and no sheet dimension, unlike Excel; the
    importer reads both forms at about the same speed.)"""
    from openpyxl import Workbook

    from kiemdiem.organisations.imports import MEMBER_COLUMNS, ORG_COLUMNS

    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    orgs = wb.create_sheet("Tổ chức")
    orgs.append([c.header for c in ORG_COLUMNS])
    orgs.append(["B-TINH", "Tỉnh ủy Thử tải", "Tỉnh ủy", None, datetime.date(1930, 2, 3)])
    grassroots = max(1, cells // 10)
    for d in range(10):
        orgs.append([f"B-H{d:02d}", f"Huyện ủy {d + 1}", "Huyện ủy", "B-TINH", datetime.date(1976, 1, 1)])
    for g in range(grassroots):
        orgs.append([f"B-X{g:04d}", f"Đảng bộ xã {g + 1}", "Đảng bộ cơ sở", f"B-H{g % 10:02d}", datetime.date(1980, 1, 1)])
    for c in range(cells):
        orgs.append([f"B-C{c:05d}", f"Chi bộ thôn {c + 1}", "Chi bộ", f"B-X{c % grassroots:04d}", datetime.date(1990, 1, 1)])

    sheet = wb.create_sheet("Đảng viên")
    sheet.append([c.header for c in MEMBER_COLUMNS])
    for i in range(members):
        birth = datetime.date(1945, 1, 1) + datetime.timedelta(days=rnd.randrange(0, 365 * 55))
        admitted = birth + datetime.timedelta(days=365 * 20 + rnd.randrange(0, 365 * 15))
        admitted = min(admitted, datetime.date(2024, 12, 31))
        probationary = admitted > datetime.date(2024, 6, 1)
        sheet.append([
            f"DV-{i:07d}",
            f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}",
            rnd.choice(("Nam", "Nữ")),
            birth,
            f"0{i:011d}",
            f"09{rnd.randrange(10**8):08d}",
            f"dv{i}@example.vn" if i % 3 == 0 else None,
            "Dự bị" if probationary else "Chính thức",
            admitted,
            None if probationary else admitted + datetime.timedelta(days=365),
            rnd.choice(("Trong hệ thống chính trị", "Nghỉ hưu", "Khác")),
            f"B-C{i % cells:05d}",
            None, None, None,
        ])
    wb.save(path)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the database and the workbook")
    parser.add_argument("--write-workbook", metavar="PATH", help=argparse.SUPPRESS)  # used internally
    args = parser.parse_args()

    if args.write_workbook:  # in a child process, so that its memory is not counted below
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
        import django

        django.setup()
        write_workbook(Path(args.write_workbook), args.members, args.cells)
        return

    cleanup = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from kiemdiem.organisations import imports
    from kiemdiem.organisations.models import Member, Membership, Organisation

    try:
        call_command("migrate", verbosity=0)
        admin = get_user_model().objects.create_superuser("bench", password="bench-bench-bench")
        path = Path(tempfile.gettempdir()) / f"kiemdiem-bench-{args.members}.xlsx"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--write-workbook", str(path), "--members", str(args.members),
             "--cells", str(args.cells)],
            check=True, env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        )
        print(f"workbook: {path} ({path.stat().st_size / 2**20:.1f} MiB, {args.members:,} members, "
              f"{args.cells:,} cells) written in {time.perf_counter() - started:.1f} s")
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        rss_before = peak_mb()

        marks = {}

        def progress(done, total, message, saving):
            if saving and "save" not in marks:
                marks["save"] = time.perf_counter(), time.process_time()

        started, cpu = time.perf_counter(), time.process_time()
        result = imports.import_file(path, actor=admin, progress=progress)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if not result.ok:
            sys.exit(f"import failed: {result.summary()} {result.errors[:5]}")
        checked = marks["save"][0] - started
        rows = result.rows
        print(f"import:    {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s "
              f"(read + validate {checked:.1f} s, save {elapsed - checked:.1f} s; CPU of this process {cpu:.1f} s)")
        assert Member.objects.count() == args.members and Membership.objects.count() == args.members
        assert Organisation.objects.count() == 11 + max(1, args.cells // 10) + args.cells

        started, cpu = time.perf_counter(), time.process_time()
        again = imports.import_file(path, actor=admin)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert again.ok and again.created == 0 and again.updated == 0, again.summary()
        print(f"re-import: {again.rows:,} rows in {elapsed:.1f} s = {again.rows / elapsed:,.0f} rows/s "
              f"(nothing changed; CPU {cpu:.1f} s)")
        print(f"peak RSS:  {peak_mb():.0f} MiB (before the imports: {rss_before:.0f} MiB)")
        print("load average (1, 5, 15 min): %.1f %.1f %.1f on %d CPUs" % (*os.getloadavg(), os.cpu_count()))
    finally:
        if not args.keep:
            cleanup()
            path = Path(tempfile.gettempdir()) / f"kiemdiem-bench-{args.members}.xlsx"
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
