"""Import of organisations and members from an XLSX workbook or a CSV file.

One import runs in three steps, and only the last one writes:

1. read: every row of the file is parsed and checked on its own (required values, dates,
   choices, lengths, duplicates within the file); rows are kept as small dicts;
2. check: the rows are compared with the database, loaded in a few chunked queries (existing
   codes, citizen ids, organisations) - never one query per row - for references (parent,
   cell), the user's scope, conflicts, and what each row would change;
3. save: if no row had an error, everything is written in one transaction with bulk
   inserts (COPY on PostgreSQL); with any error nothing is written and the errors are
   returned.

Rows are matched by code, and an existing record is written only when a value actually
differs, so importing the same file twice changes nothing the second time. A member whose
cell code differs from their current cell is transferred as `services.member_transfer`
does (the open official membership is closed, a new one opened). One summary AuditEvent is
written per kind of record touched, rather than one per row.

A workbook may hold both an organisations sheet and a members sheet; a CSV file holds one
kind, recognised by its headers. Row numbers in errors are spreadsheet row numbers (the
header is row 1).
"""
from __future__ import annotations

import contextlib
import csv
import datetime
import functools
import itertools
import posixpath
import re
import unicodedata
import zipfile
import zlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from kiemdiem.core import audit
from kiemdiem.core.text import name_sort_key, nfc, search_key, unaccent

from .access import Action, Scope, scope_for
from .choices import MEMBER_HOLDING_KINDS, Gender, MembershipKind, Occupation, OrgEventKind, OrgKind, PartyStatus
from .models import Member, Membership, OrgEvent, Organisation, OrgPlacement

# Rows per bulk insert and per progress report.
BATCH = 2000
# Keys per `IN (...)` lookup: under the 999 parameters of SQLite builds before 3.32.
LOOKUP = 900
# Errors kept in a result; past this the file is plainly of the wrong shape and a longer list
# would only make the result page unusable (the total is still counted).
MAX_ERRORS = 5000

ORGS, MEMBERS = "organisations", "members"

# progress(done, total, message, saving): `saving` is true inside the write transaction.
Progress = Callable[[int, int, str, bool], None]


# --- columns -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # internal name
    header: str  # header in the template; the file format, so not translated
    aliases: tuple[str, ...] = ()  # other accepted spellings, as normalised by _norm_key
    required: bool = False
    note: str = ""  # explanation for the template's notes sheet and the import page


_DATE_NOTE = _l("Ngày dạng dd/mm/yyyy (hoặc yyyy-mm-dd, hoặc ô kiểu ngày của Excel).")
ORG_COLUMNS = (
    Column("code", "Mã", ("ma_to_chuc",), True, _l("Mã duy nhất của tổ chức; khi nhập lại, dòng được đối chiếu theo mã này.")),
    Column("name", "Tên", ("ten_to_chuc",), True, _l("Tên đầy đủ của tổ chức.")),
    Column("kind", "Loại", ("loai_to_chuc",), True, _l("Một loại trong trang “Danh mục”.")),
    Column("parent", "Mã cấp trên", ("ma_to_chuc_cap_tren",), False, _l(
        "Mã tổ chức cấp trên: đã có trong hệ thống hoặc khai báo ở một dòng phía trên. Để trống chỉ khi tạo tổ chức "
        "cấp cao nhất (quản trị hệ thống). Không dùng để chuyển trực thuộc tổ chức đã có."
    )),
    Column("founded", "Ngày thành lập", (), False, _l("Ngày dạng dd/mm/yyyy; để trống thì lấy ngày nhập.")),
)
MEMBER_COLUMNS = (
    Column("code", "Mã đảng viên", ("ma_dv",), True, _l(
        "Mã duy nhất của đảng viên (ví dụ số thẻ đảng); khi nhập lại, dòng được đối chiếu theo mã này."
    )),
    Column("full_name", "Họ và tên", ("ho_ten",), True, _l("Họ, đệm và tên.")),
    Column("gender", "Giới tính", (), True, _l("Nam hoặc Nữ.")),
    Column("birth_date", "Ngày sinh", (), True, _DATE_NOTE),
    Column("citizen_id", "Số CCCD", ("cccd", "so_can_cuoc", "so_can_cuoc_cong_dan", "so_dinh_danh"), False, _l(
        "12 chữ số, không trùng với đảng viên khác. Nên định dạng cột là Văn bản để giữ số 0 ở đầu."
    )),
    Column("phone", "Điện thoại", ("so_dien_thoai", "sdt"), False, _l("Số điện thoại (tối đa 20 ký tự).")),
    Column("email", "Email", ("e_mail", "thu_dien_tu"), False, _l("Địa chỉ email.")),
    Column("status", "Tình trạng", (), True, _l("Chính thức hoặc Dự bị (các giá trị khác trong trang “Danh mục”).")),
    Column("admitted_on", "Ngày vào Đảng", (), True, _DATE_NOTE),
    Column("official_on", "Ngày chính thức", (), False, _l("Để trống với đảng viên dự bị.")),
    Column("occupation", "Đối tượng", (), False, _l(
        "Một đối tượng trong trang “Danh mục”; để trống là “Trong hệ thống chính trị”."
    )),
    Column("cell", "Mã chi bộ", (), True, _l(
        "Mã chi bộ (hoặc chi bộ cơ sở) nơi đảng viên sinh hoạt chính thức. Đổi mã này khi nhập lại là chuyển sinh hoạt."
    )),
    Column("exempt_since", "Ngày miễn sinh hoạt", ("mien_sinh_hoat_tu", "ngay_mien_cong_tac_va_sinh_hoat"), False, _l(
        "Ngày bắt đầu được miễn công tác và sinh hoạt đảng, nếu có."
    )),
    Column("suspended_since", "Ngày đình chỉ", ("ngay_dinh_chi_sinh_hoat", "dinh_chi_sinh_hoat_tu"), False, _l(
        "Ngày bắt đầu bị đình chỉ sinh hoạt, nếu có."
    )),
    Column("left_on", "Ngày ra khỏi Đảng", (), False, _l("Nếu có (xóa tên, khai trừ, từ trần).")),
)
COLUMNS = {ORGS: ORG_COLUMNS, MEMBERS: MEMBER_COLUMNS}
SHEET_TITLES = {ORGS: "Tổ chức", MEMBERS: "Đảng viên"}
# Columns people commonly add that carry nothing to import.
IGNORED_HEADERS = {"stt", "so_thu_tu", "tt", "ghi_chu"}

# Member fields written from the file (compared with the database to decide on an update).
MEMBER_DATA_FIELDS = (
    "full_name", "gender", "birth_date", "citizen_id", "phone", "email", "status", "admitted_on",
    "official_on", "left_on", "exempt_since", "suspended_since", "occupation",
)
DATE_KEYS = {"founded", "birth_date", "admitted_on", "official_on", "exempt_since", "suspended_since", "left_on"}
_MAX_LENGTH = {  # from the models, so that a row that passes also fits
    (kind, key): model._meta.get_field(name).max_length
    for kind, key, model, name in (
        (ORGS, "code", Organisation, "code"), (ORGS, "name", Organisation, "name"), (ORGS, "parent", Organisation, "code"),
        (MEMBERS, "code", Member, "code"), (MEMBERS, "full_name", Member, "full_name"), (MEMBERS, "phone", Member, "phone"),
        (MEMBERS, "email", Member, "email"), (MEMBERS, "cell", Organisation, "code"),
    )
}
_PHONE = re.compile(r"^[0-9+().\- ]+$")
_DIGITS12 = re.compile(r"^\d{12}$")


def _norm_key(value) -> str:
    """'Ngày vào Đảng' -> 'ngay_vao_dang': the form headers and choice values are matched in."""
    return re.sub(r"[^a-z0-9]+", "_", unaccent(str(value))).strip("_")


@functools.lru_cache(maxsize=None)
def _header_lookup(kind: str) -> dict[str, str]:
    lookup = {}
    for col in COLUMNS[kind]:
        for spelling in (col.key, col.header, *col.aliases):
            lookup[_norm_key(spelling)] = col.key
    return lookup


def _choice_lookup(choices) -> tuple[dict[str, str], str]:
    """Accepted spellings -> value (the code, the Vietnamese label, each comma-separated part
    of the label, the label in the current language), and the labels for error messages."""
    lookup: dict[str, str] = {}
    with translation.override("vi"):
        labels = [str(label) for label in choices.labels]
        for value, label in zip(choices.values, labels):
            lookup[_norm_key(value)] = value
            lookup[_norm_key(label)] = value
            for part in label.split(","):
                lookup.setdefault(_norm_key(part), value)
    for value, label in choices.choices:  # the labels as the user sees them now
        lookup.setdefault(_norm_key(label), value)
    return lookup, ", ".join(f"“{label}”" for label in labels)  # quoted: some labels hold commas


# --- cell values ---------------------------------------------------------------------------

class _Bad(Exception):
    """A cell value that cannot be used; the message names the column."""


def _clean(text: str) -> str:
    """core.text.nfc, with a fast path for the common case of a value already in NFC
    with single spaces (this runs for a million cells in a large file)."""
    if text.isprintable() and "  " not in text and text == text.strip() and (
        text.isascii() or unicodedata.is_normalized("NFC", text)
    ):
        return text
    return nfc(text)


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return _clean(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a code typed into a number cell: 123.0 -> "123"
    if isinstance(raw, datetime.datetime):
        return raw.strftime("%d/%m/%Y")
    return _clean(str(raw))


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?$")


@functools.lru_cache(maxsize=65536)  # the same dates recur a lot in a large file
def _date_from_text(text: str) -> datetime.date | None:
    match = _DMY.match(text)
    if match:
        day, month, year = (int(x) for x in match.groups())
    else:
        match = _YMD.match(text)
        if not match:
            return None
        year, month, day = (int(x) for x in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date(raw, col: Column) -> datetime.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = _text(raw)
    if not text:
        return None
    day = _date_from_text(text) if isinstance(raw, str) else None
    if day is None:
        raise _Bad(
            _("Cột “%(col)s”: “%(value)s” không phải ngày hợp lệ (ghi dd/mm/yyyy, yyyy-mm-dd hoặc dùng ô kiểu ngày).")
            % {"col": col.header, "value": text}
        )
    return day


def _digits_cell(raw, width: int, pad_from: int) -> str:
    """A number typed into a numeric cell loses its leading zeros (citizen ids start with 0,
    phone numbers too); put them back when the length shows they were dropped."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        digits = str(int(raw))
        if pad_from <= len(digits) < width:
            return digits.zfill(width)
        return digits
    return _text(raw)


# --- reading -------------------------------------------------------------------------------

class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, not UTF-8, no known sheet...)."""


_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# What a damaged or foreign .xlsx file can raise while being read.
_XLSX_ERRORS = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, IndexError, StopIteration, ValueError, ET.ParseError,
)


class _Xlsx:
    """The cell values of an .xlsx workbook, streamed sheet by sheet.

    openpyxl's read-only mode builds a cell object per cell and, for files without a
    <dimension> element (those openpyxl itself writes in write-only mode, for instance),
    parses every sheet once more on opening just to size it: about 13 s of CPU for 100,000
    member rows, a third of the time budget. This reads the same XML with one iterparse loop
    (values only: what data_only=True gives) and uses openpyxl only for what is subtle: which
    number formats are dates, and Excel serial numbers to dates."""

    def __init__(self, path: Path):
        from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

        self.zip = zipfile.ZipFile(path)
        main = next(t for typ, t in self._rels("") if typ.endswith("/officeDocument"))
        root = ET.fromstring(self.zip.read(main))
        self.ns = root.tag[: root.tag.index("}") + 1]  # transitional or strict OOXML
        props = root.find(f"{self.ns}workbookPr")
        date1904 = props is not None and props.get("date1904") in ("1", "true")
        self.epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        rels = {rid: (typ, target) for typ, target, rid in self._rels(main, with_ids=True)}
        self.sheets = []  # (title, part name)
        for sheet in root.iter(f"{self.ns}sheet"):
            rid = next(v for k, v in sheet.attrib.items() if k.endswith("}id"))
            self.sheets.append((sheet.get("name"), rels[rid][1]))
        parts = {typ.rsplit("/", 1)[-1]: target for typ, target in rels.values()}
        self.strings = self._shared_strings(parts.get("sharedStrings"))
        self.date_styles = self._date_styles(parts.get("styles"))

    def _rels(self, part: str, with_ids: bool = False) -> list[tuple]:
        folder, name = posixpath.split(part)
        try:
            root = ET.fromstring(self.zip.read(posixpath.join(folder, "_rels", f"{name}.rels")))
        except KeyError:
            return []
        out = []
        for rel in root.iter(_PKG_RELS):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out.append((rel.get("Type", ""), target, rel.get("Id")) if with_ids else (rel.get("Type", ""), target))
        return out

    def _text_of(self, element) -> str:
        """Text of a string item: plain <t>, or the <t> of each rich-text run; phonetic
        guides (<rPh>) are not part of the value."""
        t_tag, r_tag = f"{self.ns}t", f"{self.ns}r"
        if len(element) == 1 and element[0].tag == t_tag:
            return element[0].text or ""  # the usual case
        parts = []
        for child in element:
            if child.tag == t_tag:
                parts.append(child.text or "")
            elif child.tag == r_tag:
                parts.append(child.findtext(t_tag) or "")
        return "".join(parts)

    def _shared_strings(self, part: str | None) -> list[str]:
        if not part:
            return []
        strings, si_tag = [], f"{self.ns}si"
        with self.zip.open(part) as src:
            for _event, element in ET.iterparse(src):
                if element.tag == si_tag:
                    strings.append(self._text_of(element))
                    element.clear()
        return strings

    def _date_styles(self, part: str | None) -> set[int]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        if not part:
            return set()
        root = ET.fromstring(self.zip.read(part))
        formats = dict(BUILTIN_FORMATS)
        for fmt in root.iter(f"{self.ns}numFmt"):
            formats[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
        xfs = root.find(f"{self.ns}cellXfs")
        return {
            i for i, xf in enumerate(xfs if xfs is not None else [])
            if is_date_format(formats.get(int(xf.get("numFmtId", 0)), ""))
        }

    def estimated_rows(self, part: str) -> int:
        """Rows of a sheet from its <dimension>, else by counting row tags in the stream."""
        with self.zip.open(part) as src:
            head = src.read(4096)
        match = re.search(rb"<(?:\w+:)?dimension ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"", head)
        if match:
            return int(match.group(1))
        count, tail, pattern = 0, b"", re.compile(rb"</(?:\w+:)?row>")
        with self.zip.open(part) as src:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                data = tail + chunk
                count += sum(1 for m in pattern.finditer(data) if m.end() > len(tail))
                tail = data[-16:]
        return count

    def rows(self, part: str) -> Iterator[tuple[int, tuple]]:
        """(row number, values) of each non-empty row; a value is str, int, float, bool,
        datetime, or None for an empty cell."""
        from openpyxl.utils.datetime import from_excel

        ns = self.ns
        c_tag, v_tag, row_tag, is_tag = f"{ns}c", f"{ns}v", f"{ns}row", f"{ns}is"
        strings, date_styles, epoch = self.strings, self.date_styles, self.epoch
        serials: dict = {}  # Excel serial -> datetime; dates recur
        columns: dict[str, int] = {}  # "AB" -> 28
        cells: list[tuple[int, object]] = []
        rownum = col = 0
        with self.zip.open(part) as src:
            for _event, el in ET.iterparse(src):
                tag = el.tag
                if tag == c_tag:
                    ref = el.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        col = columns.get(letters)
                        if col is None:
                            col = 0
                            for ch in letters:
                                col = col * 26 + ord(ch) - 64
                            columns[letters] = col
                    else:
                        col += 1
                    kind = el.get("t", "n")
                    raw = el.findtext(v_tag)
                    if kind == "n":
                        value = None
                        if raw:
                            value = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
                            style = el.get("s")
                            if style and int(style) in date_styles:
                                if value not in serials:
                                    try:
                                        serials[value] = from_excel(value, epoch)
                                    except (OverflowError, ValueError):
                                        serials[value] = value  # beyond any date: stays a number, reported
                                value = serials[value]
                    elif kind == "s":
                        value = strings[int(raw)] if raw else None
                    elif kind == "inlineStr":
                        inline = el.find(is_tag)
                        value = self._text_of(inline) if inline is not None else None
                    elif kind == "b":
                        value = raw == "1"
                    elif kind == "d" and raw:
                        value = _date_from_text(raw[:10]) or raw
                    else:  # "str" (a formula's text), "e" (an error such as #N/A)
                        value = raw
                    cells.append((col, value))
                elif tag == row_tag:
                    number = el.get("r")
                    rownum = int(number) if number else rownum + 1
                    if cells:
                        values = [None] * max(c for c, _v in cells)
                        for c, v in cells:
                            values[c - 1] = v
                        yield rownum, tuple(values)
                    cells = []
                    col = 0
                    el.clear()

    def close(self):
        self.zip.close()


@dataclass
class Table:
    """One sheet (or a CSV file) of one kind."""

    kind: str
    title: str  # sheet title shown in errors; "" for a CSV file
    header: tuple
    rows: Iterator[tuple[int, tuple]]  # (spreadsheet row number, values) after the header
    estimated_rows: int = 0


def _kind_of(header: Iterable, title: str = "") -> str | None:
    """Which kind of rows a sheet holds: by its headers, else by its title (so that a sheet
    with a damaged header is still recognised and its header reported)."""
    keys = {_norm_key(h) for h in header if h not in (None, "")}
    as_member = {_header_lookup(MEMBERS).get(k) for k in keys}
    if {"code", "full_name"} <= as_member or {"code", "cell"} <= as_member:
        return MEMBERS
    if {"code", "kind"} <= {_header_lookup(ORGS).get(k) for k in keys}:
        return ORGS
    title_key = _norm_key(title)
    if "dang_vien" in title_key:
        return MEMBERS
    if "to_chuc" in title_key:
        return ORGS
    return None


class _Source:
    """An open import file giving its tables; close() releases it."""

    def __init__(self, path: Path, filename: str):
        self.path, self.filename = Path(path), filename or Path(path).name
        self.suffix = Path(self.filename).suffix.lower()
        self._xlsx: _Xlsx | None = None
        self._handle = None

    def tables(self) -> list[Table]:
        if self.suffix == ".xlsx":
            return self._xlsx_tables()
        if self.suffix == ".csv":
            return [self._csv_table()]
        raise FileProblem(_("Chỉ nhận tệp .xlsx hoặc .csv."))

    def _xlsx_tables(self) -> list[Table]:
        try:
            self._xlsx = _Xlsx(self.path)
        except _XLSX_ERRORS as exc:
            raise FileProblem(_("Không đọc được tệp Excel (.xlsx): %(error)s") % {"error": str(exc) or type(exc).__name__})
        found: dict[str, Table] = {}
        for title, part in self._xlsx.sheets:
            rows = self._xlsx.rows(part)
            try:
                first = next(rows, None)
            except _XLSX_ERRORS as exc:
                raise FileProblem(_("Không đọc được tệp Excel (.xlsx): %(error)s") % {"error": str(exc) or type(exc).__name__})
            header = first[1] if first and first[0] == 1 else ()  # the header is row 1
            kind = _kind_of(header, title)
            if kind is None:
                continue  # notes, lists, anything else
            if kind in found:
                raise FileProblem(
                    _("Tệp có hơn một trang tính dữ liệu %(kind)s (“%(a)s” và “%(b)s”); hãy gộp lại thành một trang.")
                    % {"kind": SHEET_TITLES[kind], "a": found[kind].title, "b": title}
                )
            if first and not header:  # row 1 was empty: its first row is data
                rows = itertools.chain([first], rows)
            estimated = max(self._xlsx.estimated_rows(part) - 1, 0)
            found[kind] = Table(kind, title, header, self._checked(rows), estimated)
        if not found:
            raise FileProblem(
                _("Không tìm thấy trang tính “Tổ chức” hoặc “Đảng viên” với dòng tiêu đề ở dòng 1 (hãy dùng tệp mẫu).")
            )
        # organisations first: member rows may refer to cells created by the same file
        return [found[k] for k in (ORGS, MEMBERS) if k in found]

    @staticmethod
    def _checked(rows: Iterator) -> Iterator:
        try:
            yield from rows
        except _XLSX_ERRORS as exc:
            raise FileProblem(_("Không đọc được tệp Excel (.xlsx): %(error)s") % {"error": str(exc) or type(exc).__name__})

    def _csv_table(self) -> Table:
        with open(self.path, "rb") as raw:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))
        self._handle = open(self.path, newline="", encoding="utf-8-sig")
        try:
            first = self._handle.readline()
        except UnicodeDecodeError:
            raise FileProblem(_("Tệp CSV phải lưu với mã hóa UTF-8 (trong Excel: “CSV UTF-8”)."))
        # Excel writes ";" instead of "," under some regional settings
        delimiter = max((",", ";", "\t"), key=first.count)
        self._handle.seek(0)
        reader = csv.reader(self._decoded(), delimiter=delimiter)
        header = next(reader, None)
        kind = _kind_of(header or ())
        if kind is None:
            raise FileProblem(
                _("Không nhận ra loại dữ liệu trong tệp CSV: dòng 1 phải là dòng tiêu đề của mẫu “Tổ chức” hoặc “Đảng viên”.")
            )
        # numbered by record, as Excel shows a CSV file (a quoted value may span lines)
        return Table(kind, "", tuple(header), enumerate(reader, start=2), max(lines - 1, 0))

    def any_table(self, accept: Callable[[tuple], bool], not_found: str) -> Table:
        """The first table whose header `accept`s, whatever its kind (see open_table)."""
        if self.suffix == ".xlsx":
            try:
                self._xlsx = _Xlsx(self.path)
                for title, part in self._xlsx.sheets:
                    rows = self._xlsx.rows(part)
                    first = next(rows, None)
                    if first and first[0] == 1 and accept(first[1]):
                        estimated = max(self._xlsx.estimated_rows(part) - 1, 0)
                        return Table("", title, first[1], self._checked(rows), estimated)
            except _XLSX_ERRORS as exc:
                raise FileProblem(_("Không đọc được tệp Excel (.xlsx): %(error)s") % {"error": str(exc) or type(exc).__name__})
            raise FileProblem(not_found)
        if self.suffix != ".csv":
            raise FileProblem(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        self._handle = open(self.path, newline="", encoding="utf-8-sig")
        try:
            first = self._handle.readline()
        except UnicodeDecodeError:
            raise FileProblem(_("Tệp CSV phải lưu với mã hóa UTF-8 (trong Excel: “CSV UTF-8”)."))
        delimiter = max((",", ";", "\t"), key=first.count)
        self._handle.seek(0)
        reader = csv.reader(self._decoded(), delimiter=delimiter)
        try:
            header = tuple(next(reader, None) or ())
        except csv.Error as exc:
            raise FileProblem(_("Dòng 1: %(error)s") % {"error": exc})
        if not accept(header):
            raise FileProblem(not_found)
        return Table("", "", header, self._csv_records(reader), 0)

    @staticmethod
    def _csv_records(reader) -> Iterator[tuple[int, tuple]]:
        rownum = 1
        try:
            for rownum, row in enumerate(reader, start=2):
                yield rownum, tuple(row)
        except csv.Error as exc:  # e.g. a cell beyond csv.field_size_limit()
            raise FileProblem(_("Dòng %(row)d: không đọc được (%(error)s).") % {"row": rownum + 1, "error": exc})

    def _decoded(self) -> Iterator[str]:
        try:
            yield from self._handle
        except UnicodeDecodeError:
            raise FileProblem(_("Tệp CSV phải lưu với mã hóa UTF-8 (trong Excel: “CSV UTF-8”)."))

    def close(self):
        if self._xlsx is not None:
            self._xlsx.close()
        if self._handle is not None:
            self._handle.close()


@contextlib.contextmanager
def open_table(path, filename: str = "", *, accept: Callable[[tuple], bool], not_found: str) -> Iterator[Table]:
    """For other apps' imports: the rows of the first sheet of an .xlsx workbook whose row-1
    header `accept`s (or of a CSV file, whose header must), streamed with this module's
    readers, as a Table of kind "". Raises FileProblem (with `not_found` when no header is
    accepted); the file is closed on leaving the block. A CSV cell beyond the csv module's
    field limit is a FileProblem naming the row."""
    source = _Source(Path(path), filename)
    try:
        yield source.any_table(accept, not_found)
    finally:
        source.close()


def count_rows(path, filename: str = "") -> int:
    """A quick estimate of the data rows in a file, used to decide whether the import runs in
    the background. 0 if the file cannot be read (the import then reports why)."""
    source = _Source(Path(path), filename)
    try:
        return sum(t.estimated_rows for t in source.tables())
    except FileProblem:
        return 0
    finally:
        source.close()


# --- result --------------------------------------------------------------------------------

@dataclass
class RowTally:
    """What a row-by-row import of another app found: rows read, the first errors (row number,
    Vietnamese message; `max_errors` kept, all counted) and what was created, updated, left."""

    rows: int = 0
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    error_count: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    max_errors: int = MAX_ERRORS

    @property
    def ok(self) -> bool:
        return not self.error_count

    def error(self, row: int | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append((row, message))

    def messages(self) -> list[str]:
        return [(_("Dòng %(n)d: %(m)s") % {"n": row, "m": msg}) if row else msg for row, msg in self.errors]


@dataclass
class ImportResult:
    filename: str = ""
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    errors_total: int = 0
    orgs_created: int = 0
    orgs_updated: int = 0
    members_created: int = 0
    members_updated: int = 0  # transfers included
    members_transferred: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors_total

    @property
    def created(self) -> int:
        return self.orgs_created + self.members_created

    @property
    def updated(self) -> int:
        return self.orgs_updated + self.members_updated

    def summary(self) -> str:
        if not self.ok:
            text = ngettext(
                "Tệp có %(n)d lỗi; chưa lưu dữ liệu nào. Hãy sửa các dòng dưới đây rồi nhập lại.",
                "Tệp có %(n)d lỗi; chưa lưu dữ liệu nào. Hãy sửa các dòng dưới đây rồi nhập lại.",
                self.errors_total,
            ) % {"n": self.errors_total}
            if self.errors_total > len(self.errors):
                text += " " + _("Chỉ liệt kê %(shown)d lỗi đầu tiên.") % {"shown": len(self.errors)}
            return text
        return _(
            "Đã nhập %(rows)d dòng. Tổ chức: %(oc)d thêm mới, %(ou)d cập nhật. Đảng viên: %(mc)d thêm mới, "
            "%(mu)d cập nhật (trong đó %(mt)d chuyển sinh hoạt). %(same)d dòng không thay đổi."
        ) % {
            "rows": self.rows, "oc": self.orgs_created, "ou": self.orgs_updated, "mc": self.members_created,
            "mu": self.members_updated, "mt": self.members_transferred, "same": self.unchanged,
        }

    def as_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "errors": self.errors,
            "errors_total": self.errors_total,
            "created": self.created,
            "updated": self.updated,
            "rows": self.rows,
            "organisations": {"created": self.orgs_created, "updated": self.orgs_updated},
            "members": {"created": self.members_created, "updated": self.members_updated,
                        "transferred": self.members_transferred},
            "unchanged": self.unchanged,
        }


# --- the import ----------------------------------------------------------------------------

@dataclass
class _Org:
    """An organisation as the import sees it: from the database, or new from the file."""

    code: str
    kind: str
    pk: int | None = None  # None until a new organisation is saved
    path: str = ""
    dissolved: datetime.date | None = None
    parent_id: int | None = None
    name: str = ""
    founded: datetime.date | None = None


def _chunks(seq: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


def _common_path(paths: Iterable[str]) -> str:
    """The deepest path every given path lies under ('' when they share no root)."""
    common: list[str] | None = None
    for path in paths:
        parts = path.split(".")[:-1]
        if common is None:
            common = parts
            continue
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "".join(p + "." for p in common or [])


def _insert(model, fields: tuple[str, ...], rows: list) -> None:
    """Insert prepared rows: COPY on PostgreSQL, one executemany on SQLite.

    bulk_create runs every value through its field in Python, which for 100,000 members took
    longer than all the rest of the import; these values are already clean, typed and
    adapted to the database, and no ids are needed back (see _pairs)."""
    meta, quote = model._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # psycopg 3
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _pairs(model, key: str, value: str, keys: list) -> list[tuple]:
    """(key, value) of the rows whose `key` is one of `keys`, by plain `IN (...)` queries:
    Django's __in lookup prepares each of thousands of parameters in Python."""
    meta, quote = model._meta, connection.ops.quote_name
    key_col, value_col = quote(meta.get_field(key).column), quote(meta.get_field(value).column)
    found = []
    with connection.cursor() as cursor:
        for chunk in _chunks(keys, LOOKUP):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {key_col}, {value_col} FROM {quote(meta.db_table)} WHERE {key_col} IN ({marks})", chunk)
            found += cursor.fetchall()
    return found


def _is_blank(row: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


class _Importer:
    def __init__(self, *, actor, scope: Scope, filename: str, progress: Progress | None):
        self.actor, self.scope, self.filename = actor, scope, filename
        self.user = actor if getattr(actor, "is_authenticated", False) else None
        self.progress = progress
        self.today = timezone.localdate()
        self.result = ImportResult(filename=filename)
        self.total = 0  # progress units: every row once when read, once when saved
        self.done = 0
        self._allowed: dict[str, bool] = {}
        self.choices = {
            "kind": _choice_lookup(OrgKind),
            "gender": _choice_lookup(Gender),
            "status": _choice_lookup(PartyStatus),
            "occupation": _choice_lookup(Occupation),
        }
        self.titles = {ORGS: "", MEMBERS: ""}
        # (row number, values, ok): ok rows had no error of their own and may be saved; the
        # others are still checked against the database, so that one pass reports everything
        self.org_rows: list[tuple[int, dict, bool]] = []
        self.member_rows: list[tuple[int, dict, bool]] = []
        self.bad_org_codes: set[str] = set()  # organisations whose own row has an error
        # the plan, filled by the checks
        self.orgs: dict[str, _Org] = {}  # every organisation the file names, by code
        self.new_orgs: list[dict] = []  # in file order, so parents come first
        self.org_updates: list[tuple[_Org, dict]] = []  # (org, {field: new value})
        self.new_members: list[dict] = []
        self.member_updates: list[tuple[dict, set[str]]] = []  # (values from db + file, changed fields)
        self.transfers: dict[int, str] = {}  # member pk -> new cell code

    # -- helpers --

    def error(self, kind: str, row: int | None, message: str) -> None:
        self.result.errors_total += 1
        if len(self.result.errors) < MAX_ERRORS:
            self.result.errors.append({"sheet": self.titles.get(kind, ""), "row": row, "message": message})

    def tick(self, n: int, message: str, saving: bool = False, force: bool = False) -> None:
        """Count progress; tell the callback every BATCH units (a database write each)."""
        before, self.done = self.done, self.done + n
        if self.progress and (force or before // BATCH != self.done // BATCH):
            self.progress(self.done, max(self.total, self.done), message, saving)

    def allowed(self, path: str) -> bool:
        if path not in self._allowed:
            self._allowed[path] = self.scope.allows(path, Action.MANAGE)
        return self._allowed[path]

    # -- step 1: read the file and check each row on its own --

    def read(self, source: _Source) -> None:
        tables = source.tables()
        self.total = 2 * sum(t.estimated_rows for t in tables)
        message = _("Đang đọc và kiểm tra tệp…")
        for table in tables:
            self.titles[table.kind] = table.title
            converters = self._converters(table)
            if converters is None:
                continue
            is_org = table.kind == ORGS
            target = self.org_rows if is_org else self.member_rows
            clean = self._clean_org if is_org else self._clean_member
            seen: dict[str, dict[str, int]] = {"code": {}, "citizen_id": {}}  # value -> first row
            for rownum, row in table.rows:
                self.tick(1, message)
                if _is_blank(row):
                    continue
                self.result.rows += 1
                values, problems = self._cells(converters, row)
                problems += clean(values, seen, rownum)
                for problem in problems:
                    self.error(table.kind, rownum, problem)
                # a row repeating an earlier code is not checked further: the first one stands
                first = values.get("code") and seen["code"].get(values["code"], rownum) == rownum
                if first:
                    target.append((rownum, values, not problems))
                    if problems and is_org:  # rows that refer to it will say its row has errors
                        self.bad_org_codes.add(values["code"])

    def _converters(self, table: Table) -> list[tuple[int, Column, Callable]] | None:
        """Map the header to columns: (index, column, converter) per known column, or None
        (with errors on row 1) when the header is unusable."""
        lookup = _header_lookup(table.kind)
        columns = {c.key: c for c in COLUMNS[table.kind]}
        found: list[tuple[int, Column, Callable]] = []
        keys: set[str] = set()
        problems = []
        for index, cell in enumerate(table.header):
            text = _text(cell)
            if not text:
                continue
            key = lookup.get(_norm_key(text))
            if key is None:
                if _norm_key(text) not in IGNORED_HEADERS:
                    problems.append(_("Cột “%(col)s” không có trong mẫu nhập.") % {"col": text})
            elif key in keys:
                problems.append(_("Cột “%(col)s” xuất hiện hai lần.") % {"col": text})
            else:
                keys.add(key)
                found.append((index, columns[key], self._converter(table.kind, columns[key])))
        for col in COLUMNS[table.kind]:
            if col.required and col.key not in keys:
                problems.append(_("Thiếu cột bắt buộc “%(col)s”.") % {"col": col.header})
        for problem in problems:
            self.error(table.kind, 1, problem)
        return None if problems else found

    def _converter(self, kind: str, col: Column) -> Callable:
        """raw cell -> value, raising _Bad with a message naming the column."""
        if col.key in DATE_KEYS:
            return lambda raw: _date(raw, col)
        if col.key == "citizen_id":
            return lambda raw: _digits_cell(raw, 12, 10).replace(" ", "")
        if col.key == "phone":
            return lambda raw: _digits_cell(raw, 10, 9)
        if col.key in self.choices:
            lookup, allowed = self.choices[col.key]
            memo: dict = {}  # raw cell -> value: a column of choices holds a few values, repeated

            def choice(raw):
                if raw in memo:
                    return memo[raw]
                text = _text(raw)
                if not text:
                    return ""
                value = lookup.get(_norm_key(text))
                if value is None:
                    raise _Bad(
                        _("Cột “%(col)s”: “%(value)s” không hợp lệ; dùng một trong: %(allowed)s.")
                        % {"col": col.header, "value": text, "allowed": allowed}
                    )
                memo[raw] = value
                return value

            return choice
        limit = _MAX_LENGTH.get((kind, col.key))

        def text(raw):
            value = _text(raw)
            if limit and len(value) > limit:
                raise _Bad(_("Cột “%(col)s”: dài quá %(n)d ký tự.") % {"col": col.header, "n": limit})
            return value

        return text

    def _cells(self, converters, row: tuple) -> tuple[dict, list[str]]:
        values, problems = {}, []
        width = len(row)
        for index, col, convert in converters:
            try:
                value = convert(row[index] if index < width else None)
            except _Bad as exc:
                problems.append(str(exc))
                continue
            if col.required and (value is None or value == ""):
                problems.append(_("Cột “%(col)s”: thiếu giá trị bắt buộc.") % {"col": col.header})
                continue
            values[col.key] = value
        return values, problems

    def _duplicate(self, seen: dict, key: str, value: str, rownum: int, header: str) -> list[str]:
        first = seen[key].setdefault(value, rownum)
        if first != rownum:
            return [_("Cột “%(col)s”: “%(value)s” trùng với dòng %(row)d của tệp.") % {"col": header, "value": value, "row": first}]
        return []

    def _not_future(self, values: dict, keys: Iterable[tuple[str, str]]) -> list[str]:
        return [
            _("Cột “%(col)s”: không được sau ngày hôm nay.") % {"col": header}
            for key, header in keys
            if values.get(key) and values[key] > self.today
        ]

    def _clean_org(self, values: dict, seen: dict, rownum: int) -> list[str]:
        problems: list[str] = []
        if values.get("code"):
            problems += self._duplicate(seen, "code", values["code"], rownum, "Mã")
        if values.get("parent") and values["parent"] == values.get("code"):
            problems.append(_("Cột “Mã cấp trên”: một tổ chức không thể trực thuộc chính nó."))
        problems += self._not_future(values, [("founded", "Ngày thành lập")])
        return problems

    def _clean_member(self, values: dict, seen: dict, rownum: int) -> list[str]:
        problems: list[str] = []
        if values.get("code"):
            problems += self._duplicate(seen, "code", values["code"], rownum, "Mã đảng viên")
        if "occupation" in values and not values["occupation"]:
            values["occupation"] = Occupation.POLITICAL_SYSTEM  # the model's default
        cid = values.get("citizen_id")
        if cid:
            if not _DIGITS12.match(cid):
                problems.append(_("Cột “Số CCCD”: “%(value)s” phải gồm đúng 12 chữ số.") % {"value": cid})
            else:
                problems += self._duplicate(seen, "citizen_id", cid, rownum, "Số CCCD")
        elif "citizen_id" in values:
            values["citizen_id"] = None  # a unique column: empty is NULL, never ""
        phone = values.get("phone")
        if phone and not _PHONE.match(phone):
            problems.append(_("Cột “Điện thoại”: “%(value)s” không phải số điện thoại.") % {"value": phone})
        email = values.get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("Cột “Email”: “%(value)s” không phải địa chỉ email hợp lệ.") % {"value": email})
        problems += self._not_future(
            values, [("birth_date", "Ngày sinh"), ("admitted_on", "Ngày vào Đảng"), ("official_on", "Ngày chính thức")]
        )
        birth, admitted, official = values.get("birth_date"), values.get("admitted_on"), values.get("official_on")
        if birth and birth.year < 1900:
            problems.append(_("Cột “Ngày sinh”: năm sinh %(year)d không hợp lý.") % {"year": birth.year})
        if birth and admitted and admitted <= birth:
            problems.append(_("Cột “Ngày vào Đảng”: phải sau ngày sinh."))
        if admitted and official and official < admitted:
            problems.append(_("Cột “Ngày chính thức”: không được trước ngày vào Đảng."))
        if official and values.get("status") == PartyStatus.PROBATIONARY:
            problems.append(_("Cột “Ngày chính thức”: đảng viên dự bị chưa có ngày chính thức; để trống ô này."))
        return problems

    # -- step 2: compare with the database --

    def check(self) -> None:
        if self.progress:
            self.progress(self.done, max(self.total, self.done), _("Đang đối chiếu với dữ liệu hiện có…"), False)
        self._load_orgs()
        defined: set[str] = set()  # the file's organisation codes so far, in file order
        for rownum, values, ok in self.org_rows:
            for problem in self._check_org(values, defined) if ok else self._check_flawed_org(values, defined):
                self.error(ORGS, rownum, problem)
            defined.add(values["code"])
        self._check_members()

    def _load_orgs(self) -> None:
        codes = {v["code"] for _r, v, _ok in self.org_rows}
        codes |= {v["parent"] for _r, v, _ok in self.org_rows if v.get("parent")}
        codes |= {v["cell"] for _r, v, _ok in self.member_rows if v.get("cell")}
        fields = ("pk", "code", "kind", "path", "dissolved", "parent_id", "name", "founded")
        for chunk in _chunks(sorted(codes), LOOKUP):
            for pk, code, kind, path, dissolved, parent_id, name, founded in Organisation.objects.filter(
                code__in=chunk
            ).values_list(*fields):
                self.orgs[code] = _Org(code, kind, pk, path, dissolved, parent_id, name, founded)

    def _check_org(self, values: dict, defined: set[str]) -> list[str]:
        code, parent_code = values["code"], values.get("parent") or ""
        parent = self.orgs.get(parent_code) if parent_code else None
        existing = self.orgs.get(code)
        if existing is not None and existing.pk is not None:
            return self._check_org_update(existing, values, parent)
        problems = self._parent_problems(parent_code, values["kind"], defined)
        if problems:
            self.bad_org_codes.add(code)
        else:
            self.orgs[code] = _Org(code, values["kind"], name=values["name"], founded=values.get("founded"))
            self.new_orgs.append(values)
        return problems

    def _check_flawed_org(self, values: dict, defined: set[str]) -> list[str]:
        """The checks against the database that a row with errors of its own can still have."""
        existing = self.orgs.get(values["code"])
        if existing is not None and existing.pk is not None:
            if not self.allowed(existing.path):
                return [_("Tổ chức mã “%(code)s” nằm ngoài phạm vi quản lý của bạn.") % {"code": existing.code}]
            return []
        if "parent" not in values:
            return []
        return self._parent_problems(values["parent"], values.get("kind"), defined)

    def _parent_problems(self, parent_code: str, kind: str | None, defined: set[str]) -> list[str]:
        """Whether a new organisation of `kind` may be created under `parent_code`."""
        parent = self.orgs.get(parent_code) if parent_code else None
        problems = []
        if not parent_code:
            if not self.scope.superuser:
                problems.append(
                    _("Cột “Mã cấp trên”: chỉ quản trị hệ thống mới được tạo tổ chức cấp cao nhất; hãy ghi mã tổ chức cấp trên.")
                )
        elif parent_code in self.bad_org_codes and parent is None:
            problems.append(_("Cột “Mã cấp trên”: dòng của tổ chức “%(code)s” có lỗi.") % {"code": parent_code})
        elif parent is None or (parent.pk is None and parent_code not in defined):
            problems.append(
                _("Cột “Mã cấp trên”: không có tổ chức mã “%(code)s” (tổ chức cấp trên phải có sẵn hoặc được khai báo ở dòng trước).")
                % {"code": parent_code}
            )
        elif parent.pk is not None and not self.allowed(parent.path):
            problems.append(_("Mã cấp trên “%(code)s” nằm ngoài phạm vi quản lý của bạn.") % {"code": parent_code})
        elif parent.dissolved is not None:
            problems.append(_("Cột “Mã cấp trên”: tổ chức “%(code)s” đã giải thể.") % {"code": parent_code})
        elif kind and parent.kind in MEMBER_HOLDING_KINDS and kind != OrgKind.ADVISORY:
            problems.append(_("Cột “Mã cấp trên”: chi bộ “%(code)s” không thể có tổ chức trực thuộc.") % {"code": parent_code})
        return problems

    def _check_org_update(self, org: _Org, values: dict, parent: _Org | None) -> list[str]:
        if not self.allowed(org.path):
            return [_("Tổ chức mã “%(code)s” nằm ngoài phạm vi quản lý của bạn.") % {"code": org.code}]
        problems = []
        # a blank parent keeps the current one; a different one would be a move
        if parent is not None and (parent.pk is None or parent.pk != org.parent_id):
            problems.append(
                _("Cột “Mã cấp trên”: tổ chức “%(code)s” đang trực thuộc đơn vị khác; việc chuyển trực thuộc làm bằng "
                  "chức năng “Chuyển trực thuộc”, không qua nhập tệp.") % {"code": org.code}
            )
        changes = {}
        if values["name"] != org.name:
            changes["name"] = values["name"]
        if values["kind"] != org.kind:
            changes["kind"] = values["kind"]
        if values.get("founded") and values["founded"] != org.founded:
            changes["founded"] = values["founded"]
        if changes and org.dissolved is not None:
            problems.append(_("Tổ chức “%(code)s” đã giải thể, không thể cập nhật.") % {"code": org.code})
        if "kind" in changes:
            problems += self._check_kind_change(org, changes["kind"])
        if problems:
            self.bad_org_codes.add(org.code)
        elif changes:
            self.org_updates.append((org, changes))
            org.kind = changes.get("kind", org.kind)  # members are placed by the kind after import
        else:
            self.result.unchanged += 1
        return problems

    def _check_kind_change(self, org: _Org, kind: str) -> list[str]:
        # rare, so one query each rather than batched
        if kind in MEMBER_HOLDING_KINDS and Organisation.objects.filter(
            parent_id=org.pk, dissolved__isnull=True
        ).exclude(kind=OrgKind.ADVISORY).exists():
            return [_("Cột “Loại”: “%(code)s” có tổ chức trực thuộc nên không thể là chi bộ.") % {"code": org.code}]
        if kind not in MEMBER_HOLDING_KINDS and Member.objects.filter(organisation_id=org.pk).exists():
            return [_("Cột “Loại”: “%(code)s” có đảng viên sinh hoạt nên phải là chi bộ hoặc chi bộ cơ sở.") % {"code": org.code}]
        return []

    def _cell_problem(self, code: str) -> str | None:
        """Why members cannot be placed in the cell `code` (None if they can)."""
        cell = self.orgs.get(code)
        if cell is None and code in self.bad_org_codes:  # a new cell whose own row failed
            return _("Cột “Mã chi bộ”: dòng của tổ chức “%(code)s” trong trang Tổ chức có lỗi.") % {"code": code}
        if cell is None:
            return _("Cột “Mã chi bộ”: không có tổ chức mã “%(code)s”.") % {"code": code}
        if cell.pk is not None and not self.allowed(cell.path):
            return _("Mã chi bộ “%(code)s” nằm ngoài phạm vi quản lý của bạn.") % {"code": code}
        if cell.kind not in MEMBER_HOLDING_KINDS:
            return _("Cột “Mã chi bộ”: “%(code)s” không phải chi bộ hoặc chi bộ cơ sở; đảng viên chỉ sinh hoạt ở chi bộ.") % {
                "code": code
            }
        if cell.dissolved is not None:
            return _("Cột “Mã chi bộ”: chi bộ “%(code)s” đã giải thể.") % {"code": code}
        return None

    def _check_members(self) -> None:
        if not self.member_rows:
            return
        names = ("pk", "code", "organisation_id", "path", *MEMBER_DATA_FIELDS)
        fields = ("pk", "code", "organisation_id", "organisation__path", *MEMBER_DATA_FIELDS)
        existing: dict[str, dict] = {}
        for chunk in _chunks([v["code"] for _r, v, _ok in self.member_rows], LOOKUP):
            for row in Member.objects.filter(code__in=chunk).values_list(*fields):
                existing[row[1]] = dict(zip(names, row))
        cid_owner: dict[str, str] = {}
        for chunk in _chunks([v["citizen_id"] for _r, v, _ok in self.member_rows if v.get("citizen_id")], LOOKUP):
            cid_owner.update(_pairs(Member, "citizen_id", "code", chunk))

        cell_problem: dict[str, str | None] = {}  # worked out once per cell code
        transfer_rows: dict[int, int] = {}  # member pk -> row number
        for rownum, values, ok in self.member_rows:
            code, cell_code = values["code"], values.get("cell")
            if cell_code and cell_code not in cell_problem:
                cell_problem[cell_code] = self._cell_problem(cell_code)
            before = existing.get(code)
            cell = self.orgs.get(cell_code)
            moves = before is None or cell is None or cell.pk != before["organisation_id"]
            problems = []
            if before is not None and not self.allowed(before["path"]):
                problems.append(
                    _("Đảng viên mã “%(code)s” đang sinh hoạt ở tổ chức ngoài phạm vi quản lý của bạn.") % {"code": code}
                )
            if cell_code and cell_problem[cell_code] and moves:  # a member who stays where they are is let be
                problems.append(cell_problem[cell_code])
            cid = values.get("citizen_id")
            if cid and cid_owner.get(cid, code) != code:
                problems.append(_("Cột “Số CCCD”: số “%(value)s” đã được dùng cho một đảng viên khác.") % {"value": cid})
            for problem in problems:
                self.error(MEMBERS, rownum, problem)
            if problems or not ok:
                continue
            if before is None:
                self.new_members.append(values)
            else:
                changed = {k for k in MEMBER_DATA_FIELDS if k in values and values[k] != before[k]}
                if changed:
                    self.member_updates.append(({**before, **{k: values[k] for k in changed}}, changed))
                if moves:
                    transfer_rows[before["pk"]] = rownum
                    self.transfers[before["pk"]] = cell_code
                if not changed and not moves:
                    self.result.unchanged += 1
        self._check_transfer_dates(transfer_rows)

    def _check_transfer_dates(self, transfer_rows: dict[int, int]) -> None:
        # a transfer takes effect today, so the open membership must have started by today
        for chunk in _chunks(list(transfer_rows), LOOKUP):
            late = Membership.objects.filter(
                member_id__in=chunk, kind=MembershipKind.OFFICIAL, end__isnull=True, start__gt=self.today
            ).values_list("member_id", flat=True)
            for member_id in late:
                self.error(
                    MEMBERS, transfer_rows[member_id],
                    _("Cột “Mã chi bộ”: chưa thể chuyển sinh hoạt vì nơi sinh hoạt hiện tại bắt đầu sau ngày hôm nay."),
                )

    # -- step 3: write, all or nothing --

    def save(self) -> None:
        self.done = self.total // 2
        self.tick(0, _("Đang lưu vào cơ sở dữ liệu…"), saving=True, force=True)
        with transaction.atomic():
            self._create_orgs()
            self._update_orgs()
            self._create_members()
            self._update_members()
            self._audit()

    def _create_orgs(self) -> None:
        """Bulk equivalent of services.organisation_create: the row, its path and depth, its
        first placement and its "create" event. The path holds the new id, so it is set after
        the insert, one tree level at a time (parents precede children in the file)."""
        level_of: dict[str, int] = {}
        levels: list[list[dict]] = []
        for values in self.new_orgs:
            parent = values.get("parent") or ""
            level = level_of[parent] + 1 if parent in level_of else 0
            level_of[values["code"]] = level
            if level == len(levels):
                levels.append([])
            levels[level].append(values)
        for rows in levels:
            objs = []
            for values in rows:
                parent = self.orgs[values["parent"]] if values.get("parent") else None
                objs.append(Organisation(
                    code=values["code"], name=values["name"], kind=values["kind"],
                    parent_id=parent.pk if parent else None, founded=values.get("founded") or self.today,
                    path="", search_key=search_key(values["name"], values["code"]),
                ))
            Organisation.objects.bulk_create(objs, batch_size=BATCH)
            if any(obj.pk is None for obj in objs):  # SQLite before 3.35 returns no ids
                ids = dict(_pairs(Organisation, "code", "id", [obj.code for obj in objs]))
                for obj in objs:
                    obj.pk = ids[obj.code]
            for obj, values in zip(objs, rows):
                parent_path = self.orgs[values["parent"]].path if values.get("parent") else ""
                obj.path = f"{parent_path}{obj.pk}."
                obj.depth = obj.path.count(".") - 1
                known = self.orgs[obj.code]
                known.pk, known.path = obj.pk, obj.path
            Organisation.objects.bulk_update(objs, ["path", "depth"], batch_size=BATCH)
            OrgPlacement.objects.bulk_create(
                [OrgPlacement(organisation_id=o.pk, parent_id=o.parent_id, path=o.path, valid_from=o.founded) for o in objs],
                batch_size=BATCH,
            )
            OrgEvent.objects.bulk_create(
                [OrgEvent(kind=OrgEventKind.CREATE, organisation_id=o.pk, on_date=o.founded, actor=self.user) for o in objs],
                batch_size=BATCH,
            )
            self.result.orgs_created += len(objs)
            self.tick(len(objs), _("Đang lưu tổ chức…"), saving=True)

    def _update_orgs(self) -> None:
        objs = []
        for org, changes in self.org_updates:
            obj = Organisation(pk=org.pk, code=org.code, name=changes.get("name", org.name),
                               kind=changes.get("kind", org.kind), founded=changes.get("founded", org.founded))
            obj.search_key = search_key(obj.name, obj.code)
            objs.append(obj)
            if "name" in changes:  # as organisation_update does: a rename is an event of the tree
                OrgEvent.objects.create(kind=OrgEventKind.RENAME, organisation_id=org.pk, on_date=self.today,
                                        details={"name": [org.name, changes["name"]]}, actor=self.user)
        Organisation.objects.bulk_update(objs, ["name", "kind", "founded", "search_key"], batch_size=500)
        self.result.orgs_updated = len(objs)
        self.tick(len(objs), _("Đang lưu tổ chức…"), saving=True)

    def _create_members(self) -> None:
        """Bulk equivalent of services.member_create: the member (keys as Member.fill_keys
        makes them) and their official membership starting on the admission date."""
        message = _("Đang lưu đảng viên…")
        date = connection.ops.adapt_datefield_value
        dates = {"birth_date", "admitted_on", "official_on", "left_on", "exempt_since", "suspended_since"}
        defaults = {"citizen_id": None, "phone": "", "email": "", "occupation": Occupation.POLITICAL_SYSTEM}
        fields = (*MEMBER_DATA_FIELDS, "code", "organisation", "search_key", "sort_key")
        name_keys: dict[str, tuple[str, str]] = {}  # full name -> (unaccented, sort key); names recur
        for batch in _chunks(self.new_members):
            rows = []
            for values in batch:
                name = values["full_name"]
                if name not in name_keys:
                    name_keys[name] = (unaccent(name), name_sort_key(name))
                plain, sort_key = name_keys[name]
                row = [
                    date(values.get(f)) if f in dates else values.get(f, defaults.get(f))
                    for f in MEMBER_DATA_FIELDS
                ]
                code = values["code"]
                code_key = code.lower() if code.isascii() else unaccent(code)
                row += [code, self.orgs[values["cell"]].pk, f"{plain} {code_key}", sort_key]
                rows.append(row)
            _insert(Member, fields, rows)
            ids = dict(_pairs(Member, "code", "id", [v["code"] for v in batch]))
            _insert(
                Membership,
                ("member", "organisation", "kind", "start", "org_path", "note"),
                [
                    (ids[v["code"]], self.orgs[v["cell"]].pk, MembershipKind.OFFICIAL, date(v["admitted_on"]),
                     self.orgs[v["cell"]].path, "")
                    for v in batch
                ],
            )
            self.result.members_created += len(batch)
            self.tick(len(batch), message, saving=True)

    def _update_members(self) -> None:
        message = _("Đang lưu đảng viên…")
        cell_pk = {pk: self.orgs[code].pk for pk, code in self.transfers.items()}
        objs, fields = [], set()
        for values, changed in self.member_updates:
            member = Member(**{k: v for k, v in values.items() if k != "path"})
            member.organisation_id = cell_pk.get(member.pk, member.organisation_id)
            member.fill_keys()
            objs.append(member)
            fields |= changed
        if "full_name" in fields:
            fields |= {"search_key", "sort_key"}
        if cell_pk:
            fields.add("organisation")
        for batch in _chunks(objs, 500):
            Member.objects.bulk_update(batch, sorted(fields))
            self.tick(len(batch), message, saving=True)
        # Transfers as services.member_transfer does them: the open official membership is
        # closed today and a new one opened; history is never rewritten.
        updated = {m.pk for m in objs}
        note = (_("Chuyển sinh hoạt khi nhập tệp %(file)s") % {"file": self.filename})[:255]
        for chunk in _chunks(list(self.transfers.items()), LOOKUP):
            Membership.objects.filter(
                member_id__in=[pk for pk, _c in chunk], kind=MembershipKind.OFFICIAL, end__isnull=True
            ).update(end=self.today)
            Membership.objects.bulk_create(
                [
                    Membership(member_id=pk, organisation_id=cell_pk[pk], kind=MembershipKind.OFFICIAL,
                               start=self.today, org_path=self.orgs[code].path, note=note)
                    for pk, code in chunk
                ],
                batch_size=BATCH,
            )
            by_cell: dict[int, list[int]] = {}
            for pk, _code in chunk:
                if pk not in updated:  # those were moved by the bulk_update above
                    by_cell.setdefault(cell_pk[pk], []).append(pk)
            for cell, pks in by_cell.items():
                Member.objects.filter(pk__in=pks).update(organisation_id=cell)
            self.tick(len(chunk), message, saving=True)
        self.result.members_transferred = len(self.transfers)
        self.result.members_updated = len(updated | set(self.transfers))

    def _audit(self) -> None:
        """One summary event per kind of record touched (none when nothing changed)."""
        r = self.result
        reason = _("Nhập từ tệp %(file)s") % {"file": self.filename}
        if r.orgs_created or r.orgs_updated:
            paths = [self.orgs[v["code"]].path for v in self.new_orgs] + [o.path for o, _c in self.org_updates]
            audit.record(
                actor=self.actor, action="import.organisations", object_type="organisations.organisation",
                object_repr=self.filename, org_path=_common_path(paths), reason=reason,
                changes={"file": self.filename, "created": r.orgs_created, "updated": r.orgs_updated},
            )
        if r.members_created or r.members_updated:
            cells = {v["cell"] for v in self.new_members} | set(self.transfers.values())
            paths = [self.orgs[c].path for c in cells] + [v["path"] for v, _c in self.member_updates]
            audit.record(
                actor=self.actor, action="import.members", object_type="organisations.member",
                object_repr=self.filename, org_path=_common_path(paths), reason=reason,
                changes={"file": self.filename, "created": r.members_created, "updated": r.members_updated,
                         "transferred": r.members_transferred},
            )


def import_file(path, *, actor, filename: str = "", scope: Scope | None = None,
                progress: Progress | None = None) -> ImportResult:
    """Import one file as `actor`, within `scope` (default: the actor's; pass
    Scope(superuser=True) only for trusted command-line use).

    Returns the result; when it has errors nothing was saved. An unexpected exception while
    saving rolls the whole import back and propagates."""
    importer = _Importer(actor=actor, scope=scope or scope_for(actor), filename=filename or Path(path).name,
                         progress=progress)
    source = _Source(Path(path), importer.filename)
    try:
        importer.read(source)
    except FileProblem as exc:
        importer.error(ORGS, None, str(exc))
        return importer.result
    finally:
        source.close()
    importer.check()  # even with row errors, so that one pass reports every problem
    if not importer.result.ok:
        org_title = importer.titles[ORGS]
        importer.result.errors.sort(key=lambda e: (e["sheet"] != org_title, e["row"] or 0))
        return importer.result
    importer.save()
    return importer.result
