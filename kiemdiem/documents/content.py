"""What an official document says, independent of its file format: the party header, the
title, the body paragraphs, the signature block, the recipients and the statistics tables.
The summary report ("Báo cáo tổng hợp kết quả kiểm điểm, đánh giá, xếp loại") is built here
from kiemdiem.reports.statistics plus one grouped query per figure for the child-unit rows;
docx.py, pdf.py and xlsx.py only lay it out."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.discipline.models import Discipline
from kiemdiem.organisations.choices import MEMBER_HOLDING_KINDS, OrgKind
from kiemdiem.organisations.models import Organisation
from kiemdiem.ratings.models import MEMBER_SUBJECT, Rating
from kiemdiem.reports import statistics
from kiemdiem.reviews.choices import DONE
from kiemdiem.reviews.models import Review

from .models import ReportDraft


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]  # cells: str or int
    widths: list[float] = field(default_factory=list)  # cm; empty: equal


@dataclass
class Paper:
    """One document in the party's format (Hướng dẫn 36-HD/VPTW on the format of party documents)."""

    parent_body: str
    issuing_body: str
    number: str
    place: str
    issued_on: datetime.date | None
    kind_title: str  # "BÁO CÁO"
    title: str  # the summary line under it
    body: list[str]  # paragraphs; a line "I. …" / "1. …" in capitals is a heading
    signer_for: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # annex after the signature
    annex_title: str = ""

    def date_line(self) -> str:
        d = self.issued_on
        if d is None:
            return _("%(place)s, ngày …… tháng …… năm ……") % {"place": self.place or "……"}
        return _("%(place)s, ngày %(d)02d tháng %(m)02d năm %(y)d") % {"place": self.place or "……", "d": d.day, "m": d.month, "y": d.year}

    def number_line(self) -> str:
        return _("Số %(n)s") % {"n": self.number or "……"}


def is_heading(line: str) -> bool:
    """"I. KẾT QUẢ …" (a Roman numeral and an upper-case title) or "1. Ưu điểm" (a number and
    a short title without a full stop)."""
    head, _sep, rest = line.partition(". ")
    if not rest or not head:
        return False
    if set(head) <= set("IVX"):
        return rest == rest.upper()
    return head.isdigit() and len(rest) < 60 and not rest.endswith((".", ":", ";"))


# --- names -----------------------------------------------------------------------------------

_BODY_NAMES = (  # organisation name prefix -> (committee that issues, short symbol)
    ("Tỉnh ủy", "Tỉnh ủy", "TU"), ("Thành ủy", "Thành ủy", "TU"), ("Huyện ủy", "Huyện ủy", "HU"),
    ("Quận ủy", "Quận ủy", "QU"), ("Thị ủy", "Thị ủy", "TU"), ("Đảng bộ", "Đảng ủy", "ĐU"), ("Chi bộ", "Chi bộ", "CB"),
)
_PARTY_NAMES = (("Tỉnh ủy", "Đảng bộ tỉnh"), ("Thành ủy", "Đảng bộ thành phố"), ("Huyện ủy", "Đảng bộ huyện"),
                ("Quận ủy", "Đảng bộ quận"), ("Thị ủy", "Đảng bộ thị xã"))


def issuing_body(org: Organisation) -> tuple[str, str]:
    """("Huyện ủy Yên Lạc", "HU"): the committee that signs for the organisation."""
    for prefix, body, symbol in _BODY_NAMES:
        if org.name.startswith(prefix):
            return body + org.name[len(prefix):], symbol
    return org.name, "ĐU"


def party_name(org: Organisation | None) -> str:
    """"Tỉnh ủy Vĩnh Phúc" -> "Đảng bộ tỉnh Vĩnh Phúc" (the line above the issuing body)."""
    if org is None:
        return ""
    for prefix, name in _PARTY_NAMES:
        if org.name.startswith(prefix):
            return name + org.name[len(prefix):]
    return org.name


def place_name(org: Organisation) -> str:
    """The place in the date line: "Huyện ủy Yên Lạc" -> "Yên Lạc"."""
    name = org.name
    for word in ("Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng bộ", "Chi bộ", "phường", "xã", "thị trấn",
                 "huyện", "quận", "tỉnh", "thành phố"):
        if name.startswith(word + " "):
            name = name[len(word) + 1:]
    return name


# --- child-unit figures ------------------------------------------------------------------------

LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")


@dataclass
class ChildRow:
    org: Organisation
    reviews: int = 0
    reviews_done: int = 0
    members: dict[str, int] = field(default_factory=dict)  # decided member levels
    cells: dict[str, int] = field(default_factory=dict)  # decided levels of cells (chi bộ) in the subtree
    disciplined: int = 0
    expelled: int = 0
    removed: int = 0

    @property
    def members_rated(self) -> int:
        return sum(self.members.values())

    @property
    def complete(self) -> bool:
        return bool(self.reviews) and self.reviews_done == self.reviews


def child_rows(campaign: Campaign, root: Organisation) -> list[ChildRow]:
    """One row per unit directly under root (advisory bodies aside), each figure one grouped
    query over the subtree folded onto the child its path starts with."""
    children = list(Organisation.objects.filter(parent=root).exclude(kind=OrgKind.ADVISORY).order_by("name"))
    rows = {c.path: ChildRow(c) for c in children}
    depth = root.path.count(".")

    def child_of(path: str) -> ChildRow | None:
        parts = path.split(".")
        return rows.get(".".join(parts[: depth + 1]) + ".") if len(parts) > depth + 1 else None

    for path, status, n in (Review.objects.filter(campaign=campaign, org_path__startswith=root.path)
                            .values_list("org_path", "status").annotate(n=Count("id")).order_by()):
        row = child_of(path)
        if row:
            row.reviews += n
            row.reviews_done += n if status in DONE else 0
    decided = Rating.objects.filter(campaign=campaign, stage="decision", cancelled_at__isnull=True,
                                    org_path__startswith=root.path)
    for path, level, n in (decided.filter(subject_kind=MEMBER_SUBJECT)
                           .values_list("org_path", "level").annotate(n=Count("id")).order_by()):
        row = child_of(path)
        if row:
            row.members[level] = row.members.get(level, 0) + n
    for path, level, n in (decided.filter(subject_kind__in=MEMBER_HOLDING_KINDS)
                           .values_list("review__subject_org__path", "level").annotate(n=Count("id")).order_by()):
        row = child_of(path)
        if row:
            row.cells[level] = row.cells.get(level, 0) + n
    start, end = campaign.period_start, campaign.period_end
    for path, form, n in (Discipline.objects.filter(org_path__startswith=root.path, member__isnull=False,
                                                    decided_on__gte=start, decided_on__lte=end)
                          .values_list("org_path", "form").annotate(n=Count("id")).order_by()):
        row = child_of(path)
        if row:
            row.disciplined += n
            row.expelled += n if form == "expulsion" else 0
    from kiemdiem.remediation.choices import RemovalState
    from kiemdiem.remediation.models import RemovalCase

    for path, n in (RemovalCase.objects.filter(org_path__startswith=root.path, state=RemovalState.DECIDED,
                                               decided_on__gte=start, decided_on__lte=end)
                    .values_list("org_path").annotate(n=Count("member_id", distinct=True)).order_by()):
        row = child_of(path)
        if row:
            row.removed += n
    return list(rows.values())


CHILD_HEADER = ("TT", "Đơn vị", "Số bản kiểm điểm", "Đã hoàn thành", "Đảng viên được xếp loại", "HTXSNV", "HTTNV", "HTNV",
                "KHTNV", "Chi bộ HTXSNV", "Chi bộ HTTNV", "Chi bộ HTNV", "Chi bộ KHTNV", "Kỷ luật", "Khai trừ", "Xóa tên")


def child_table_rows(rows: list[ChildRow]) -> list[list]:
    out = []
    for i, r in enumerate(rows, 1):
        out.append([i, r.org.name, r.reviews, r.reviews_done, r.members_rated, *(r.members.get(lv, 0) for lv in LEVELS),
                    *(r.cells.get(lv, 0) for lv in LEVELS), r.disciplined, r.expelled, r.removed])
    return out


# --- the summary report ----------------------------------------------------------------------

def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _level_table(title: str, dist: statistics.Distribution, profile) -> Table:
    rows = []
    for code in LEVELS:
        try:
            name = profile.level(code).name
        except KeyError:
            name = code
        rows.append([name, dist.by_level.get(code, 0), _fmt(dist.percent(code)) + "%"])
    rows.append([_("Tổng số"), dist.total, "100%" if dist.total else "0%"])
    return Table(title, [_("Mức xếp loại"), _("Số lượng"), _("Tỷ lệ")], rows, [9, 3, 3])


def default_body(campaign: Campaign, root: Organisation, data: dict) -> list[str]:
    """The body pre-filled from the data: standard sentences under the usual headings."""
    lines = statistics.sentences(data)
    completion, ratings, discipline, other = [], [], [], []
    for s in lines:
        low = s.lower()
        if "hoàn thành việc kiểm điểm" in low or "trực thuộc hoàn thành" in low:
            completion.append(s)
        elif "kỷ luật" in low or "xóa tên" in low:
            discipline.append(s)
        elif "nhiệm vụ" in low:
            ratings.append(s)
        else:
            other.append(s)
    basis = campaign.plan_number or campaign.title
    body = [
        _("Thực hiện %(basis)s về việc kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên %(period)s, "
          "%(body)s báo cáo kết quả như sau:") % {
            "basis": basis, "period": _period(campaign), "body": issuing_body(root)[0]},
        _("I. KẾT QUẢ KIỂM ĐIỂM"),
        *(completion or [_("(Chưa có số liệu kiểm điểm.)")]),
        _("II. KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI"),
        *(ratings or [_("(Chưa có kết quả xếp loại được quyết định.)")]),
        _("III. CÔNG TÁC KỶ LUẬT, XÓA TÊN ĐẢNG VIÊN"),
        *(discipline or [_("Trong kỳ không có đảng viên bị kỷ luật, xóa tên.")]),
    ]
    if other:
        body += [_("IV. HỌC TẬP, CAM KẾT VÀ KHẮC PHỤC"), *other]
    body += [_("V. ĐÁNH GIÁ CHUNG VÀ PHƯƠNG HƯỚNG"),
             _("(Nhận xét chung, hạn chế, nguyên nhân và phương hướng khắc phục trong thời gian tới.)")]
    return body


def _period(campaign: Campaign) -> str:
    if campaign.quarter:
        return _("quý %(q)d năm %(y)d") % {"q": campaign.quarter, "y": campaign.year}
    return _("năm %(y)d") % {"y": campaign.year}


def initial_draft(campaign: Campaign, root: Organisation) -> ReportDraft:
    """An unsaved draft pre-filled from the organisation and the data."""
    with translation.override("vi"):
        data = statistics.summary(campaign, root)
        body, symbol = issuing_body(root)
        parent = Organisation.objects.filter(pk=root.parent_id).first()
        from kiemdiem.organisations.choices import PositionRole
        from kiemdiem.organisations.models import Position

        day = timezone.localdate()
        secretary = (Position.objects.filter(organisation=root, role=PositionRole.SECRETARY, start__lte=day)
                     .filter(Q(end__isnull=True) | Q(end__gt=day)).select_related("member").first())
        return ReportDraft(
            organisation=root, campaign=campaign, number=f"……-BC/{symbol}", parent_body=party_name(parent).upper(),
            issuing_body=body.upper(), place=place_name(root), issued_on=day,
            title=_("Kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên %(period)s") % {
                "period": _period(campaign)},
            body="\n".join(default_body(campaign, root, data)),
            signer_for="T/M BAN THƯỜNG VỤ" if root.kind in (OrgKind.PROVINCIAL, OrgKind.DISTRICT) else "T/M ĐẢNG ỦY"
            if root.kind in (OrgKind.GRASSROOTS, OrgKind.INTERMEDIATE) else "T/M CHI BỘ",
            signer_title="BÍ THƯ", signer_name=secretary.member.full_name if secretary else "",
            recipients="\n".join([f"- {party_name(parent) or _('Cấp ủy cấp trên')} (để báo cáo),",
                                  _("- Các chi, đảng bộ trực thuộc,"), _("- Lưu Văn phòng.")]),
        )


def summary_paper(draft: ReportDraft) -> Paper:
    """The report: the draft's text with the statistics tables rebuilt from the data."""
    campaign, root = draft.campaign, draft.organisation
    with translation.override("vi"):
        data = statistics.summary(campaign, root)
        profile = data["profile"]
        c = data["completion"]
        tables = [
            Table(_("Biểu 1. Kết quả kiểm điểm"), [_("Chỉ tiêu"), _("Số lượng")], [
                [_("Chi, đảng bộ trực thuộc có bản kiểm điểm"), c["children"]],
                [_("Chi, đảng bộ trực thuộc đã hoàn thành"), c["children_complete"]],
                [_("Bản kiểm điểm (tập thể và cá nhân)"), c["reviews"]],
                [_("Bản kiểm điểm đã hoàn thành"), c["done"]],
            ], [12, 3]),
            _level_table(_("Biểu 2. Xếp loại chi bộ"), data["cells"], profile),
            _level_table(_("Biểu 3. Xếp loại đảng viên"), data["members"], profile),
        ]
        disc = data["discipline"]
        from kiemdiem.discipline.choices import DisciplineForm

        rem = data["removals"]
        tables.append(Table(_("Biểu 4. Kỷ luật, xóa tên đảng viên"), [_("Hình thức"), _("Số đảng viên")], [
            *([str(f.label), disc.get(f.value, 0)] for f in DisciplineForm if f != DisciplineForm.DISSOLUTION),
            [_("Tổng số bị kỷ luật"), data["discipline_total"]],
            [_("Xóa tên đảng viên dự bị"), rem.get("probationary", 0)],
            [_("Xóa tên đảng viên chính thức"), rem.get("official", 0)],
        ], [12, 3]))
        tables.append(Table(_("Biểu 5. Kết quả theo chi, đảng bộ trực thuộc"), list(CHILD_HEADER),
                            child_table_rows(child_rows(campaign, root))))
        return Paper(
            parent_body=draft.parent_body, issuing_body=draft.issuing_body, number=draft.number, place=draft.place,
            issued_on=draft.issued_on, kind_title="BÁO CÁO", title=draft.title,
            body=[line.strip() for line in draft.body.splitlines() if line.strip()],
            signer_for=draft.signer_for, signer_title=draft.signer_title, signer_name=draft.signer_name,
            recipients=[line.strip() for line in draft.recipients.splitlines() if line.strip()],
            tables=tables, annex_title=_("PHỤ LỤC SỐ LIỆU"),
        )
