"""Import of the task register from an XLSX workbook or a CSV file, with the rules of the
foundation import (organisations/imports.py, whose readers and cell parsing are reused):

- every bad row is reported with its spreadsheet row number (the header is row 1) and a
  Vietnamese reason; nothing is saved if any row is bad;
- memory stays bounded whatever the file's size: the file is streamed twice, once to check
  every row (codes resolved a batch at a time, keeping only what each code resolved to and a
  key per row for duplicates), then, only if no row was bad, again to write in batches inside
  one transaction;
- only subjects inside the importing organisation's subtree and the user's MANAGE scope:
  a code outside reads exactly like an unknown code;
- a row is matched to an existing task by subject, task and deadline and writes only when a
  value differs, so importing the same file twice changes nothing the second time.
"""
from __future__ import annotations

import datetime
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kiemdiem.core import spreadsheet
from kiemdiem.core import audit
from kiemdiem.organisations.access import Action, Scope, scope_for
from kiemdiem.organisations.imports import (
    RowTally,
    Column,
    FileProblem,
    _Bad,
    _date,
    _is_blank,
    _norm_key,
    _text,
    open_table,
)
from kiemdiem.organisations.models import Member, Organisation

from .choices import TaskStatus
from .models import TaskAssignment
from .services import check_task

MAX_ERRORS = 1000
BATCH = 900  # rows per code lookup and per write
CODE_MAX = 40
_DATE_NOTE = _l("Ngày dạng dd/mm/yyyy (hoặc yyyy-mm-dd, hoặc ô kiểu ngày của Excel).")
COLUMNS = (
    Column("member", "Mã đảng viên", ("ma_dv",), False, _l("Mã của đảng viên được giao nhiệm vụ; hoặc ghi cột “Mã tổ chức”.")),
    Column("organisation", "Mã tổ chức", ("ma_to_chuc_dang",), False, _l("Mã của tổ chức đảng được giao nhiệm vụ (khi không ghi mã đảng viên).")),
    Column("title", "Nhiệm vụ", ("noi_dung_nhiem_vu", "ten_nhiem_vu"), True, _l("Nội dung nhiệm vụ (tối đa 500 ký tự).")),
    Column("assigned_by", "Người giao", ("cap_giao", "noi_giao"), False, _l("Cấp, người giao nhiệm vụ, ví dụ “Ban Thường vụ Huyện ủy”.")),
    Column("assigned_on", "Ngày giao", (), False, _DATE_NOTE),
    Column("deadline", "Hạn hoàn thành", ("han", "thoi_han"), True, _DATE_NOTE),
    Column("status", "Tình trạng", ("ket_qua",), True, _l(
        "Đang thực hiện, Hoàn thành đúng tiến độ, Hoàn thành vượt yêu cầu, Hoàn thành chậm tiến độ hoặc Không hoàn thành.")),
    Column("completed_on", "Ngày hoàn thành", (), False, _l("Bắt buộc khi đã hoàn thành; trước hoặc đúng hạn nếu đúng tiến độ, sau hạn nếu chậm.")),
    Column("quality_met", "Bảo đảm chất lượng", ("chat_luong",), False, _l("Có hoặc Không; để trống là Có.")),
    Column("evidence", "Minh chứng", (), False, _l("Văn bản, kết quả chứng minh việc hoàn thành.")),
)
_COLS = {c.key: c for c in COLUMNS}
_HEADERS = {_norm_key(s): c.key for c in COLUMNS for s in (c.key, c.header, *c.aliases)}
IGNORED = {"stt", "so_thu_tu", "tt", "ghi_chu", "ho_ten", "ho_va_ten", "ten_to_chuc"}
_LIMITS = {"member": CODE_MAX, "organisation": CODE_MAX, "title": 500, "assigned_by": 255, "evidence": 10_000,
           "assigned_on": 10, "deadline": 10, "completed_on": 10, "status": 40, "quality_met": 10}
_YES = {"co", "x", "yes", "true", "1", "dat", "bao_dam", "dam_bao"}
_NO = {"khong", "no", "false", "0", "khong_dat", "khong_bao_dam", "khong_dam_bao"}


def _status_words() -> dict[str, str]:
    words = {}
    with translation.override("vi"):
        for value, label in zip(TaskStatus.values, TaskStatus.labels):
            words[_norm_key(value)] = value
            words[_norm_key(str(label))] = value
    words.update({"dung_tien_do": TaskStatus.ON_TIME, "vuot_yeu_cau": TaskStatus.BEYOND, "cham_tien_do": TaskStatus.LATE,
                  "hoan_thanh_cham": TaskStatus.LATE, "chua_hoan_thanh": TaskStatus.PENDING})
    return words


@dataclass
class ImportResult(RowTally):
    filename: str = ""
    max_errors: int = MAX_ERRORS

    def summary(self) -> str:
        if not self.ok:
            return _("Tệp có %(n)d lỗi; không dòng nào được lưu.") % {"n": self.error_count}
        return _("Đã nhập %(n)d nhiệm vụ (%(c)d thêm mới, %(u)d cập nhật, %(s)d không đổi).") % {
            "n": self.rows, "c": self.created, "u": self.updated, "s": self.unchanged}


class _Reader:
    def __init__(self, *, organisation: Organisation, scope: Scope, today: datetime.date):
        self.org, self.scope, self.today = organisation, scope, today
        self.statuses = _status_words()
        # code -> (id, org path) or None, per kind: kept across batches and across both passes
        self.known: dict[str, dict[str, tuple[int, str] | None]] = {"member": {}, "organisation": {}}

    def positions(self, header: tuple, result: ImportResult) -> dict[str, int] | None:
        found: dict[str, int] = {}
        for index, h in enumerate(header):
            text = _text(h)
            key = _norm_key(text) if text else ""
            if not key or key in IGNORED:
                continue
            col = _HEADERS.get(key)
            if col is None:
                result.error(1, _("Cột “%(h)s” không có trong mẫu.") % {"h": text[:100]})
            elif col in found:
                result.error(1, _("Cột “%(h)s” bị lặp lại.") % {"h": text[:100]})
            else:
                found[col] = index
        for col in COLUMNS:
            if col.required and col.key not in found:
                result.error(1, _("Thiếu cột “%(h)s”.") % {"h": col.header})
        if "member" not in found and "organisation" not in found:
            result.error(1, _("Thiếu cột “Mã đảng viên” hoặc “Mã tổ chức”."))
        return found if result.ok else None

    def _cell(self, key: str, raw):
        col = _COLS[key]
        if isinstance(raw, str) and len(raw) > 4 * _LIMITS[key] + 100:  # before normalising a huge cell
            raise _Bad(_("Cột “%(col)s”: dài quá %(n)d ký tự.") % {"col": col.header, "n": _LIMITS[key]})
        if key in ("assigned_on", "deadline", "completed_on"):
            return _date(raw, col)
        if key == "quality_met":
            if isinstance(raw, bool):
                return raw
            word = _norm_key(_text(raw)) if raw not in (None, "") else ""
            if not word or word in _YES:
                return True
            if word in _NO:
                return False
            raise _Bad(_("Cột “%(col)s”: “%(value)s” không hợp lệ; ghi Có hoặc Không.") % {"col": col.header, "value": _text(raw)[:100]})
        text = _text(raw)
        if key == "status":
            if not text:
                return ""
            value = self.statuses.get(_norm_key(text))
            if value is None:
                raise _Bad(_("Cột “%(col)s”: “%(value)s” không hợp lệ; dùng một trong: %(allowed)s.") % {
                    "col": col.header, "value": text[:100], "allowed": ", ".join(f"“{s.label}”" for s in TaskStatus)})
            return value
        if len(text) > _LIMITS[key]:
            raise _Bad(_("Cột “%(col)s”: dài quá %(n)d ký tự.") % {"col": col.header, "n": _LIMITS[key]})
        return text

    def parse(self, positions: dict[str, int], row: tuple) -> tuple[dict, list[str]]:
        values, problems = {}, []
        width = len(row)
        for key, index in positions.items():
            try:
                values[key] = self._cell(key, row[index] if index < width else None)
            except _Bad as exc:
                problems.append(str(exc))
        for key in ("title", "deadline", "status"):
            if key in values and values[key] in (None, ""):
                problems.append(_("Cột “%(col)s”: thiếu giá trị bắt buộc.") % {"col": _COLS[key].header})
        codes_read = all(k in values for k in ("member", "organisation") if k in positions)
        if codes_read and bool(values.get("member")) == bool(values.get("organisation")):
            problems.append(_("Ghi mã đảng viên hoặc mã tổ chức (chỉ một trong hai)."))
        if not problems:
            problems += check_task(title=values["title"], deadline=values["deadline"], status=values["status"],
                                   completed_on=values.get("completed_on"), assigned_on=values.get("assigned_on"),
                                   assigned_by=values.get("assigned_by", ""), evidence=values.get("evidence", ""),
                                   today=self.today)
        return values, problems

    def resolve(self, batch: list[tuple[int, dict, list[str]]]) -> None:
        """Look up the batch's unknown codes (one query per kind), in the subtree and the scope."""
        for kind in ("member", "organisation"):
            cache = self.known[kind]
            codes = {v[kind] for _n, v, p in batch if not p and v.get(kind) and v[kind] not in cache}
            if not codes:
                continue
            if kind == "member":
                rows = (Member.objects.filter(self.scope.path_q("organisation__path", Action.MANAGE), code__in=codes,
                                              organisation__path__startswith=self.org.path)
                        .values_list("code", "pk", "organisation__path"))
            else:
                rows = (Organisation.objects.filter(self.scope.path_q("path", Action.MANAGE), code__in=codes,
                                                    path__startswith=self.org.path)
                        .values_list("code", "pk", "path"))
            found = {code: (pk, path) for code, pk, path in rows}
            for code in codes:
                cache[code] = found.get(code)
        for _n, values, problems in batch:
            if problems:
                continue
            kind = "member" if values.get("member") else "organisation"
            hit = self.known[kind][values[kind]]
            if hit is None:
                problems.append((_("Không tìm thấy đảng viên có mã “%(code)s” trong đơn vị.") if kind == "member" else
                                 _("Không tìm thấy tổ chức đảng có mã “%(code)s” trong đơn vị.")) % {"code": values[kind]})
            else:
                values["subject"] = (kind, hit[0])
                values["org_path"] = hit[1]

    def rows(self, table, positions: dict[str, int], result: ImportResult | None) -> Iterator[tuple[int, dict, list[str]]]:
        """(row number, values, problems) per non-blank row, codes resolved a batch at a time."""
        batch: list[tuple[int, dict, list[str]]] = []
        for rownum, row in table.rows:
            if _is_blank(row):
                continue
            if result is not None:
                result.rows += 1
            values, problems = self.parse(positions, row)
            batch.append((rownum, values, problems))
            if len(batch) >= BATCH:
                self.resolve(batch)
                yield from batch
                batch = []
        if batch:
            self.resolve(batch)
            yield from batch


def _key(values: dict) -> tuple:
    return (*values["subject"], values["deadline"], hashlib.blake2b(values["title"].encode(), digest_size=8).digest())


def _accept(header: tuple) -> bool:
    keys = {_HEADERS.get(_norm_key(_text(h))) for h in header if h not in (None, "")}
    return "title" in keys and ("member" in keys or "organisation" in keys)


_FIELDS = ("assigned_by", "assigned_on", "status", "quality_met", "completed_on", "evidence")


def _save(batch: list[dict], result: ImportResult, user) -> None:
    by_kind = {"member": [], "organisation": []}
    for v in batch:
        by_kind[v["subject"][0]].append(v)
    new, changed = [], []
    for kind, rows in by_kind.items():
        if not rows:
            continue
        existing = {}
        for t in TaskAssignment.objects.filter(**{f"{kind}_id__in": {v["subject"][1] for v in rows}},
                                               deadline__in={v["deadline"] for v in rows}):
            existing.setdefault((kind, getattr(t, f"{kind}_id"), t.deadline, t.title), t)
        for v in rows:
            fields = {k: v.get(k, TaskAssignment._meta.get_field(k).get_default()) for k in _FIELDS}
            fields["assigned_by"] = fields["assigned_by"] or ""
            fields["evidence"] = fields["evidence"] or ""
            task = existing.get((kind, v["subject"][1], v["deadline"], v["title"]))
            if task is None:
                new.append(TaskAssignment(**{f"{kind}_id": v["subject"][1]}, org_path=v["org_path"], title=v["title"],
                                          deadline=v["deadline"], created_by=user, **fields))
            elif any(getattr(task, k) != val for k, val in fields.items()):
                for k, val in fields.items():
                    setattr(task, k, val)
                changed.append(task)
            else:
                result.unchanged += 1
    TaskAssignment.objects.bulk_create(new)
    TaskAssignment.objects.bulk_update(changed, list(_FIELDS))
    result.created += len(new)
    result.updated += len(changed)


def task_import(file, *, actor, organisation: Organisation, filename: str = "", scope: Scope | None = None,
                today: datetime.date | None = None) -> ImportResult:
    """Import a task register file (a path, or an uploaded file) for subjects in
    `organisation`'s subtree that `actor` manages (or `scope`). Returns the result; when it has
    errors nothing was saved."""
    if hasattr(file, "chunks"):  # an upload: to a temporary file, read twice
        suffix = Path(filename or file.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in file.chunks():
                tmp.write(chunk)
            tmp.flush()
            return task_import(Path(tmp.name), actor=actor, organisation=organisation, filename=filename or file.name,
                               scope=scope, today=today)
    path = Path(file)
    filename = filename or path.name
    result = ImportResult(filename=filename)
    reader = _Reader(organisation=organisation, scope=scope or scope_for(actor), today=today or timezone.localdate())
    not_found = _("Không tìm thấy dòng tiêu đề của mẫu nhập nhiệm vụ ở dòng 1 (cần cột “Nhiệm vụ” và “Mã đảng viên” "
                  "hoặc “Mã tổ chức”; hãy dùng tệp mẫu).")
    seen: dict[tuple, int] = {}
    try:
        with open_table(path, filename, accept=_accept, not_found=not_found) as table:
            positions = reader.positions(table.header, result)
            if positions is None:
                return result
            for rownum, values, problems in reader.rows(table, positions, result):
                if not problems:
                    first = seen.setdefault(_key(values), rownum)
                    if first != rownum:
                        problems.append(_("Trùng nhiệm vụ, đối tượng và hạn hoàn thành với dòng %(n)d.") % {"n": first})
                for p in problems:
                    result.error(rownum, p)
    except FileProblem as exc:
        result.error(None, str(exc))
        return result
    if not result.rows:
        result.error(None, _("Tệp không có dòng dữ liệu nào."))
    if not result.ok:
        return result
    del seen
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic(), open_table(path, filename, accept=_accept, not_found=not_found) as table:
            batch = []
            for rownum, values, problems in reader.rows(table, positions, None):
                if problems:  # the file or the scope changed since the check: write nothing
                    raise FileProblem(_("Dòng %(n)d: %(m)s") % {"n": rownum, "m": problems[0]})
                batch.append(values)
                if len(batch) >= BATCH:
                    _save(batch, result, user)
                    batch = []
            if batch:
                _save(batch, result, user)
            audit.record(actor=actor, action="performance.task_import", obj=organisation, org_path=organisation.path,
                         changes={"file": filename, "rows": result.rows, "created": result.created, "updated": result.updated})
    except FileProblem as exc:
        result.created = result.updated = result.unchanged = 0
        result.error(None, str(exc))
    return result


def build_template() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append([c.header for c in COLUMNS])
    ws.append(["DV-VIDU-001", "", "Hoàn thành báo cáo chuyên đề", "Chi ủy", datetime.date(2025, 1, 10),
               datetime.date(2025, 6, 30), "Hoàn thành đúng tiến độ", datetime.date(2025, 6, 20), "Có", "Báo cáo số 12-BC/CB"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[chr(64 + index)].width = max(16, len(col.header) + 4)
        if col.key in ("assigned_on", "deadline", "completed_on"):
            ws.cell(row=2, column=index).number_format = "DD/MM/YYYY"
    notes = wb.create_sheet("Ghi chú")
    notes.append([_("Cột"), _("Giải thích")])
    for col in COLUMNS:
        notes.append([col.header, str(col.note)])
    return spreadsheet.save(wb)
