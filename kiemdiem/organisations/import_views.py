"""Pages to import organisations and members from a file (see imports.py), and the XLSX
template to fill in."""
from __future__ import annotations

import datetime
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kiemdiem.core import spreadsheet
from kiemdiem.core.models import Job

from . import access
from . import jobs as import_jobs
from .access import Action
from .choices import Gender, Occupation, OrgKind, PartyStatus
from .imports import DATE_KEYS, MEMBER_COLUMNS, MEMBERS, ORG_COLUMNS, ORGS, SHEET_TITLES

ALLOWED_SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = getattr(settings, "KIEMDIEM_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("Tệp dữ liệu (.xlsx hoặc .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix == ".xls":
            raise forms.ValidationError(_("Tệp .xls (Excel 97–2003) không được hỗ trợ; hãy mở bằng Excel và lưu lại dạng .xlsx."))
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size)d MB); tối đa %(max)d MB.")
                % {"size": upload.size // (1024 * 1024), "max": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        head = upload.read(4)
        upload.seek(0)
        if suffix == ".xlsx" and head != b"PK\x03\x04":  # an .xlsx file is a zip archive
            raise forms.ValidationError(_("Tệp không phải tệp Excel .xlsx hợp lệ."))
        return upload


def _column_help() -> list[tuple[str, list]]:
    return [(SHEET_TITLES[ORGS], ORG_COLUMNS), (SHEET_TITLES[MEMBERS], MEMBER_COLUMNS)]


@login_required
def org_import(request, org_id: int):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_valid():
        upload = form.cleaned_data["file"]
        stored = import_jobs.store_upload(upload.chunks(), Path(upload.name).suffix.lower())
        job = import_jobs.start_import(user=request.user, stored=stored, filename=upload.name[:200], org=org)
        return redirect("job_detail", job.pk)
    context = {
        "org": org,
        "form": form,
        "sections": _column_help(),
        "background_rows": settings.KIEMDIEM_IMPORT_BACKGROUND_ROWS,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "recent": Job.objects.filter(kind=import_jobs.IMPORT_JOB, created_by=request.user)[:5],
    }
    return render(request, "organisations/import.html", context)


# --- the template workbook -----------------------------------------------------------------

_EXAMPLE_ORG = {"code": "CB-VIDU", "name": "Chi bộ Ví dụ", "kind": "Chi bộ", "parent": "DB-CAPTREN",
                "founded": datetime.date(2015, 3, 20)}
_EXAMPLE_MEMBER = {
    "code": "DV-VIDU-001", "full_name": "Nguyễn Văn An", "gender": "Nam", "birth_date": datetime.date(1985, 5, 1),
    "citizen_id": "001085012345", "phone": "0912345678", "email": "an.nguyen@example.vn", "status": "Chính thức",
    "admitted_on": datetime.date(2010, 2, 3), "official_on": datetime.date(2011, 2, 3),
    "occupation": "Trong hệ thống chính trị", "cell": "CB-VIDU",
}
_TEXT_KEYS = {"code", "parent", "cell", "citizen_id", "phone"}  # kept as text so leading zeros stay
_LIST_KEYS = {"kind": OrgKind, "gender": Gender, "status": PartyStatus, "occupation": Occupation}
_LISTS_TITLE = "Danh mục"


def build_template() -> bytes:
    """The import template: one sheet per kind with its headers and an example row, a
    "Danh mục" sheet with the allowed values (also used as drop-down lists), and notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F4CCCC")
    wb = Workbook()
    wb.remove(wb.active)

    lists = {}  # key -> range of its allowed values on the lists sheet
    with translation.override("vi"):  # the values the importer is sure to accept
        lists_sheet_values = {key: [str(label) for label in choices.labels] for key, choices in _LIST_KEYS.items()}
    list_headers = {"kind": "Loại tổ chức", "gender": "Giới tính", "status": "Tình trạng", "occupation": "Đối tượng"}

    for kind, columns, example in ((ORGS, ORG_COLUMNS, _EXAMPLE_ORG), (MEMBERS, MEMBER_COLUMNS, _EXAMPLE_MEMBER)):
        ws = wb.create_sheet(SHEET_TITLES[kind])
        ws.append([c.header for c in columns])
        ws.append([example.get(c.key) for c in columns])
        ws.freeze_panes = "A2"
        for index, col in enumerate(columns, start=1):
            letter = get_column_letter(index)
            head = ws.cell(row=1, column=index)
            head.font = bold
            if col.required:
                head.fill = fill
            ws.column_dimensions[letter].width = max(14, len(col.header) + 4)
            cell = ws.cell(row=2, column=index)
            if col.key in DATE_KEYS:
                ws.column_dimensions[letter].number_format = "DD/MM/YYYY"
                cell.number_format = "DD/MM/YYYY"
            elif col.key in _TEXT_KEYS:
                ws.column_dimensions[letter].number_format = "@"
                cell.number_format = "@"
            if col.key in _LIST_KEYS:
                lists[(kind, col.key)] = letter
        ws.column_dimensions["B"].width = 28

    ls = wb.create_sheet(_LISTS_TITLE)
    refs = {}
    for index, key in enumerate(_LIST_KEYS, start=1):
        letter = get_column_letter(index)
        ls.cell(row=1, column=index, value=list_headers[key]).font = bold
        for row, value in enumerate(lists_sheet_values[key], start=2):
            ls.cell(row=row, column=index, value=value)
        ls.column_dimensions[letter].width = 32
        refs[key] = f"'{_LISTS_TITLE}'!${letter}$2:${letter}${len(lists_sheet_values[key]) + 1}"
    for (kind, key), letter in lists.items():
        ws = wb[SHEET_TITLES[kind]]
        # a drop-down, but other spellings (codes, unaccented) are accepted too: warn only
        check = DataValidation(type="list", formula1=refs[key], allow_blank=True, errorStyle="warning")
        check.add(f"{letter}2:{letter}1048576")
        ws.add_data_validation(check)

    notes = wb.create_sheet("Ghi chú")
    notes.append([_("Trang"), _("Cột"), _("Bắt buộc"), _("Giải thích")])
    for cell in notes[1]:
        cell.font = bold
    for kind, columns in ((ORGS, ORG_COLUMNS), (MEMBERS, MEMBER_COLUMNS)):
        for col in columns:
            notes.append([SHEET_TITLES[kind], col.header, _("Có") if col.required else "", str(col.note)])
    notes.append([])
    for line in (
        _("Dòng 1 của mỗi trang là dòng tiêu đề; giữ nguyên tên cột (có dấu hoặc không dấu, hoa thường đều được)."),
        _("Xóa các dòng ví dụ trước khi nhập. Cột “STT” hoặc “Ghi chú” nếu thêm sẽ được bỏ qua."),
        _("Tệp có bất kỳ lỗi nào thì không dòng nào được lưu; trang kết quả liệt kê từng dòng lỗi và lý do."),
        _("Nhập lại cùng một tệp không thay đổi gì: các dòng được đối chiếu theo mã, chỉ cập nhật giá trị khác đi."),
        _("Có thể nhập riêng trang “Tổ chức” hoặc “Đảng viên”, hoặc tệp CSV (UTF-8) có dòng tiêu đề của một trong hai trang."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 22
    notes.column_dimensions["C"].width = 10
    notes.column_dimensions["D"].width = 100
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")

    return spreadsheet.save(wb)


@login_required
def import_template(request):
    response = HttpResponse(build_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-to-chuc-dang-vien.xlsx"'
    return response
