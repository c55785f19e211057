"""Imports of attendance and dues: bad rows saved nowhere, each reported (row number, reason);
re-import is a no-op; the template downloads and its format imports."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kiemdiem.core.models import AuditEvent
from kiemdiem.remediation import imports
from kiemdiem.remediation.models import CellMeeting, DuesPayment, MeetingAttendance

D = datetime.date
ATT_HEADER = ["Ngày họp", "Loại", "Mã đảng viên", "Tình trạng"]
DUES_HEADER = ["Mã đảng viên", "Tháng", "Số tiền", "Ngày nộp"]


def xlsx(header, rows, extra_sheet=True) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    if extra_sheet:  # a notes sheet first: the data sheet is found by its headers
        wb.active.title = "Ghi chú"
        wb.active.append(["Ghi chú"])
        ws = wb.create_sheet("Dữ liệu")
    else:
        ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(cast, tmp_path, kind, content: bytes, name="tep.xlsx", cell=None):
    path = tmp_path / name
    path.write_bytes(content)
    return imports.import_file(path, kind=kind, cell=cell or cast.C1, actor=cast.alice, filename=name, today=D(2025, 12, 31))


GOOD_ATT = [
    [D(2025, 3, 5), "Thường kỳ", "DV-001", "Có mặt"],
    [D(2025, 3, 5), "thuong ky", "DV-002", "Vắng có lý do"],
    ["05/03/2025", "Thường kỳ", "DV-003", "vắng không lý do"],
    ["20/03/2025", "Chuyên đề", "DV-001", "Có mặt"],
]


def test_attendance_import_and_reimport_is_a_noop(cast, tmp_path):
    content = xlsx(ATT_HEADER, GOOD_ATT)
    result = run(cast, tmp_path, imports.ATTENDANCE, content)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (4, 0)
    assert CellMeeting.objects.filter(organisation=cast.C1).count() == 2
    statuses = dict(MeetingAttendance.objects.filter(meeting__kind="regular").values_list("member__code", "status"))
    assert statuses == {"DV-001": "present", "DV-002": "excused", "DV-003": "unexcused"}
    before = list(MeetingAttendance.objects.order_by("pk").values_list())
    events = AuditEvent.objects.count()
    again = run(cast, tmp_path, imports.ATTENDANCE, content)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert list(MeetingAttendance.objects.order_by("pk").values_list()) == before
    assert CellMeeting.objects.count() == 2
    assert AuditEvent.objects.count() == events + 1  # one summary, no row changes
    # a changed status updates that row only
    changed = [list(r) for r in GOOD_ATT]
    changed[1][3] = "Có mặt"
    third = run(cast, tmp_path, imports.ATTENDANCE, xlsx(ATT_HEADER, changed))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)


def test_attendance_bad_rows_each_reported_nothing_saved(cast, tmp_path):
    rows = [
        [D(2025, 3, 5), "Thường kỳ", "DV-001", "Có mặt"],  # row 2: fine
        ["31/02/2025", "Thường kỳ", "DV-002", "Có mặt"],  # 3: bad date
        [D(2025, 3, 5), "Họp mặt", "DV-002", "Có mặt"],  # 4: bad kind
        [D(2025, 3, 5), "Thường kỳ", "DV-005", "Có mặt"],  # 5: member of another cell
        [D(2025, 3, 5), "Thường kỳ", "DV-003", "Đi muộn"],  # 6: bad status
        [D(2025, 3, 5), "Thường kỳ", "DV-001", "Vắng có lý do"],  # 7: duplicate of row 2
        [D(2025, 3, 5), "Thường kỳ", "", "Có mặt"],  # 8: blank code
        [D(2099, 1, 1), "Thường kỳ", "DV-003", "Có mặt"],  # 9: future
    ]
    result = run(cast, tmp_path, imports.ATTENDANCE, xlsx(ATT_HEADER, rows))
    assert not result.ok
    by_row = {}
    for row, message in result.errors:
        by_row.setdefault(row, []).append(message)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert "không phải ngày hợp lệ" in by_row[3][0]
    assert "Họp mặt" in by_row[4][0] and "Thường kỳ" in by_row[4][0]
    assert "DV-005" in by_row[5][0] and "chi bộ này" in by_row[5][0]
    assert "Đi muộn" in by_row[6][0]
    assert "Trùng với dòng 2" in by_row[7][0]
    assert "không được để trống" in by_row[8][0]
    assert "tương lai" in by_row[9][0]
    assert not CellMeeting.objects.exists() and not MeetingAttendance.objects.exists()
    assert "không dòng nào được lưu" in result.summary()


def test_missing_and_unknown_columns_and_bad_files(cast, tmp_path):
    result = run(cast, tmp_path, imports.ATTENDANCE, "Ngày họp,Loại,Mã đảng viên,Ghi chú\n05/03/2025,Thường kỳ,DV-001,x\n".encode(),
                 name="a.csv")
    assert any("Thiếu cột “Tình trạng”" in m for _r, m in result.errors)
    result = run(cast, tmp_path, imports.DUES, b"PK\x03\x04 not really", name="b.xlsx")
    assert not result.ok and result.errors[0][0] is None
    result = run(cast, tmp_path, imports.DUES, xlsx(ATT_HEADER, []))
    assert "Đảng phí" in result.errors[0][1]
    assert not DuesPayment.objects.exists()


def test_dues_import_csv_and_reimport(cast, tmp_path):
    body = ("Mã đảng viên;Tháng;Số tiền;Ngày nộp\n"
            "DV-001;01/2025;50.000;05/01/2025\n"
            "DV-001;02/2025;50000;2025-02-05\n"
            "DV-002;01/2025;30000;05/01/2025\n").encode()
    result = run(cast, tmp_path, imports.DUES, body, name="dang-phi.csv")
    assert result.ok, result.errors
    assert DuesPayment.objects.count() == 3
    assert DuesPayment.objects.get(member=cast.members["dave"], month=D(2025, 1, 1)).amount == 50000
    again = run(cast, tmp_path, imports.DUES, body, name="dang-phi.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_dues_bad_rows(cast, tmp_path):
    rows = [
        ["DV-001", "01/2025", 50000, D(2025, 1, 5)],  # 2 fine
        ["DV-001", "13/2025", 50000, D(2025, 1, 5)],  # 3 bad month
        ["DV-002", "01/2025", -5, D(2025, 1, 5)],  # 4 bad amount
        ["DV-002", "02/2025", "năm mươi", D(2025, 1, 5)],  # 5 bad amount
        ["KHONG-CO", "01/2025", 50000, D(2025, 1, 5)],  # 6 unknown member
        ["DV-001", "01/2025", 60000, D(2025, 1, 6)],  # 7 duplicate of 2
        ["DV-003", "01/2026", 50000, D(2025, 12, 5)],  # 8 future month
    ]
    result = run(cast, tmp_path, imports.DUES, xlsx(DUES_HEADER, rows))
    rows_with_errors = sorted({r for r, _m in result.errors})
    assert rows_with_errors == [3, 4, 5, 6, 7, 8]
    assert all(m for _r, m in result.errors)
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize("kind", ["attendance", "dues"])
def test_template_downloads_and_its_format_imports(cast, client_for, tmp_path, kind):
    from openpyxl import load_workbook

    resp = client_for(cast.bob).get(reverse("remediation_import_template", args=[kind]))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == (ATT_HEADER if kind == "attendance" else DUES_HEADER)
    # the example row names a member that does not exist: reported, nothing saved
    result = run(cast, tmp_path, kind, resp.content)
    assert [r for r, _m in result.errors] == [2] and "DV-VIDU-001" in result.errors[0][1]
    # with a real code it imports
    code_col = header.index("Mã đảng viên") + 1
    ws.cell(row=2, column=code_col, value="DV-001")
    buf = io.BytesIO()
    wb.save(buf)
    assert run(cast, tmp_path, kind, buf.getvalue()).ok


def test_import_page(cast, client_for):
    url = reverse("remediation_import", args=[cast.C1.pk, "attendance"])
    bob, alice = client_for(cast.bob), client_for(cast.alice)
    assert bob.get(url).status_code == 403
    assert client_for(cast.users["eve"]).get(url).status_code == 404
    assert alice.get(reverse("remediation_import", args=[cast.C1.pk, "khac"])).status_code == 404
    bad = xlsx(ATT_HEADER, [[D(2025, 3, 5), "Thường kỳ", "DV-001", "Có mặt"], [D(2025, 3, 5), "Thường kỳ", "DV-404", "Có mặt"]])
    resp = alice.post(url, {"file": SimpleUploadedFile("du-hop.xlsx", bad)})
    page = resp.content.decode()
    assert resp.status_code == 200 and "DV-404" in page and "<td class=\"num\">3</td>" in page
    assert not MeetingAttendance.objects.exists()
    good = xlsx(ATT_HEADER, [[D(2025, 3, 5), "Thường kỳ", "DV-001", "Có mặt"]])
    resp = alice.post(url, {"file": SimpleUploadedFile("du-hop.xlsx", good)})
    assert resp.status_code == 302 and MeetingAttendance.objects.count() == 1
    dues = reverse("remediation_import", args=[cast.C1.pk, "dues"])
    resp = alice.post(dues, {"file": SimpleUploadedFile("dp.csv", "Mã đảng viên,Tháng,Số tiền,Ngày nộp\nDV-001,03/2025,50000,05/03/2025\n".encode())})
    assert resp.status_code == 302 and DuesPayment.objects.count() == 1
