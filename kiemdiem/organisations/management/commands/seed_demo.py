"""`kiemdiem seed_demo [--if-empty]`: the organisations and people of the articles.

    Thành ủy Cần Thơ (CT)
    ├── Quận ủy Bình Thủy (CT-BT): Ban Thường vụ of 11, Bí thư Lê Hoàng Nam (also Thành ủy viên);
    │   Ban Tổ chức, Ban Tuyên giáo, Ban Dân vận, Ủy ban Kiểm tra, Văn phòng Quận ủy;
    │   Đảng bộ phường An Thới (Bí thư Đảng ủy Nguyễn Hồng Hà) and the other seven wards;
    │   Đảng bộ Quân sự quận (Phó Bí thư Lê Hồng Vũ, đảng viên Trần Thị Mỹ Loan); Công an;
    │   the district's party and government agencies.
    └── Quận ủy Ninh Kiều (CT-NK) → Đảng bộ phường Cái Khế (Bí thư Mai Xuân Bình, Phó Bí thư
        Thường trực Nguyễn Thanh Phong, La Thành Minh Phó Chủ tịch UBND phường).
    Tỉnh ủy Vĩnh Phúc (VP) → Huyện ủy Yên Lạc (VP-YL): 61 grassroots units (17 Đảng bộ xã,
        thị trấn with their chi bộ thôn / tổ dân phố, 44 agency and enterprise units), 6,640 members.
    Tỉnh ủy Bình Thuận (BTH) → Thành ủy Phan Thiết (BTH-PT): Bí thư Nguyễn Hồng Hải (Ủy viên BTV
        Tỉnh ủy), Lê Văn Hưng (Ủy viên BTV, Trưởng Ban Tuyên giáo Thành ủy), four grassroots units.

The people named in the articles appear only in the roles the articles give them; everybody
else is generated (fictional names, fixed random seed, so every run on an empty database gives
the same data and the same codes). The standing committee (Ban Thường vụ) of an organisation is
its open positions with role secretary, deputy secretary or standing member.

Demo accounts, all with the password "kiemdiem-demo":

    admin         superuser
    btc.binhthuy  staff (cán bộ nghiệp vụ) on Quận ủy Bình Thủy
    bt.yenlac     committee (cấp ủy) on Huyện ủy Yên Lạc; linked to the (fictional) Bí thư Huyện ủy
    cb.anthoi     staff on Đảng bộ phường An Thới
    dangvien      an ordinary member of Chi bộ khu vực 4, phường An Thới (fictional)

`--if-empty` does nothing when any organisation exists (what `make run` uses); without it the
command refuses to run on a database that already has organisations.
"""
from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kiemdiem.core.text import unaccent
from kiemdiem.organisations import services
from kiemdiem.organisations.choices import (
    GrantRole,
    MembershipKind,
    Occupation,
    OrgKind,
    PartyStatus,
    PositionRole,
)
from kiemdiem.organisations.demo_data import (
    BINH_THUY_WARDS,
    DEMO_PASSWORD,
    DEMO_SEED,
    PHAN_THIET_UNITS,
    REAL_PEOPLE,
    YEN_LAC_AGENCIES,
    YEN_LAC_COMMUNES,
    YEN_LAC_MEMBERS,
    NamePool,
    gen_person,
    split_total,
)
from kiemdiem.organisations.models import (
    Member,
    Membership,
    Organisation,
    Position,
    ResidenceRegistration,
)

D = datetime.date
ACCOUNTS = (
    ("admin", "quản trị hệ thống (superuser)", None, None),
    ("btc.binhthuy", "cán bộ nghiệp vụ, Quận ủy Bình Thủy", "CT-BT", GrantRole.STAFF),
    ("bt.yenlac", "cấp ủy, Huyện ủy Yên Lạc", "VP-YL", GrantRole.COMMITTEE),
    ("cb.anthoi", "cán bộ nghiệp vụ, Đảng bộ phường An Thới", "CT-BT-AT", GrantRole.STAFF),
    ("dangvien", "đảng viên, Chi bộ khu vực 4, phường An Thới", None, None),
)
DANGVIEN_CELL = "CT-BT-AT-KV4"
# Start of the current terms (nhiệm kỳ) used for positions.
TERM_DISTRICT = D(2020, 10, 1)
TERM_GRASSROOTS = D(2020, 7, 1)
TERM_CELL = D(2022, 6, 1)
# Bình Thủy's committee is the one of seed 000 (its standing committee's review in 2012): the
# 2010–2015 term, so a launch of that year finds its Ban Thường vụ and Ban Chấp hành
TERM_BINH_THUY = D(2010, 10, 1)
PROVINCE_DIGITS = {"CT": "092", "VP": "026", "BTH": "060"}  # first digits of a citizen id


@dataclass
class Unit:
    """A member-holding organisation to fill."""

    org: Organisation
    group: str  # district code: CT-BT, CT-NK, VP-YL, BTH-PT
    hint: str  # residential, agency, armed, school, enterprise (see demo_data.gen_person)
    weight: float = 1.0
    size: int = 0
    address: str = ""  # for residential cells: the address members register there with
    members: list = field(default_factory=list)


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu theo các bài báo: Cần Thơ (Bình Thủy, Ninh Kiều), Vĩnh Phúc (Yên Lạc), Bình Thuận (Phan Thiết)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Không làm gì nếu cơ sở dữ liệu đã có tổ chức đảng."
        )

    def handle(self, *args, if_empty=False, **options):
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Cơ sở dữ liệu đã có tổ chức đảng: bỏ qua dữ liệu mẫu.")
                return
            raise CommandError("Cơ sở dữ liệu đã có tổ chức đảng; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống.")
        started = time.monotonic()
        with transaction.atomic():
            builder = DemoBuilder(timezone.localdate())
            builder.build()
            from kiemdiem.feedback.demo import seed_feedback_demo

            seed_feedback_demo()  # seed 000: Bình Thủy's 62 feedback documents, the one-stop desk
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp dữ liệu mẫu: {builder.org_count} tổ chức, {builder.member_count} đảng viên "
                f"({builder.yen_lac_members} thuộc Đảng bộ huyện Yên Lạc) trong {elapsed:.1f} giây."
            )
        )
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, label, _code, _role in ACCOUNTS:
            self.stdout.write(f"  {username:<14} {label}")


class DemoBuilder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.rng = random.Random(DEMO_SEED)
        self.names = NamePool(seed=DEMO_SEED, size=4000)
        self.orgs: dict[str, Organisation] = {}
        self.units: dict[str, Unit] = {}
        self.positions: list[Position] = []
        self.used: set[int] = set()  # generated members already given a district-level post
        self.holders: dict[str, set[int]] = {}  # organisation code -> members holding a post there
        self.citizen_ids: set[str] = set()
        self.seq: dict[str, int] = {}
        self.member_count = 0
        self.yen_lac_members = 0

    @property
    def org_count(self) -> int:
        return len(self.orgs)

    # --- tree ------------------------------------------------------------------------------

    def org(self, code, name, kind, parent=None, founded=None) -> Organisation:
        parent_org = self.orgs[parent] if parent else None
        founded = founded or (parent_org.founded if parent_org else D(1997, 1, 1))
        org = services.organisation_create(
            actor=None, code=code, name=name, kind=kind, parent=parent_org, founded=founded
        )
        self.orgs[code] = org
        return org

    def unit(self, code, name, parent, group, hint, *, weight=1.0, size=0, kind=OrgKind.CELL, address=""):
        org = self.org(code, name, kind, parent)
        self.units[code] = Unit(org, group, hint, weight, size, address)
        return org

    def advisory(self, prefix: str, suffix: str, which=("BTC", "BTG", "BDV", "UBKT", "VP")):
        names = {
            "BTC": "Ban Tổ chức", "BTG": "Ban Tuyên giáo", "BDV": "Ban Dân vận",
            "UBKT": "Ủy ban Kiểm tra", "VP": "Văn phòng",
        }
        for key in which:
            self.org(f"{prefix}-{key}", f"{names[key]} {suffix}", OrgKind.ADVISORY, prefix)

    def ward(self, parent, code, place_kind, place, n_residential, group, address_tail, *, residential_word):
        """A ward/commune party organisation with its agency cells and residential cells."""
        self.org(code, f"Đảng bộ {place_kind} {place}", OrgKind.GRASSROOTS, parent)
        rng = self.rng
        self.unit(f"{code}-CQ", f"Chi bộ Cơ quan {place_kind} {place}", code, group, "agency",
                  size=rng.randint(10, 16))
        self.unit(f"{code}-CA", f"Chi bộ Công an {place_kind} {place}", code, group, "armed", size=rng.randint(6, 10))
        self.unit(f"{code}-QS", f"Chi bộ Quân sự {place_kind} {place}", code, group, "armed", size=rng.randint(5, 8))
        for k in range(1, n_residential + 1):
            label = f"{residential_word.capitalize()} {k}"
            self.unit(
                f"{code}-{residential_word_code(residential_word)}{k}", f"Chi bộ {residential_word} {k}", code, group,
                "residential", size=rng.randint(16, 28), address=f"{label}, {place_kind} {place}, {address_tail}",
            )

    def build_tree(self):
        rng = self.rng
        # Cần Thơ
        self.org("CT", "Thành ủy Cần Thơ", OrgKind.PROVINCIAL, founded=D(2004, 1, 1))
        self.org("CT-BT", "Quận ủy Bình Thủy", OrgKind.DISTRICT, "CT", founded=D(2004, 1, 2))
        self.advisory("CT-BT", "Quận ủy Bình Thủy")
        self.org("CT-BT-CQD", "Đảng bộ Cơ quan Đảng, Đoàn thể quận Bình Thủy", OrgKind.GRASSROOTS, "CT-BT")
        for code, name, size in (
            ("VP", "Chi bộ Văn phòng Quận ủy", 14), ("BTC", "Chi bộ Ban Tổ chức Quận ủy", 9),
            ("UBKT", "Chi bộ Ủy ban Kiểm tra Quận ủy", 8), ("TGDV", "Chi bộ Ban Tuyên giáo – Dân vận Quận ủy", 10),
            ("MT", "Chi bộ Mặt trận Tổ quốc và các đoàn thể quận", 16),
        ):
            self.unit(f"CT-BT-CQD-{code}", name, "CT-BT-CQD", "CT-BT", "agency", size=size)
        self.org("CT-BT-CQCQ", "Đảng bộ Cơ quan Chính quyền quận Bình Thủy", OrgKind.GRASSROOTS, "CT-BT")
        for code, name, size in (
            ("VP", "Chi bộ Văn phòng HĐND và UBND quận", 15), ("TCKH", "Chi bộ Phòng Tài chính – Kế hoạch", 9),
            ("TNMT", "Chi bộ Phòng Tài nguyên và Môi trường", 10), ("QLDT", "Chi bộ Phòng Quản lý đô thị", 9),
        ):
            self.unit(f"CT-BT-CQCQ-{code}", name, "CT-BT-CQCQ", "CT-BT", "agency", size=size)
        self.org("CT-BT-QS", "Đảng bộ Quân sự quận Bình Thủy", OrgKind.GRASSROOTS, "CT-BT")
        for code, name, size in (
            ("CH", "Chi bộ Ban Chỉ huy Quân sự quận", 9), ("CQ", "Chi bộ Cơ quan Quân sự quận", 14),
            ("DQ", "Chi bộ Trung đội Dân quân cơ động", 8),
        ):
            self.unit(f"CT-BT-QS-{code}", name, "CT-BT-QS", "CT-BT", "armed", size=size)
        self.org("CT-BT-CA", "Đảng bộ Công an quận Bình Thủy", OrgKind.GRASSROOTS, "CT-BT")
        for code, name, size in (
            ("CH", "Chi bộ Ban Chỉ huy Công an quận", 10), ("CS", "Chi bộ Cảnh sát", 18), ("AN", "Chi bộ An ninh", 12),
        ):
            self.unit(f"CT-BT-CA-{code}", name, "CT-BT-CA", "CT-BT", "armed", size=size)
        for code, place, n in BINH_THUY_WARDS:
            self.ward("CT-BT", f"CT-BT-{code}", "phường", place, n, "CT-BT", "quận Bình Thủy, thành phố Cần Thơ",
                      residential_word="khu vực")

        self.org("CT-NK", "Quận ủy Ninh Kiều", OrgKind.DISTRICT, "CT", founded=D(2004, 1, 2))
        self.advisory("CT-NK", "Quận ủy Ninh Kiều", which=("BTC", "UBKT"))
        self.unit("CT-NK-VP", "Chi bộ Cơ quan Quận ủy Ninh Kiều", "CT-NK", "CT-NK", "agency", size=16,
                  kind=OrgKind.GRASSROOTS_CELL)
        self.ward("CT-NK", "CT-NK-CK", "phường", "Cái Khế", 6, "CT-NK", "quận Ninh Kiều, thành phố Cần Thơ",
                  residential_word="khu vực")

        # Vĩnh Phúc
        self.org("VP", "Tỉnh ủy Vĩnh Phúc", OrgKind.PROVINCIAL, founded=D(1997, 1, 1))
        self.org("VP-YL", "Huyện ủy Yên Lạc", OrgKind.DISTRICT, "VP")
        self.advisory("VP-YL", "Huyện ủy Yên Lạc")
        for place_kind, place in YEN_LAC_COMMUNES:
            slug = ascii_slug(place)
            code = f"VP-YL-{'TT' if place_kind == 'thị trấn' else 'X'}{slug}"
            word = "tổ dân phố" if place_kind == "thị trấn" else "thôn"
            self.org(code, f"Đảng bộ {place_kind} {place}", OrgKind.GRASSROOTS, "VP-YL")
            for sub, name, hint in (
                ("CQ", f"Chi bộ Cơ quan {place_kind}", "agency"), ("CA", f"Chi bộ Công an {place_kind}", "armed"),
                ("QS", f"Chi bộ Quân sự {place_kind}", "armed"), ("MN", "Chi bộ Trường Mầm non", "school"),
                ("TH", "Chi bộ Trường Tiểu học", "school"), ("THCS", "Chi bộ Trường THCS", "school"),
            ):
                self.unit(f"{code}-{sub}", f"{name} {place}", code, "VP-YL", hint, weight=0.55)
            for k in range(1, rng.randint(10, 16) + 1):
                self.unit(
                    f"{code}-{'TDP' if word == 'tổ dân phố' else 'T'}{k}", f"Chi bộ {word} {k}", code, "VP-YL",
                    "residential", weight=1.25,
                    address=f"{word.capitalize()} {k}, {place_kind} {place}, huyện Yên Lạc, tỉnh Vĩnh Phúc",
                )
        for sub, name, cells in YEN_LAC_AGENCIES:
            code = f"VP-YL-{sub}"
            hint = agency_hint(name)
            if not cells:
                self.unit(code, name, "VP-YL", "VP-YL", hint, weight=1.0, kind=OrgKind.GRASSROOTS_CELL)
                continue
            self.org(code, name, OrgKind.GRASSROOTS, "VP-YL")
            for k, cell_name in enumerate(cells, 1):
                self.unit(f"{code}-C{k}", cell_name, code, "VP-YL", hint, weight=0.9)

        # Bình Thuận
        self.org("BTH", "Tỉnh ủy Bình Thuận", OrgKind.PROVINCIAL, founded=D(1992, 4, 1))
        self.org("BTH-PT", "Thành ủy Phan Thiết", OrgKind.DISTRICT, "BTH")
        self.advisory("BTH-PT", "Thành ủy Phan Thiết", which=("BTC", "BTG", "UBKT", "VP"))
        self.unit("BTH-PT-CBVP", "Chi bộ Văn phòng Thành ủy Phan Thiết", "BTH-PT", "BTH-PT", "agency", size=18,
                  kind=OrgKind.GRASSROOTS_CELL)
        self.unit("BTH-PT-BD", "Chi bộ các Ban Đảng Thành ủy Phan Thiết", "BTH-PT", "BTH-PT", "agency", size=15,
                  kind=OrgKind.GRASSROOTS_CELL)
        for code, place, place_kind, n in PHAN_THIET_UNITS:
            word = "thôn" if place_kind == "xã" else "khu phố"
            self.ward("BTH-PT", f"BTH-PT-{code}", place_kind, place, n, "BTH-PT",
                      "thành phố Phan Thiết, tỉnh Bình Thuận", residential_word=word)

        # Yên Lạc: sizes from weights so that the district totals exactly YEN_LAC_MEMBERS
        yl = [u for u in self.units.values() if u.group == "VP-YL"]
        for u, size in zip(yl, split_total(YEN_LAC_MEMBERS, [u.weight * (0.7 + 0.6 * rng.random()) for u in yl], 5)):
            u.size = size

    # --- members ---------------------------------------------------------------------------

    def next_code(self, org: Organisation) -> str:
        province = org.code.split("-")[0]
        self.seq[province] = self.seq.get(province, 0) + 1
        return f"{province}-DV{self.seq[province]:05d}"

    def citizen_id(self, province: str, gender: str, birth: datetime.date) -> str:
        century = (birth.year // 100 - 19) * 2 + (1 if gender == "female" else 0)
        while True:
            value = f"{PROVINCE_DIGITS[province]}{century}{birth.year % 100:02d}{self.rng.randrange(10**6):06d}"
            if value not in self.citizen_ids:
                self.citizen_ids.add(value)
                return value

    def build_members(self):
        rng, today = self.rng, self.today.toordinal()
        real_by_cell: dict[str, list] = {}
        for person in REAL_PEOPLE:
            real_by_cell.setdefault(person.cell, []).append(person)
        members: list[Member] = []
        owners: list[tuple[Unit, bool]] = []
        for code, unit in self.units.items():
            real = real_by_cell.get(code, [])
            for person in real:
                m = Member(
                    code=self.next_code(unit.org), full_name=person.full_name, gender=person.gender,
                    birth_date=person.birth, admitted_on=person.admitted,
                    official_on=person.admitted + datetime.timedelta(days=365), status=PartyStatus.OFFICIAL,
                    occupation=person.occupation, organisation=unit.org,
                )
                members.append(m)
                owners.append((unit, True))
            for _ in range(max(unit.size - len(real), 0)):
                gender, birth, admitted, official, status, exempt, occupation = gen_person(rng, today, unit.hint)
                birth_d = D.fromordinal(birth)
                m = Member(
                    code=self.next_code(unit.org), full_name=self.names.pick(rng, gender).full, gender=gender,
                    birth_date=birth_d, admitted_on=D.fromordinal(admitted),
                    official_on=D.fromordinal(official) if official else None, status=status,
                    exempt_since=D.fromordinal(exempt) if exempt else None, occupation=occupation,
                    organisation=unit.org,
                    citizen_id=self.citizen_id(unit.org.code.split("-")[0], gender, birth_d),
                )
                members.append(m)
                owners.append((unit, False))
        for m in members:
            m.fill_keys()
        Member.objects.bulk_create(members, batch_size=2000)
        if any(m.pk is None for m in members):  # a backend that does not return ids
            ids = dict(Member.objects.filter(code__in=[m.code for m in members]).values_list("code", "pk"))
            for m in members:
                m.pk = m.id = ids[m.code]
        memberships = []
        for m, (unit, is_real) in zip(members, owners):
            unit.members.append((m, is_real))
            memberships.append(
                Membership(
                    member=m, organisation=unit.org, kind=MembershipKind.OFFICIAL,
                    start=max(m.admitted_on, unit.org.founded), org_path=unit.org.path,
                )
            )
        Membership.objects.bulk_create(memberships, batch_size=2000)
        self.member_count = len(members)
        self.yen_lac_members = sum(len(u.members) for u in self.units.values() if u.group == "VP-YL")
        self.build_residences()

    def build_residences(self):
        """Members of agency cells register with a residential cell of their district (QĐ 213)."""
        rng = self.rng
        homes: dict[str, list[Unit]] = {}
        for u in self.units.values():
            if u.address:
                homes.setdefault(u.group, []).append(u)
        rows = []
        for u in self.units.values():
            if u.address or u.group not in homes:
                continue
            for m, is_real in u.members:
                if is_real or rng.random() > 0.55:
                    continue
                home = rng.choice(homes[u.group])
                earliest = max(m.admitted_on, home.org.founded).toordinal()
                start = max(earliest, self.today.toordinal() - rng.randint(30, 6 * 365))
                rows.append(
                    ResidenceRegistration(member=m, organisation=home.org, address=home.address, start=D.fromordinal(start))
                )
        ResidenceRegistration.objects.bulk_create(rows, batch_size=2000)

    # --- positions -------------------------------------------------------------------------

    def leader(self, cell_code: str, org_code: str, *, district: bool = False, admitted_by: D | None = None) -> Member:
        """A generated, working-age, official, non-exempt member of the cell holding no post in
        `org_code` yet (and, for district-level posts, no other district-level post)."""
        today = self.today
        holders = self.holders.setdefault(org_code, set())
        for m, is_real in self.units[cell_code].members:
            if is_real or m.status != PartyStatus.OFFICIAL or m.exempt_since:
                continue
            if m.occupation in (Occupation.RETIRED, Occupation.STUDENT):
                continue
            if (today - m.birth_date).days > 59 * 365 or m.pk in holders or (district and m.pk in self.used):
                continue
            if admitted_by and m.admitted_on > admitted_by:
                continue
            if district:
                self.used.add(m.pk)
            return m
        raise RuntimeError(f"no candidate for a post in {cell_code}")

    def post(self, member: Member, org_code: str, role: str, title: str = "", start: D | None = None):
        org = self.orgs[org_code]
        if start is None and org_code == "CT-BT":
            start = TERM_BINH_THUY
        if start is None:
            start = {OrgKind.CELL: TERM_CELL, OrgKind.GRASSROOTS_CELL: TERM_CELL, OrgKind.GRASSROOTS: TERM_GRASSROOTS}.get(
                org.kind, TERM_DISTRICT
            )
        start = max(start, member.admitted_on)
        self.holders.setdefault(org_code, set()).add(member.pk)
        self.positions.append(Position(member=member, organisation=org, role=role, title=title, start=start))

    def build_positions(self):
        by_name = {}
        for unit in self.units.values():
            for m, is_real in unit.members:
                if is_real:
                    by_name[m.full_name] = m
        taken: set[tuple[str, str]] = set()  # (org, role) held by a real person
        for person in REAL_PEOPLE:
            for org_code, role, title in person.positions:
                self.post(by_name[person.full_name], org_code, role, title)
                taken.add((org_code, role))

        # every cell and chi bộ cơ sở: a secretary, and a deputy in the larger ones
        for code, unit in self.units.items():
            self.post(self.leader(code, code), code, PositionRole.SECRETARY, "Bí thư Chi bộ")
            if unit.size >= 12:
                self.post(self.leader(code, code), code, PositionRole.DEPUTY_SECRETARY, "Phó Bí thư Chi bộ")

        # every đảng bộ cơ sở: secretary, deputy, a few committee members (unless named in the articles)
        for code, org in self.orgs.items():
            if org.kind != OrgKind.GRASSROOTS:
                continue
            cells = [c for c, u in self.units.items() if u.org.parent_id == org.pk]
            if (code, PositionRole.SECRETARY) not in taken:
                self.post(self.leader(cells[0], code), code, PositionRole.SECRETARY, f"Bí thư {committee_name(org)}")
            if (code, PositionRole.DEPUTY_SECRETARY) not in taken:
                self.post(self.leader(cells[0], code), code, PositionRole.DEPUTY_SECRETARY,
                          f"Phó Bí thư {committee_name(org)}")
            for k in range(min(5, len(cells))):
                self.post(self.leader(cells[(k + 1) % len(cells)], code), code, PositionRole.COMMITTEE_MEMBER,
                          "Đảng ủy viên")

        self.district_committees()
        Position.objects.bulk_create(self.positions, batch_size=2000)

    def district_committees(self):
        S, D_, ST, H = (PositionRole.SECRETARY, PositionRole.DEPUTY_SECRETARY, PositionRole.STANDING_MEMBER,
                        PositionRole.HEAD_OF_BODY)
        # Bình Thủy: Ban Thường vụ of 11 = Lê Hoàng Nam (secretary, from the articles) + 10
        binh_thuy = (
            (D_, "Phó Bí thư Thường trực Quận ủy", "CT-BT-CQD-VP", None),
            (D_, "Phó Bí thư Quận ủy, Chủ tịch UBND quận", "CT-BT-CQCQ-VP", None),
            (ST, "Trưởng Ban Tổ chức Quận ủy", "CT-BT-CQD-BTC", "CT-BT-BTC"),
            (ST, "Chủ nhiệm Ủy ban Kiểm tra Quận ủy", "CT-BT-CQD-UBKT", "CT-BT-UBKT"),
            (ST, "Trưởng Ban Tuyên giáo Quận ủy", "CT-BT-CQD-TGDV", "CT-BT-BTG"),
            (ST, "Trưởng Ban Dân vận Quận ủy", "CT-BT-CQD-TGDV", "CT-BT-BDV"),
            (ST, "Phó Chủ tịch Thường trực UBND quận", "CT-BT-CQCQ-VP", None),
            (ST, "Chủ tịch Ủy ban MTTQ Việt Nam quận", "CT-BT-CQD-MT", None),
            (ST, "Chỉ huy trưởng Ban Chỉ huy Quân sự quận", "CT-BT-QS-CH", None),
            (ST, "Trưởng Công an quận", "CT-BT-CA-CH", None),
        )
        self.standing_committee("CT-BT", binh_thuy)
        self.post(self.leader("CT-BT-CQD-VP", "CT-BT-VP", district=True), "CT-BT-VP", H, "Chánh Văn phòng Quận ủy")
        # the rest of the executive committee (Ban Chấp hành, 35): Quận ủy viên
        pool = [c for c, u in self.units.items() if u.group == "CT-BT" and not u.address]
        for k in range(24):
            self.post(self.leader(pool[k % len(pool)], "CT-BT", district=True), "CT-BT", PositionRole.COMMITTEE_MEMBER,
                      "Quận ủy viên")

        # Yên Lạc: generated committee (the article names nobody)
        yen_lac = (
            (S, "Bí thư Huyện ủy", "VP-YL-VPHU", None),
            (D_, "Phó Bí thư Thường trực Huyện ủy", "VP-YL-VPHU", None),
            (D_, "Phó Bí thư Huyện ủy, Chủ tịch UBND huyện", "VP-YL-CQCQ-C1", None),
            (ST, "Trưởng Ban Tổ chức Huyện ủy", "VP-YL-BDHU", "VP-YL-BTC"),
            (ST, "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy", "VP-YL-BDHU", "VP-YL-UBKT"),
            (ST, "Trưởng Ban Tuyên giáo Huyện ủy", "VP-YL-BDHU", "VP-YL-BTG"),
            (ST, "Trưởng Ban Dân vận Huyện ủy", "VP-YL-BDHU", "VP-YL-BDV"),
            (ST, "Chánh Văn phòng Huyện ủy", "VP-YL-VPHU", "VP-YL-VP"),
            (ST, "Phó Chủ tịch UBND huyện", "VP-YL-CQCQ-C1", None),
            (ST, "Chủ tịch Ủy ban MTTQ Việt Nam huyện", "VP-YL-MTDT", None),
            (ST, "Chỉ huy trưởng Ban Chỉ huy Quân sự huyện", "VP-YL-QS-C1", None),
            (ST, "Trưởng Công an huyện", "VP-YL-CA-C1", None),
        )
        self.yen_lac_secretary = self.standing_committee("VP-YL", yen_lac)[0]
        pool = [c for c, u in self.units.items() if u.group == "VP-YL" and u.hint == "agency"]
        for k in range(21):
            self.post(self.leader(pool[k % len(pool)], "VP-YL", district=True), "VP-YL", PositionRole.COMMITTEE_MEMBER,
                      "Huyện ủy viên")

        # Phan Thiết: Nguyễn Hồng Hải (secretary) and Lê Văn Hưng (BTV, Ban Tuyên giáo) from the articles
        phan_thiet = (
            (D_, "Phó Bí thư Thường trực Thành ủy", "BTH-PT-CBVP", None),
            (D_, "Phó Bí thư Thành ủy, Chủ tịch UBND thành phố", "BTH-PT-CBVP", None),
            (ST, "Trưởng Ban Tổ chức Thành ủy", "BTH-PT-BD", "BTH-PT-BTC"),
            (ST, "Chủ nhiệm Ủy ban Kiểm tra Thành ủy", "BTH-PT-BD", "BTH-PT-UBKT"),
            (ST, "Chánh Văn phòng Thành ủy", "BTH-PT-CBVP", "BTH-PT-VP"),
        )
        self.standing_committee("BTH-PT", phan_thiet)
        self.post(self.leader("CT-NK-VP", "CT-NK-BTC", district=True), "CT-NK-BTC", H, "Trưởng Ban Tổ chức Quận ủy")
        self.post(self.leader("CT-NK-VP", "CT-NK-UBKT", district=True), "CT-NK-UBKT", H,
                  "Chủ nhiệm Ủy ban Kiểm tra Quận ủy")

    def standing_committee(self, org_code, rows) -> list[Member]:
        people = []
        # Bình Thủy's standing committee sat for the 2012 review (seed 000): members by mid-2012
        admitted_by = D(2012, 6, 30) if org_code == "CT-BT" else None
        for role, title, cell, heads in rows:
            m = self.leader(cell, org_code, district=True, admitted_by=admitted_by)
            people.append(m)
            self.post(m, org_code, role, title)
            if heads:
                self.post(m, heads, PositionRole.HEAD_OF_BODY, title)
        return people

    # --- accounts --------------------------------------------------------------------------

    def build_accounts(self):
        User = get_user_model()
        users = {}
        for username, _label, org_code, role in ACCOUNTS:
            user, _created = User.objects.get_or_create(username=username)
            user.is_superuser = user.is_staff = username == "admin"
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
            if org_code:
                services.grant_role(actor=None, user=user, organisation=self.orgs[org_code], role=role)
        member = self.ordinary_member(DANGVIEN_CELL)
        Member.objects.filter(pk=member.pk).update(user=users["dangvien"])
        Member.objects.filter(pk=self.yen_lac_secretary.pk).update(user=users["bt.yenlac"])

    def ordinary_member(self, cell_code: str) -> Member:
        """An official member of the cell without any post, working in the political system if
        the cell has one (form 2B), else any working member."""
        posted = {p.member.pk for p in self.positions}
        candidates = [
            m for m, is_real in self.units[cell_code].members
            if not is_real and m.pk not in posted and m.status == PartyStatus.OFFICIAL and not m.exempt_since
            and m.occupation not in (Occupation.RETIRED, Occupation.STUDENT)
        ]
        preferred = [m for m in candidates if m.occupation == Occupation.POLITICAL_SYSTEM]
        if not (preferred or candidates):
            raise RuntimeError(f"no ordinary member in {cell_code}")
        return (preferred or candidates)[0]

    def build(self):
        self.build_tree()
        self.build_members()
        self.build_positions()
        self.build_accounts()


# --- helpers -------------------------------------------------------------------------------

def ascii_slug(text: str) -> str:
    return "".join(ch for ch in unaccent(text).upper() if ch.isalnum())


def residential_word_code(word: str) -> str:
    return {"khu vực": "KV", "khu phố": "KP", "thôn": "T", "tổ dân phố": "TDP"}[word]


def agency_hint(name: str) -> str:
    lowered = name.lower()
    if "công an" in lowered or "quân sự" in lowered:
        return "armed"
    if "trường" in lowered and "bồi dưỡng" not in lowered:
        return "school"
    if any(w in lowered for w in ("công ty", "điện lực", "viễn thông", "bưu điện", "hợp tác xã", "quỹ tín dụng", "ngân hàng", "xí nghiệp")):
        return "enterprise"
    return "agency"


def committee_name(org: Organisation) -> str:
    """'Đảng bộ phường An Thới' -> 'Đảng ủy phường An Thới'."""
    return org.name.replace("Đảng bộ", "Đảng ủy", 1)
