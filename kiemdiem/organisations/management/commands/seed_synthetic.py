"""`kiemdiem seed_synthetic --members N [--provinces 34] [--seed 1] [--force]`

A national-shaped synthetic tree for measuring (docs/benchmarks.md): the 34 provinces and
centrally-run cities of the 2025 merger, no district level, and under them grassroots
organisations in the national proportions (≈52,000 for 5.6 million members): Đảng bộ xã,
phường (6.5 %, many cells each), agency and enterprise Đảng bộ cơ sở (45 %, a few cells, some
with Đảng bộ bộ phận), and Chi bộ cơ sở that hold members directly (48.5 %). Member-holding units
average 17 members (N = 5,600,000 gives ≈329,000). Every province also gets its five advisory
bodies. Sizes scale with N; the members total exactly N.

Everything gets the rows the services would have written, minus the audit trail: organisations
with their paths and depths, an open OrgPlacement per organisation, members with their search
and sort keys, and an open official Membership (with the org_path snapshot) per member. All
organisations are founded on 2025-07-01 (the restructuring date); memberships start on the later
of that day and the admission date. The data are fictional: names from demo_data's pools, codes
"TH-…" for organisations and "TH000000001"… for members.

On PostgreSQL the rows go in with COPY (ids assigned here, sequences reset afterwards), the
memberships and placements with INSERT … SELECT, all in one transaction; foreign keys are not
re-checked row by row during the load (session_replication_role = replica, when the connection
may set it: the rows are generated consistent), then VACUUM ANALYZE. The schema is left as it
is. On SQLite (small N, tests) it falls back to bulk_create in batches of 2,000.

The command refuses to run on a database that already has organisations unless --force is
given, in which case the synthetic tree is added beside the existing one (new ids and codes).
"""
from __future__ import annotations

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kiemdiem.core.text import unaccent
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.organisations.demo_data import (
    ADVISORY_BODIES,
    PLACE_WORDS,
    PROVINCES_2025,
    NamePool,
    gen_person,
    iso,
    split_total,
)
from kiemdiem.organisations.models import Member, Membership, Organisation, OrgPlacement

FOUNDED = datetime.date(2025, 7, 1)
MEMBERS_PER_UNIT = 17
GRASSROOTS_PER_MEMBER = 52_000 / 5_600_000
SHARE_COMMUNE, SHARE_CHI_BO_CO_SO = 0.065, 0.485
BATCH = 2000

AGENCY_DANG_BO = (
    ("Đảng bộ Công ty Cổ phần {p}", "enterprise"), ("Đảng bộ Tổng công ty {p}", "enterprise"),
    ("Đảng bộ Bệnh viện Đa khoa {p}", "agency"), ("Đảng bộ Trường Cao đẳng {p}", "school"),
    ("Đảng bộ Trường Đại học {p}", "school"), ("Đảng bộ Trung tâm Y tế khu vực {p}", "agency"),
    ("Đảng bộ Ban Chỉ huy Phòng thủ khu vực {p}", "armed"), ("Đảng bộ Công an khu vực {p}", "armed"),
    ("Đảng bộ Công ty TNHH Một thành viên {p}", "enterprise"), ("Đảng bộ Bệnh viện Y học cổ truyền {p}", "agency"),
    ("Đảng bộ Ban Quản lý dự án khu vực {p}", "agency"), ("Đảng bộ Trung tâm Phục vụ hành chính công {p}", "agency"),
)
CHI_BO_CO_SO = (
    ("Chi bộ Trường THPT {p}", "school"), ("Chi bộ Trường THCS {p}", "school"), ("Chi bộ Trường Tiểu học {p}", "school"),
    ("Chi bộ Công ty TNHH {p}", "enterprise"), ("Chi bộ Hợp tác xã {p}", "enterprise"),
    ("Chi bộ Quỹ Tín dụng nhân dân {p}", "enterprise"), ("Chi bộ Chi cục Thuế khu vực {p}", "agency"),
    ("Chi bộ Kho bạc Nhà nước khu vực {p}", "agency"), ("Chi bộ Bảo hiểm xã hội cơ sở {p}", "agency"),
    ("Chi bộ Trạm Y tế {p}", "agency"), ("Chi bộ Đồn Biên phòng {p}", "armed"), ("Chi bộ Bưu điện {p}", "enterprise"),
)
COMMUNE_AGENCY_CELLS = (
    ("Chi bộ Cơ quan", "agency"), ("Chi bộ Công an", "armed"), ("Chi bộ Quân sự", "armed"),
    ("Chi bộ Trường Mầm non", "school"), ("Chi bộ Trường Tiểu học", "school"), ("Chi bộ Trường THCS", "school"),
)
DEPARTMENTS = (
    "Phòng Hành chính – Tổng hợp", "Phòng Kế hoạch – Tài chính", "Phòng Tổ chức – Nhân sự", "Phòng Kỹ thuật",
    "Phòng Kinh doanh", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2", "Phòng Thanh tra", "Khối Sự nghiệp",
)
SIZE_WEIGHT = {"residential": 1.25, "agency": 0.75, "armed": 0.8, "school": 0.75, "enterprise": 0.9}

MEMBER_COLUMNS = (
    "id", "code", "full_name", "gender", "birth_date", "phone", "email", "status", "admitted_on", "official_on",
    "exempt_since", "occupation", "organisation_id", "search_key", "sort_key",
)
ORG_COLUMNS = ("id", "code", "name", "kind", "parent_id", "path", "depth", "founded", "search_key")


def province_name(kind: str, name: str) -> str:
    if name == "Hồ Chí Minh":
        return "Thành ủy Thành phố Hồ Chí Minh"
    return f"{'Thành ủy' if kind == 'thành phố' else 'Tỉnh ủy'} {name}"


class Plan:
    """The tree, computed in Python: org rows in depth-first order (ids ascending) and the
    member-holding units with their sizes, in id order."""

    def __init__(self, members: int, provinces: int, seed: int, first_id: int, tag: str = ""):
        self.rng = rng = random.Random(seed)
        units_total = max(1, round(members / MEMBERS_PER_UNIT))
        grassroots_total = max(provinces, min(round(members * GRASSROOTS_PER_MEMBER), units_total // 2))
        per_province = split_total(grassroots_total, [0.6 + 0.8 * rng.random() for _ in range(provinces)], 1)

        # grassroots: (kind-of-unit, name, hint, weight for cells)
        grassroots = []
        for p, g in enumerate(per_province):
            city = PROVINCES_2025[p][0] == "thành phố"
            n_commune = round(g * SHARE_COMMUNE) if g >= 3 else 0
            n_cbcs = round(g * SHARE_CHI_BO_CO_SO)
            kinds = ["commune"] * n_commune + ["cbcs"] * n_cbcs + ["agency"] * (g - n_commune - n_cbcs)
            rng.shuffle(kinds)
            for kind in kinds:
                place = self.place()
                if kind == "commune":
                    word = "phường" if rng.random() < (0.65 if city else 0.2) else "xã"
                    grassroots.append((p, kind, f"Đảng bộ {word} {place}", "residential", 6 * (0.7 + 0.6 * rng.random()), word))
                elif kind == "cbcs":
                    template, hint = rng.choice(CHI_BO_CO_SO)
                    grassroots.append((p, kind, template.format(p=place), hint, 0, ""))
                else:
                    template, hint = rng.choice(AGENCY_DANG_BO)
                    grassroots.append((p, kind, template.format(p=place), hint, 0.5 + rng.random(), ""))
        dang_bo = [i for i, g in enumerate(grassroots) if g[1] != "cbcs"]
        n_cbcs = len(grassroots) - len(dang_bo)
        cells_total = max(units_total - n_cbcs, 2 * len(dang_bo))
        cells = dict(zip(dang_bo, split_total(cells_total, [grassroots[i][4] for i in dang_bo], 2))) if dang_bo else {}

        # depth-first rows
        self.orgs: list[tuple] = []
        self.units: list[list] = []  # [org_id, path, hint, weight] -> size appended later
        next_id = first_id
        by_province: dict[int, list[int]] = {}
        for i, g in enumerate(grassroots):
            by_province.setdefault(g[0], []).append(i)

        def add(code, name, kind, parent, hint=None):
            nonlocal next_id
            oid = next_id
            next_id += 1
            parent_id, parent_path = parent if parent else (None, "")
            path = f"{parent_path}{oid}."
            self.orgs.append((oid, code, name, kind.value, parent_id, path, path.count(".") - 1))
            if hint:
                self.units.append([oid, path, hint, SIZE_WEIGHT[hint] * (0.6 + 0.8 * rng.random())])
            return oid, path

        for p in range(provinces):
            pkind, pname = PROVINCES_2025[p]
            title = province_name(pkind, pname)
            prov = add(f"TH{tag}-{p + 1:02d}", title, OrgKind.PROVINCIAL, None)
            for key, body in ADVISORY_BODIES:
                add(f"TH{tag}-{p + 1:02d}-{key}", f"{body} {title}", OrgKind.ADVISORY, prov)
            for i in by_province.get(p, []):
                _p, kind, name, hint, _w, word = grassroots[i]
                code = f"TH-G{next_id}"
                if kind == "cbcs":
                    add(code, name, OrgKind.GRASSROOTS_CELL, prov, hint)
                    continue
                gr = add(code, name, OrgKind.GRASSROOTS, prov)
                n = cells[i]
                if kind == "commune":
                    n_agency = min(len(COMMUNE_AGENCY_CELLS), n // 3)
                    place = name.split(" ", 3)[-1]  # "Đảng bộ xã An Phú" -> "An Phú"
                    for k in range(n):
                        if k < n_agency:
                            cname, chint = COMMUNE_AGENCY_CELLS[k]
                            cname = f"{cname} {word} {place}" if k < 3 else f"{cname} {place}"
                        else:
                            cname = f"Chi bộ {'khu phố' if word == 'phường' else 'thôn'} {k - n_agency + 1}"
                            chint = "residential"
                        add(f"TH-C{next_id}", cname, OrgKind.CELL, gr, chint)
                    continue
                parents = [gr]
                if n >= 8 and rng.random() < 0.3:
                    parents = [
                        add(f"TH-B{next_id}", f"Đảng bộ bộ phận Khối {k + 1}", OrgKind.INTERMEDIATE, gr)
                        for k in range(2 + (rng.random() < 0.4))
                    ]
                # cells grouped by parent so that ids stay depth-first
                for j, parent in enumerate(parents):
                    for k in range(j, n, len(parents)):
                        cname = f"Chi bộ {DEPARTMENTS[k]}" if k < len(DEPARTMENTS) else f"Chi bộ số {k + 1}"
                        add(f"TH-C{next_id}", cname, OrgKind.CELL, parent, hint)
        self.last_id = next_id - 1
        sizes = split_total(members, [u[3] for u in self.units], min(3, members // max(len(self.units), 1)))
        for u, size in zip(self.units, sizes):
            u[3] = size

    def place(self) -> str:
        a, b = self.rng.sample(PLACE_WORDS, 2)
        return f"{a} {b}"


class Command(BaseCommand):
    help = "Tạo cây tổ chức tổng hợp quy mô toàn quốc (34 tỉnh, thành; chi bộ ~17 đảng viên) để đo hiệu năng."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="Tổng số đảng viên (ví dụ 5600000).")
        parser.add_argument("--provinces", type=int, default=34, help="Số tỉnh, thành (1–34, mặc định 34).")
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên (mặc định 1).")
        parser.add_argument(
            "--force", action="store_true",
            help="Chạy cả khi cơ sở dữ liệu đã có tổ chức (thêm cây tổng hợp bên cạnh cây hiện có).",
        )

    def log(self, message: str):
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f} s] {message}")
        self.stdout.flush()

    def handle(self, *args, members, provinces, seed, force, **options):
        if not 1 <= provinces <= len(PROVINCES_2025):
            raise CommandError(f"--provinces phải từ 1 đến {len(PROVINCES_2025)}.")
        if members < 100 * provinces:
            raise CommandError("Cần ít nhất 100 đảng viên cho mỗi tỉnh, thành.")
        if Organisation.objects.exists() and not force:
            raise CommandError("Cơ sở dữ liệu đã có tổ chức đảng; dùng --force để thêm cây tổng hợp bên cạnh.")
        self.started = time.monotonic()
        today = timezone.localdate().toordinal()
        first = {
            model: (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            for model in (Organisation, OrgPlacement, Member, Membership)
        }
        # a second synthetic tree (--force) tags its province codes: TH-01 -> TH<first id>-01
        tag = str(first[Organisation]) if Organisation.objects.filter(code__startswith="TH-").exists() else ""
        plan = Plan(members, provinces, seed, first[Organisation], tag)
        self.log(
            f"Kế hoạch: {provinces} tỉnh, thành; {len(plan.orgs):,} tổ chức; {len(plan.units):,} chi bộ và chi bộ cơ sở; "
            f"{members:,} đảng viên."
        )
        names = NamePool(seed=seed)
        rng = random.Random(seed * 7919 + 1)
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            if postgres:
                self.load_postgres(plan, names, rng, today, first[Member])
            else:
                self.load_orm(plan, names, rng, today, first[Member])
        if postgres:
            # VACUUM sets the visibility map (index-only scans); inside an outer transaction
            # (tests) only ANALYZE is possible.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            self.log(f"{command} …")
            with connection.cursor() as cur:
                for table in ("organisation", "orgplacement", "member", "membership"):
                    cur.execute(f"{command} organisations_{table}")
        self.log(self.style.SUCCESS(f"Xong: {len(plan.orgs):,} tổ chức, {members:,} đảng viên."))

    # --- rows ------------------------------------------------------------------------------

    def member_rows(self, plan, names, rng, today, first_member):
        """Yields (org_id, rows-as-tuples) per unit; ids run from `first_member`."""
        mid = first_member
        for org_id, _path, hint, size in plan.units:
            rows = []
            for _ in range(size):
                gender, birth, admitted, official, status, exempt, occupation = gen_person(rng, today, hint)
                name = names.pick(rng, gender)
                code = f"TH{mid:09d}"
                rows.append(
                    (mid, code, name.full, gender, birth, status, admitted, official, exempt, occupation,
                     f"{name.unaccented} {code.lower()}", name.sort_key)
                )
                mid += 1
            yield org_id, rows

    def load_postgres(self, plan, names, rng, today, first_member):
        with connection.cursor() as wrapper:
            self._load_postgres(wrapper.cursor, plan, names, rng, today, first_member)

    def _load_postgres(self, raw, plan, names, rng, today, first_member):
        """`raw`: the psycopg cursor, inside Django's transaction."""
        raw.execute("SET LOCAL synchronous_commit = off")
        raw.execute("SET LOCAL work_mem = '256MB'")
        raw.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if raw.fetchone()[0]:
            # Foreign keys are deferred, so each loaded row would queue a check for COMMIT;
            # the generated rows are consistent by construction.
            raw.execute("SET LOCAL session_replication_role = replica")
        org_cache: dict[str, str] = {}
        with raw.copy(f"COPY organisations_organisation ({', '.join(ORG_COLUMNS)}) FROM STDIN") as copy:
            buf = []
            for oid, code, name, kind, parent_id, path, depth in plan.orgs:
                key = org_cache.get(name)
                if key is None:
                    key = org_cache[name] = unaccent(name)
                buf.append(
                    f"{oid}\t{code}\t{name}\t{kind}\t{parent_id if parent_id else chr(92) + 'N'}\t{path}\t{depth}\t"
                    f"{FOUNDED.isoformat()}\t{key} {code.lower()}\n"
                )
                if len(buf) >= 50_000:
                    copy.write("".join(buf))
                    buf.clear()
            copy.write("".join(buf))
        raw.execute(
            "INSERT INTO organisations_orgplacement (organisation_id, parent_id, path, valid_from) "
            "SELECT id, parent_id, path, founded FROM organisations_organisation WHERE id BETWEEN %s AND %s",
            (plan.orgs[0][0], plan.last_id),
        )
        self.log(f"Đã ghi {len(plan.orgs):,} tổ chức và vị trí trong cây.")

        total = sum(u[3] for u in plan.units)
        step = max(total // 10, 1)
        done, next_report = 0, step
        null = "\\N"
        with raw.copy(f"COPY organisations_member ({', '.join(MEMBER_COLUMNS)}) FROM STDIN") as copy:
            buf = []
            for org_id, rows in self.member_rows(plan, names, rng, today, first_member):
                for mid, code, full, gender, birth, status, admitted, official, exempt, occ, skey, sort in rows:
                    buf.append(
                        f"{mid}\t{code}\t{full}\t{gender}\t{iso(birth)}\t\t\t{status}\t{iso(admitted)}\t"
                        f"{iso(official) if official else null}\t{iso(exempt) if exempt else null}\t{occ}\t"
                        f"{org_id}\t{skey}\t{sort}\n"
                    )
                done += len(rows)
                if len(buf) >= 20_000:
                    copy.write("".join(buf))
                    buf.clear()
                if done >= next_report:
                    self.log(f"  {done:,} / {total:,} đảng viên")
                    next_report += step
            copy.write("".join(buf))
        last_member = first_member + total - 1
        self.log("Đã ghi đảng viên; ghi quá trình sinh hoạt (Membership) …")
        raw.execute(
            "INSERT INTO organisations_membership (member_id, organisation_id, kind, start, \"end\", org_path, note) "
            "SELECT m.id, m.organisation_id, 'official', GREATEST(m.admitted_on, o.founded), NULL, o.path, '' "
            "FROM organisations_member m JOIN organisations_organisation o ON o.id = m.organisation_id "
            "WHERE m.id BETWEEN %s AND %s",
            (first_member, last_member),
        )
        for table in ("organisation", "member"):
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('organisations_{table}', 'id'), "
                f"(SELECT MAX(id) FROM organisations_{table}))"
            )
        raw.execute("SET LOCAL session_replication_role TO DEFAULT")
        raw.execute("SET LOCAL work_mem TO DEFAULT")
        self.log("Đã ghi quá trình sinh hoạt.")

    def load_orm(self, plan, names, rng, today, first_member):
        orgs = [
            Organisation(
                id=oid, code=code, name=name, kind=kind, parent_id=parent_id, path=path, depth=depth,
                founded=FOUNDED, search_key=f"{unaccent(name)} {code.lower()}",
            )
            for oid, code, name, kind, parent_id, path, depth in plan.orgs
        ]
        Organisation.objects.bulk_create(orgs, batch_size=BATCH)
        OrgPlacement.objects.bulk_create(
            [OrgPlacement(organisation_id=o.id, parent_id=o.parent_id, path=o.path, valid_from=FOUNDED) for o in orgs],
            batch_size=BATCH,
        )
        paths = {o.id: o.path for o in orgs}
        members, memberships = [], []
        founded = FOUNDED.toordinal()
        D = datetime.date.fromordinal
        for org_id, rows in self.member_rows(plan, names, rng, today, first_member):
            for mid, code, full, gender, birth, status, admitted, official, exempt, occ, skey, sort in rows:
                members.append(
                    Member(
                        id=mid, code=code, full_name=full, gender=gender, birth_date=D(birth), status=status,
                        admitted_on=D(admitted), official_on=D(official) if official else None,
                        exempt_since=D(exempt) if exempt else None, occupation=occ, organisation_id=org_id,
                        search_key=skey, sort_key=sort,
                    )
                )
                memberships.append(
                    Membership(
                        member_id=mid, organisation_id=org_id, kind="official", start=D(max(admitted, founded)),
                        org_path=paths[org_id],
                    )
                )
        Member.objects.bulk_create(members, batch_size=BATCH)
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        self.log(f"Đã ghi {len(orgs):,} tổ chức và {len(members):,} đảng viên.")
