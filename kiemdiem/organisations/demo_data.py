"""Data and generators shared by `seed_demo` and `seed_synthetic`.

- The organisations and the real people of the articles in /work/shared/seeds (the roles the
  articles give them, nothing more; domain.md section 8).
- A deterministic generator of plausible, fictional Vietnamese party members: names from
  weighted pools (no generated name equals a real person's name), gender, birth and admission
  dates, probationary members (admitted < 12 months ago), exemptions for the elderly and the
  occupation categories that drive the choice of review form.
- The 34 provinces and centrally-run cities after the 2025 merger, for the synthetic tree.

Dates are ordinals (`datetime.date.toordinal()`) inside the generators, for speed: the
synthetic national tree draws 5.6 million people.
"""
from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from kiemdiem.core.text import name_sort_key, nfc, unaccent

from .choices import Occupation, PartyStatus, PositionRole

DEMO_PASSWORD = "kiemdiem-demo"
DEMO_SEED = 20121001  # fixed: the same database on every run

# --- people named in the articles ----------------------------------------------------------
# Only the name, the organisation and the role come from the articles; birth and admission
# dates are neutral placeholders (the Member record requires them). Nothing else about these
# people is invented: no residence registration, no citizen id, no rating, no discipline.


@dataclass(frozen=True)
class RealPerson:
    full_name: str
    gender: str
    cell: str  # code of the cell they belong to
    positions: tuple[tuple[str, str, str], ...]  # (organisation code, PositionRole, title)
    birth: datetime.date
    admitted: datetime.date
    occupation: str = Occupation.POLITICAL_SYSTEM
    source: str = ""


REAL_PEOPLE: tuple[RealPerson, ...] = (
    RealPerson(
        "Lê Hoàng Nam", "male", "CT-BT-CQD-VP",
        (
            ("CT-BT", PositionRole.SECRETARY, "Bí thư Quận ủy Bình Thủy"),
            ("CT", PositionRole.COMMITTEE_MEMBER, "Thành ủy viên"),
        ),
        datetime.date(1968, 3, 15), datetime.date(1992, 5, 19), source="seed 000",
    ),
    RealPerson(
        "Lê Hồng Vũ", "male", "CT-BT-QS-CH",
        (("CT-BT-QS", PositionRole.DEPUTY_SECRETARY, "Phó Bí thư Đảng ủy Quân sự quận"),),
        datetime.date(1972, 8, 2), datetime.date(1995, 2, 3), Occupation.ARMED_FORCES, "seed 000",
    ),
    RealPerson(
        "Trần Thị Mỹ Loan", "female", "CT-BT-QS-CQ", (),
        datetime.date(1985, 11, 20), datetime.date(2008, 9, 2), Occupation.ARMED_FORCES, "seed 000",
    ),
    RealPerson(
        "Nguyễn Hồng Hà", "male", "CT-BT-AT-CQ",
        (("CT-BT-AT", PositionRole.SECRETARY, "Bí thư Đảng ủy phường An Thới"),),
        datetime.date(1970, 6, 10), datetime.date(1994, 3, 26), source="seed 000",
    ),
    RealPerson(
        "Mai Xuân Bình", "male", "CT-NK-CK-CQ",
        (("CT-NK-CK", PositionRole.SECRETARY, "Bí thư Đảng ủy phường Cái Khế"),),
        datetime.date(1969, 4, 12), datetime.date(1993, 12, 22), source="seed 004",
    ),
    RealPerson(
        "Nguyễn Thanh Phong", "male", "CT-NK-CK-CQ",
        (("CT-NK-CK", PositionRole.DEPUTY_SECRETARY, "Phó Bí thư Thường trực Đảng ủy phường Cái Khế"),),
        datetime.date(1975, 9, 5), datetime.date(1999, 5, 19), source="seed 004",
    ),
    RealPerson(
        "La Thành Minh", "male", "CT-NK-CK-CQ",
        (("CT-NK-CK", PositionRole.COMMITTEE_MEMBER, "Phó Chủ tịch UBND phường Cái Khế"),),
        datetime.date(1978, 1, 20), datetime.date(2003, 2, 3), source="seed 004",
    ),
    RealPerson(
        "Nguyễn Hồng Hải", "male", "BTH-PT-CBVP",
        (
            ("BTH-PT", PositionRole.SECRETARY, "Bí thư Thành ủy Phan Thiết"),
            ("BTH", PositionRole.STANDING_MEMBER, "Ủy viên Ban Thường vụ Tỉnh ủy"),
        ),
        datetime.date(1970, 10, 8), datetime.date(1995, 9, 2), source="seed 001",
    ),
    RealPerson(
        "Lê Văn Hưng", "male", "BTH-PT-CBVP",
        (
            ("BTH-PT", PositionRole.STANDING_MEMBER, "Ủy viên Ban Thường vụ Thành ủy"),
            ("BTH-PT-BTG", PositionRole.HEAD_OF_BODY, "Trưởng Ban Tuyên giáo Thành ủy"),
        ),
        datetime.date(1973, 7, 14), datetime.date(1998, 3, 3), source="seed 001",
    ),
)
# Also named in the articles (never generated): Lê Xã Hội (seed 000, a retired general).
REAL_NAMES = frozenset(nfc(p.full_name) for p in REAL_PEOPLE) | {"Lê Xã Hội"}

# --- the demo's places ---------------------------------------------------------------------

BINH_THUY_WARDS = (  # the eight wards of Bình Thủy district (Cần Thơ) before 2025
    ("AT", "An Thới", 8), ("BTH", "Bình Thủy", 2), ("BHN", "Bùi Hữu Nghĩa", 2), ("LH", "Long Hòa", 2),
    ("LT", "Long Tuyền", 2), ("TAD", "Thới An Đông", 2), ("TA", "Trà An", 2), ("TN", "Trà Nóc", 2),
)  # (code, name, number of "khu vực" cells)

# Huyện Yên Lạc (Vĩnh Phúc): 1 thị trấn + 16 xã = the 17 "Đảng bộ xã, thị trấn" of seed 002.
YEN_LAC_COMMUNES = (
    ("thị trấn", "Yên Lạc"), ("xã", "Đồng Cương"), ("xã", "Đồng Văn"), ("xã", "Bình Định"),
    ("xã", "Trung Nguyên"), ("xã", "Tề Lỗ"), ("xã", "Tam Hồng"), ("xã", "Yên Đồng"), ("xã", "Văn Tiến"),
    ("xã", "Nguyệt Đức"), ("xã", "Yên Phương"), ("xã", "Hồng Phương"), ("xã", "Trung Kiên"),
    ("xã", "Liên Châu"), ("xã", "Đại Tự"), ("xã", "Hồng Châu"), ("xã", "Trung Hà"),
)
# The 44 "tổ chức cơ sở Đảng khối cơ quan, đơn vị sự nghiệp và doanh nghiệp" of seed 002:
# (code, name, cells) -- cells == 0: a chi bộ cơ sở holding members directly.
YEN_LAC_AGENCIES = (
    ("CA", "Đảng bộ Công an huyện Yên Lạc", ("Chi bộ Cơ quan", "Chi bộ Cảnh sát", "Chi bộ An ninh", "Chi bộ Tham mưu – Tổng hợp", "Chi bộ Công an thị trấn")),
    ("QS", "Đảng bộ Quân sự huyện Yên Lạc", ("Chi bộ Chỉ huy", "Chi bộ Cơ quan", "Chi bộ Dân quân cơ động")),
    ("TTYT", "Đảng bộ Trung tâm Y tế huyện Yên Lạc", ("Chi bộ Khối Hành chính", "Chi bộ Khối Nội", "Chi bộ Khối Ngoại", "Chi bộ Y tế dự phòng")),
    ("CQCQ", "Đảng bộ Cơ quan Chính quyền huyện Yên Lạc", ("Chi bộ Văn phòng HĐND và UBND", "Chi bộ Phòng Tài chính – Kế hoạch", "Chi bộ Phòng Tài nguyên và Môi trường", "Chi bộ Phòng Nội vụ – Lao động")),
    ("DL", "Đảng bộ Điện lực Yên Lạc", ("Chi bộ Văn phòng", "Chi bộ Đội Quản lý vận hành", "Chi bộ Đội Kinh doanh")),
    ("VPHU", "Chi bộ Văn phòng Huyện ủy Yên Lạc", ()),
    ("BDHU", "Chi bộ các Ban Đảng Huyện ủy Yên Lạc", ()),
    ("MTDT", "Chi bộ Mặt trận Tổ quốc và các đoàn thể huyện", ()),
    ("NN", "Chi bộ Phòng Nông nghiệp và Phát triển nông thôn", ()),
    ("GD", "Chi bộ Phòng Giáo dục và Đào tạo", ()),
    ("KTHT", "Chi bộ Phòng Kinh tế và Hạ tầng", ()),
    ("TP", "Chi bộ Phòng Tư pháp", ()),
    ("VHTT", "Chi bộ Phòng Văn hóa và Thông tin", ()),
    ("TTRA", "Chi bộ Thanh tra huyện", ()),
    ("TK", "Chi bộ Chi cục Thống kê", ()),
    ("THUE", "Chi bộ Chi cục Thuế", ()),
    ("KB", "Chi bộ Kho bạc Nhà nước huyện", ()),
    ("BHXH", "Chi bộ Bảo hiểm xã hội huyện", ()),
    ("VKS", "Chi bộ Viện Kiểm sát nhân dân huyện", ()),
    ("TA", "Chi bộ Tòa án nhân dân huyện", ()),
    ("THA", "Chi bộ Chi cục Thi hành án dân sự", ()),
    ("NHNN", "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Yên Lạc", ()),
    ("NHCS", "Chi bộ Phòng giao dịch Ngân hàng Chính sách xã hội huyện", ()),
    ("TTVH", "Chi bộ Trung tâm Văn hóa – Thể thao và Truyền thông", ()),
    ("GDNN", "Chi bộ Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên", ()),
    ("PTQD", "Chi bộ Trung tâm Phát triển quỹ đất", ()),
    ("QLDA", "Chi bộ Ban Quản lý dự án đầu tư xây dựng", ()),
    ("THPT1", "Chi bộ Trường THPT Yên Lạc", ()),
    ("THPT2", "Chi bộ Trường THPT Yên Lạc 2", ()),
    ("THPTPCB", "Chi bộ Trường THPT Phạm Công Bình", ()),
    ("THPTDD", "Chi bộ Trường THPT Đồng Đậu", ()),
    ("BD", "Chi bộ Bưu điện huyện", ()),
    ("VT", "Chi bộ Viễn thông Yên Lạc", ()),
    ("TL", "Chi bộ Xí nghiệp Thủy lợi Yên Lạc", ()),
    ("DE", "Chi bộ Hạt Quản lý đê Yên Lạc", ()),
    ("NS", "Chi bộ Công ty Cổ phần Nước sạch Yên Lạc", ()),
    ("MT", "Chi bộ Công ty Môi trường và Dịch vụ đô thị", ()),
    ("XD", "Chi bộ Công ty Cổ phần Xây dựng Yên Lạc", ()),
    ("TM", "Chi bộ Công ty Cổ phần Thương mại Yên Lạc", ()),
    ("QTD", "Chi bộ Quỹ Tín dụng nhân dân Yên Lạc", ()),
    ("HTX", "Chi bộ Hợp tác xã Dịch vụ nông nghiệp Yên Lạc", ()),
    ("CCB", "Chi bộ Hội Cựu chiến binh huyện", ()),
    ("DT", "Chi bộ Trường Bồi dưỡng chính trị huyện", ()),
    ("KT", "Chi bộ Trung tâm Dịch vụ nông nghiệp", ()),
)
YEN_LAC_MEMBERS = 6_640  # "hơn 6.600 đảng viên" (seed 002)

PHAN_THIET_UNITS = (  # (code, name, kind of place, number of residential cells)
    ("PTH", "Phú Thủy", "phường", 4), ("DN", "Đức Nghĩa", "phường", 3), ("MN", "Mũi Né", "phường", 4),
    ("TL", "Tiến Lợi", "xã", 3),
)

# --- the 34 provinces and cities after the 2025 merger (for seed_synthetic) ----------------

PROVINCES_2025 = (
    ("thành phố", "Hà Nội"), ("thành phố", "Hải Phòng"), ("thành phố", "Huế"), ("thành phố", "Đà Nẵng"),
    ("thành phố", "Hồ Chí Minh"), ("thành phố", "Cần Thơ"),
    ("tỉnh", "Cao Bằng"), ("tỉnh", "Điện Biên"), ("tỉnh", "Hà Tĩnh"), ("tỉnh", "Lai Châu"),
    ("tỉnh", "Lạng Sơn"), ("tỉnh", "Nghệ An"), ("tỉnh", "Quảng Ninh"), ("tỉnh", "Thanh Hóa"),
    ("tỉnh", "Sơn La"), ("tỉnh", "Tuyên Quang"), ("tỉnh", "Lào Cai"), ("tỉnh", "Thái Nguyên"),
    ("tỉnh", "Phú Thọ"), ("tỉnh", "Bắc Ninh"), ("tỉnh", "Hưng Yên"), ("tỉnh", "Ninh Bình"),
    ("tỉnh", "Quảng Trị"), ("tỉnh", "Quảng Ngãi"), ("tỉnh", "Gia Lai"), ("tỉnh", "Khánh Hòa"),
    ("tỉnh", "Lâm Đồng"), ("tỉnh", "Đắk Lắk"), ("tỉnh", "Đồng Nai"), ("tỉnh", "Tây Ninh"),
    ("tỉnh", "Vĩnh Long"), ("tỉnh", "Đồng Tháp"), ("tỉnh", "Cà Mau"), ("tỉnh", "An Giang"),
)
ADVISORY_BODIES = (
    ("BTC", "Ban Tổ chức"), ("UBKT", "Ủy ban Kiểm tra"), ("BTG", "Ban Tuyên giáo"), ("BDV", "Ban Dân vận"),
    ("VP", "Văn phòng"),
)
PLACE_WORDS = (
    "An", "Bình", "Phú", "Tân", "Hòa", "Long", "Thạnh", "Hưng", "Phước", "Vĩnh", "Mỹ", "Thành", "Quang",
    "Minh", "Đông", "Tây", "Nam", "Bắc", "Trung", "Thuận", "Hiệp", "Lộc", "Thịnh", "Xuân", "Hải", "Sơn",
    "Lâm", "Yên", "Đức", "Kim", "Hồng", "Thái", "Cẩm", "Gia", "Văn", "Hương", "Ngọc", "Quảng", "Định", "Lạc",
)

# --- names ---------------------------------------------------------------------------------

FAMILY_NAMES = (  # (name, weight ~ share in %)
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3), ("Phan", 4.5),
    ("Vũ", 2.5), ("Võ", 2.5), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.8), ("Trương", 0.8), ("Đoàn", 0.6), ("Lương", 0.5),
    ("Trịnh", 0.5), ("Cao", 0.5), ("Lâm", 0.4), ("Triệu", 0.3), ("Tạ", 0.3), ("Tô", 0.3), ("Chu", 0.3),
    ("Kiều", 0.2),
)
MIDDLE_NAMES = {
    "male": (("Văn", 10), ("Hữu", 2), ("Đức", 2), ("Minh", 2), ("Thanh", 2), ("Quốc", 1.5), ("Công", 1.5),
             ("Xuân", 1.2), ("Ngọc", 1), ("Hoàng", 1), ("Trọng", 1), ("Đình", 1.5), ("Quang", 1.2),
             ("Tuấn", 0.8), ("Thành", 0.8), ("Anh", 0.8), ("Văn Minh", 0.3), ("Hữu Thanh", 0.2)),
    "female": (("Thị", 12), ("Ngọc", 2), ("Thanh", 1.5), ("Thu", 1.5), ("Minh", 1), ("Kim", 1.2),
               ("Phương", 0.8), ("Mỹ", 0.8), ("Hồng", 1), ("Thúy", 0.8), ("Bích", 0.6), ("Diệu", 0.4),
               ("Thùy", 0.6), ("Thị Thu", 0.8), ("Thị Ngọc", 0.6), ("Thị Kim", 0.5), ("Thị Thanh", 0.5)),
}
GIVEN_NAMES = {
    "male": ("An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương", "Đạt", "Định",
             "Đông", "Đức", "Giang", "Hải", "Hào", "Hiếu", "Hiển", "Hòa", "Hoàng", "Hùng", "Huy", "Hưng",
             "Khang", "Khải", "Khánh", "Khoa", "Kiên", "Lâm", "Lộc", "Long", "Lực", "Mạnh", "Minh", "Nam",
             "Nghĩa", "Nhân", "Phát", "Phong", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tài", "Tâm",
             "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Thái", "Tiến",
             "Trí", "Hậu", "Lợi", "Tân", "Thuận", "Bắc", "Hiệp"),
    "female": ("An", "Anh", "Ánh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
               "Hoa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga",
               "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thu",
               "Thủy", "Trang", "Trâm", "Tuyết", "Uyên", "Vân", "Xuân", "Yến", "Lý", "Nhàn", "Thơm", "Hậu"),
}


@dataclass(frozen=True)
class Name:
    full: str
    unaccented: str
    sort_key: str


class NamePool:
    """`size` names per gender drawn by weight, with their search and sort keys computed once
    (the synthetic tree picks millions of names from the pool)."""

    def __init__(self, seed: int = 7, size: int = 12_000):
        rng = random.Random(seed)
        fam = [n for n, _ in FAMILY_NAMES]
        fam_w = [w for _, w in FAMILY_NAMES]
        self.names: dict[str, list[Name]] = {}
        cache: dict[str, Name] = {}
        for gender in ("male", "female"):
            mid = [n for n, _ in MIDDLE_NAMES[gender]]
            mid_w = [w for _, w in MIDDLE_NAMES[gender]]
            given = GIVEN_NAMES[gender]
            out: list[Name] = []
            while len(out) < size:
                full = nfc(f"{rng.choices(fam, fam_w)[0]} {rng.choices(mid, mid_w)[0]} {rng.choice(given)}")
                if full in REAL_NAMES:
                    continue
                if full not in cache:
                    cache[full] = Name(full, unaccent(full), name_sort_key(full))
                out.append(cache[full])
            self.names[gender] = out

    def pick(self, rng: random.Random, gender: str) -> Name:
        pool = self.names[gender]
        return pool[int(rng.random() * len(pool))]


# --- people --------------------------------------------------------------------------------

YEAR = 365.25
# hint -> (share of women, [(occupation, cumulative share)]); plain strings for fast formatting
_O = Occupation
_HINTS = {
    "residential": (0.42, ((_O.RETIRED.value, 0.45), (_O.OTHER.value, 0.71), (_O.PRIVATE_BUSINESS.value, 0.91),
                           (_O.STUDENT.value, 0.93), (_O.POLITICAL_SYSTEM.value, 1.0))),
    "agency": (0.45, ((_O.POLITICAL_SYSTEM.value, 0.96), (_O.OTHER.value, 1.0))),
    "armed": (0.1, ((_O.ARMED_FORCES.value, 1.0),)),
    "school": (0.68, ((_O.POLITICAL_SYSTEM.value, 0.97), (_O.STUDENT.value, 1.0))),
    "enterprise": (0.35, ((_O.PRIVATE_BUSINESS.value, 0.8), (_O.OTHER.value, 1.0))),
}
_RETIRED, _STUDENT = _O.RETIRED.value, _O.STUDENT.value
_PROBATIONARY, _OFFICIAL = PartyStatus.PROBATIONARY.value, PartyStatus.OFFICIAL.value


def gen_person(rng: random.Random, today: int, hint: str = "residential") -> tuple:
    """One fictional member's attributes:
    (gender, birth, admitted, official_on or None, status, exempt_since or None, occupation),
    dates as ordinals. About 3.5 % are probationary (admitted less than 12 months before
    `today`); retirees of 80 and over are sometimes exempt from party work."""
    women, occupations = _HINTS[hint]
    r = rng.random()
    for occupation, cum in occupations:
        if r < cum:
            break
    gender = "female" if rng.random() < women else "male"
    if occupation == _RETIRED:
        age = 60 + 32 * rng.random() * rng.random() ** 0.5
    elif occupation == _STUDENT:
        age = 19.5 + 3.5 * rng.random()
    else:
        age = 23 + 37 * rng.random()
    birth = today - int(age * YEAR)
    if (occupation == _STUDENT and rng.random() < 0.6) or (rng.random() < 0.035 and age < 45):
        admitted = today - 5 - int(355 * rng.random())  # this year's intake
    else:
        admitted = birth + int((18.5 + min(age - 19, 24) * rng.random()) * YEAR)
        admitted = min(admitted, today - 400)
    if admitted > today - 365:
        status, official = _PROBATIONARY, None
    else:
        status, official = _OFFICIAL, admitted + 365
    exempt = None
    if occupation == _RETIRED and age >= 80 and rng.random() < 0.25:
        exempt = max(birth + int(78 * YEAR), today - int(2000 * rng.random()))
    return gender, birth, admitted, official, status, exempt, occupation


def split_total(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Integers proportional to `weights`, each at least `minimum`, summing to exactly `total`."""
    n = len(weights)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total too small for the minimum")
    scale = rest / sum(weights)
    raw = [w * scale for w in weights]
    out = [int(x) for x in raw]
    short = rest - sum(out)
    for i in sorted(range(n), key=lambda i: out[i] - raw[i])[:short]:
        out[i] += 1
    return [minimum + x for x in out]


_ISO_BASE = datetime.date(1900, 1, 1).toordinal()
_ISO: list[str] = []


def iso(ordinal: int) -> str:
    """ISO date text of an ordinal, from a table (formatting dates is the slow part of COPY)."""
    i = ordinal - _ISO_BASE
    if i >= len(_ISO):
        start = len(_ISO)
        _ISO.extend(datetime.date.fromordinal(_ISO_BASE + k).isoformat() for k in range(start, i + 3650))
    return _ISO[i]
