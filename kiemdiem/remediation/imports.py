"""Import of a cell's meeting attendance and dues from an XLSX workbook or a CSV file, with the
rules of the foundation import (organisations/imports.py, whose cell parsing is reused):

- every bad row is reported with its spreadsheet row number (the header is row 1) and a
  Vietnamese reason;
- nothing is saved if any row is bad: all rows are checked first, then written in one
  transaction;
- rows are matched (meeting by date and kind, attendance by meeting and member, dues by
  member and month) and a row is written only when a value differs, so importing the same
  file twice changes nothing the second time.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kiemdiem.core import spreadsheet
from kiemdiem.core import audit
from kiemdiem.organisations.imports import (
    RowTally,
    _XLSX_ERRORS,
    Column,
    FileProblem,
    _Bad,
    _date,
    _date_from_text,
    _is_blank,
    _norm_key,
    _text,
    _Xlsx,
)
from kiemdiem.organisations.models import Member

from .choices import AttendanceStatus, CellMeetingKind
from .models import CellMeeting, DuesPayment, MeetingAttendance

ATTENDANCE, DUES = "attendance", "dues"
KINDS = (ATTENDANCE, DUES)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ERRORS = 5000

COLUMNS = {
    ATTENDANCE: (
        Column("held_on", "Ngày họp", ("ngay",), True, _l("Ngày dạng dd/mm/yyyy (hoặc ô kiểu ngày của Excel).")),
        Column("kind", "Loại", ("loai_sinh_hoat",), True, _l("Thường kỳ hoặc Chuyên đề.")),
        Column("code", "Mã đảng viên", ("ma_dv",), True, _l("Mã của đảng viên sinh hoạt tại chi bộ.")),
        Column("status", "Tình trạng", ("tinh_trang_du_hop",), True,
               _l("Có mặt, Vắng có lý do hoặc Vắng không lý do.")),
    ),
    DUES: (
        Column("code", "Mã đảng viên", ("ma_dv",), True, _l("Mã của đảng viên sinh hoạt tại chi bộ.")),
        Column("month", "Tháng", ("thang_dong",), True, _l("Tháng đóng đảng phí, dạng mm/yyyy (ví dụ 03/2025).")),
        Column("amount", "Số tiền", ("so_tien_dong",), True, _l("Số tiền (đồng), số nguyên dương.")),
        Column("paid_on", "Ngày nộp", (), True, _l("Ngày dạng dd/mm/yyyy (hoặc ô kiểu ngày của Excel).")),
    ),
}
TITLES = {ATTENDANCE: _l("Dự họp chi bộ"), DUES: _l("Đảng phí")}
EXAMPLES = {
    ATTENDANCE: [datetime.date(2025, 3, 5), "Thường kỳ", "DV-VIDU-001", "Có mặt"],
    DUES: ["DV-VIDU-001", "03/2025", 50000, datetime.date(2025, 3, 5)],
}
IGNORED = {"stt", "so_thu_tu", "tt", "ghi_chu", "ho_ten", "ho_va_ten"}

_KIND_WORDS = {
    "thuong_ky": CellMeetingKind.REGULAR, "sinh_hoat_thuong_ky": CellMeetingKind.REGULAR, "regular": CellMeetingKind.REGULAR,
    "chuyen_de": CellMeetingKind.THEMATIC, "sinh_hoat_chuyen_de": CellMeetingKind.THEMATIC,
    "thematic": CellMeetingKind.THEMATIC,
}
_STATUS_WORDS = {
    "co_mat": AttendanceStatus.PRESENT, "present": AttendanceStatus.PRESENT,
    "vang_co_ly_do": AttendanceStatus.EXCUSED, "excused": AttendanceStatus.EXCUSED,
    "vang_khong_ly_do": AttendanceStatus.UNEXCUSED, "vang_khong_co_ly_do": AttendanceStatus.UNEXCUSED,
    "unexcused": AttendanceStatus.UNEXCUSED,
}
_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")


@dataclass
class Result(RowTally):
    kind: str = ""

    def summary(self) -> str:
        if not self.ok:
            return _("Tệp có %(n)d lỗi; không dòng nào được lưu.") % {"n": self.error_count}
        return _("Đã nhập %(rows)d dòng: %(c)d thêm mới, %(u)d cập nhật, %(s)d không đổi.") % {
            "rows": self.rows, "c": self.created, "u": self.updated, "s": self.unchanged}


# --- reading -------------------------------------------------------------------------------


def _lookup(kind: str) -> dict[str, str]:
    out = {}
    for col in COLUMNS[kind]:
        for spelling in (col.key, col.header, *col.aliases):
            out[_norm_key(spelling)] = col.key
    return out


def _rows(path: Path, filename: str, kind: str):
    """(header, iterator of (row number, values)) of the first sheet whose header names this
    kind's columns (or of the CSV file)."""
    suffix = Path(filename or path.name).suffix.lower()
    lookup = _lookup(kind)
    needed = {c.key for c in COLUMNS[kind] if c.required}
    if suffix == ".xlsx":
        try:
            book = _Xlsx(path)
            for _title, part in book.sheets:
                rows = book.rows(part)
                first = next(rows, None)
                if first and first[0] == 1 and needed <= {lookup.get(_norm_key(h)) for h in first[1] if h not in (None, "")}:
                    return first[1], list(rows)
        except _XLSX_ERRORS as exc:
            raise FileProblem(_("Không đọc được tệp Excel (.xlsx): %(error)s") % {"error": str(exc) or type(exc).__name__})
        raise FileProblem(_("Không tìm thấy trang tính có dòng tiêu đề của mẫu “%(title)s” ở dòng 1 (hãy dùng tệp mẫu).")
                          % {"title": TITLES[kind]})
    if suffix == ".csv":
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileProblem(_("Tệp CSV phải lưu với mã hóa UTF-8 (trong Excel: “CSV UTF-8”)."))
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, None) or []
        return tuple(header), list(enumerate(reader, start=2))
    raise FileProblem(_("Chỉ nhận tệp .xlsx hoặc .csv."))


def _month(raw) -> datetime.date:
    if isinstance(raw, (datetime.datetime, datetime.date)):
        d = raw.date() if isinstance(raw, datetime.datetime) else raw
        return d.replace(day=1)
    text = _text(raw)
    match = _MONTH.match(text)
    if match:
        mm, yyyy = int(match.group(1)), int(match.group(2))
        if 1 <= mm <= 12:
            return datetime.date(yyyy, mm, 1)
    day = _date_from_text(text)
    if day:
        return day.replace(day=1)
    raise _Bad(_("Cột “Tháng”: “%(value)s” không phải tháng hợp lệ (ghi mm/yyyy, ví dụ 03/2025).") % {"value": text})


def _amount(raw) -> int:
    if isinstance(raw, bool):
        raise _Bad(_("Cột “Số tiền”: giá trị không hợp lệ."))
    if isinstance(raw, (int, float)):
        if float(raw).is_integer() and raw > 0:
            return int(raw)
        raise _Bad(_("Cột “Số tiền”: “%(value)s” phải là số nguyên dương.") % {"value": raw})
    text = _text(raw).replace(".", "").replace(",", "").replace(" ", "")
    text = text.removesuffix("đ").removesuffix("VND").removesuffix("vnđ")
    if not text.isdigit() or int(text) <= 0:
        raise _Bad(_("Cột “Số tiền”: “%(value)s” phải là số nguyên dương.") % {"value": _text(raw)})
    return int(text)


def _choice(raw, words: dict, header: str, allowed: str):
    key = _norm_key(_text(raw))
    if key in words:
        return words[key]
    raise _Bad(_("Cột “%(col)s”: “%(value)s” không hợp lệ; chọn một trong %(allowed)s.")
               % {"col": header, "value": _text(raw), "allowed": allowed})


def import_file(path: Path, *, kind: str, cell, actor, filename: str = "", today: datetime.date | None = None) -> Result:
    """Check every row, then (only if none is bad) write them in one transaction."""
    today = today or timezone.localdate()
    result = Result(kind=kind)
    try:
        header, rows = _rows(Path(path), filename, kind)
    except FileProblem as exc:
        result.error(None, str(exc))
        return result
    lookup = _lookup(kind)
    positions: dict[str, int] = {}
    for index, h in enumerate(header):
        key = _norm_key(h) if h not in (None, "") else ""
        if not key or key in IGNORED:
            continue
        col = lookup.get(key)
        if col is None:
            result.error(1, _("Cột “%(h)s” không có trong mẫu.") % {"h": _text(h)})
        elif col in positions:
            result.error(1, _("Cột “%(h)s” bị lặp lại.") % {"h": _text(h)})
        else:
            positions[col] = index
    for col in COLUMNS[kind]:
        if col.required and col.key not in positions:
            result.error(1, _("Thiếu cột “%(h)s”.") % {"h": col.header})
    if not result.ok:
        return result

    members = dict(Member.objects.filter(organisation=cell).values_list("code", "pk"))
    parsed: list[tuple[int, dict]] = []
    seen: dict[tuple, int] = {}
    kind_labels = "“Thường kỳ”, “Chuyên đề”"
    status_labels = "“Có mặt”, “Vắng có lý do”, “Vắng không lý do”"
    for rownum, values in rows:
        if _is_blank(values):
            continue
        result.rows += 1
        cells = {k: (values[i] if i < len(values) else None) for k, i in positions.items()}
        problems, row = [], {}
        cols = {c.key: c for c in COLUMNS[kind]}
        for key, raw in cells.items():
            col = cols[key]
            try:
                if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
                    raise _Bad(_("Cột “%(col)s” không được để trống.") % {"col": col.header})
                if key in ("held_on", "paid_on"):
                    row[key] = _date(raw, col)
                    if row[key] > today:
                        raise _Bad(_("Cột “%(col)s”: ngày %(d)s ở tương lai.") % {"col": col.header,
                                                                                 "d": row[key].strftime("%d/%m/%Y")})
                elif key == "kind":
                    row[key] = _choice(raw, _KIND_WORDS, col.header, kind_labels)
                elif key == "status":
                    row[key] = _choice(raw, _STATUS_WORDS, col.header, status_labels)
                elif key == "month":
                    row[key] = _month(raw)
                elif key == "amount":
                    row[key] = _amount(raw)
                elif key == "code":
                    code = _text(raw)
                    if code not in members:
                        raise _Bad(_("Mã đảng viên “%(code)s” không có trong danh sách đảng viên của chi bộ này.")
                                   % {"code": code})
                    row["member_id"] = members[code]
                    row["code"] = code
            except _Bad as exc:
                problems.append(str(exc))
        if not problems:
            dup = (row["held_on"], row["kind"], row["member_id"]) if kind == ATTENDANCE else (row["member_id"], row["month"])
            if dup in seen:
                problems.append(_("Trùng với dòng %(n)d.") % {"n": seen[dup]})
            else:
                seen[dup] = rownum
            if kind == DUES and row["month"] > today.replace(day=1):
                problems.append(_("Cột “Tháng”: tháng %(m)s ở tương lai.") % {"m": row["month"].strftime("%m/%Y")})
        for p in problems:
            result.error(rownum, p)
        if not problems:
            parsed.append((rownum, row))
    if not result.rows:
        result.error(None, _("Tệp không có dòng dữ liệu nào."))
    if not result.ok:
        return result
    with transaction.atomic():
        (_save_attendance if kind == ATTENDANCE else _save_dues)(result, cell, [r for _n, r in parsed])
        audit.record(actor=actor, action=f"remediation.import_{kind}", obj=cell, org_path=cell.path,
                     changes={"rows": result.rows, "created": result.created, "updated": result.updated})
    return result


def _save_attendance(result: Result, cell, rows: list[dict]) -> None:
    keys = {(r["held_on"], r["kind"]) for r in rows}
    meetings = {(m.held_on, m.kind): m for m in CellMeeting.objects.filter(organisation=cell, held_on__in={k[0] for k in keys})}
    for key in keys - set(meetings):
        meetings[key] = CellMeeting.objects.create(organisation=cell, held_on=key[0], kind=key[1])
    existing = {(a.meeting_id, a.member_id): a for a in MeetingAttendance.objects.filter(meeting__in=[m.pk for m in meetings.values()])}
    new, changed = [], []
    for r in rows:
        meeting = meetings[(r["held_on"], r["kind"])]
        current = existing.get((meeting.pk, r["member_id"]))
        if current is None:
            new.append(MeetingAttendance(meeting=meeting, member_id=r["member_id"], status=r["status"]))
        elif current.status != r["status"]:
            current.status = r["status"]
            changed.append(current)
        else:
            result.unchanged += 1
    MeetingAttendance.objects.bulk_create(new)
    MeetingAttendance.objects.bulk_update(changed, ["status"])
    result.created, result.updated = len(new), len(changed)


def _save_dues(result: Result, cell, rows: list[dict]) -> None:
    existing = {(p.member_id, p.month): p for p in DuesPayment.objects.filter(
        member__organisation=cell, month__in={r["month"] for r in rows})}
    new, changed = [], []
    for r in rows:
        current = existing.get((r["member_id"], r["month"]))
        if current is None:
            new.append(DuesPayment(member_id=r["member_id"], month=r["month"], amount=r["amount"], paid_on=r["paid_on"]))
        elif (current.amount, current.paid_on) != (r["amount"], r["paid_on"]):
            current.amount, current.paid_on = r["amount"], r["paid_on"]
            changed.append(current)
        else:
            result.unchanged += 1
    DuesPayment.objects.bulk_create(new)
    DuesPayment.objects.bulk_update(changed, ["amount", "paid_on"])
    result.created, result.updated = len(new), len(changed)


def build_template(kind: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = str(TITLES[kind])
    columns = COLUMNS[kind]
    ws.append([c.header for c in columns])
    ws.append(EXAMPLES[kind])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, col in enumerate(columns, start=1):
        letter = chr(64 + index)
        ws.column_dimensions[letter].width = max(16, len(col.header) + 4)
        if col.key in ("held_on", "paid_on"):
            ws.cell(row=2, column=index).number_format = "DD/MM/YYYY"
        elif col.key in ("code", "month"):
            ws.cell(row=2, column=index).number_format = "@"
    if kind == ATTENDANCE:
        for letter, values in (("B", "Thường kỳ,Chuyên đề"), ("D", "Có mặt,Vắng có lý do,Vắng không lý do")):
            check = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True, errorStyle="warning")
            check.add(f"{letter}2:{letter}10000")
            ws.add_data_validation(check)
    notes = wb.create_sheet("Ghi chú")
    notes.append([_("Cột"), _("Giải thích")])
    for col in columns:
        notes.append([col.header, str(col.note)])
    notes.append([])
    notes.append([_("Tệp có bất kỳ lỗi nào thì không dòng nào được lưu; kết quả liệt kê từng dòng lỗi và lý do.")])
    notes.append([_("Nhập lại cùng một tệp không thay đổi gì. Xóa dòng ví dụ trước khi nhập.")])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    return spreadsheet.save(wb)
