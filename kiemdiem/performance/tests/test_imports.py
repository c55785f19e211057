"""Import of the task register: a good file, all-or-nothing on bad rows, scope, huge cells."""
from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

from kiemdiem.core.models import AuditEvent
from kiemdiem.organisations.imports import FileProblem, open_table
from kiemdiem.performance import imports
from kiemdiem.performance.models import TaskAssignment

D = datetime.date
HEADER = ["STT", "Mã đảng viên", "Mã tổ chức", "Nhiệm vụ", "Người giao", "Ngày giao", "Hạn hoàn thành", "Tình trạng",
          "Ngày hoàn thành", "Bảo đảm chất lượng", "Minh chứng"]
TODAY = D(2025, 12, 31)


def xlsx(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(cast, tmp_path, content: bytes, name="nhiem-vu.xlsx", org=None, actor=None):
    path = tmp_path / name
    path.write_bytes(content)
    return imports.task_import(path, actor=actor or cast.alice, organisation=org or cast.PX, filename=name, today=TODAY)


GOOD = [
    [1, "DV-002", None, "Xây dựng nghị quyết chuyên đề", "Chi ủy", D(2025, 1, 5), D(2025, 6, 30), "Hoàn thành đúng tiến độ",
     D(2025, 6, 20), "Có", "Nghị quyết số 5-NQ/CB"],
    [2, "DV-003", None, "Vận động quần chúng", "Chi ủy", None, D(2025, 9, 30), "hoan thanh vuot yeu cau", D(2025, 9, 1), "có", ""],
    [3, "dv-x", None, "", None, None, None, None, None, None, None],  # replaced below in the bad file
    [4, None, "C1", "Sơ kết 6 tháng", "Đảng ủy phường", None, "15/07/2025", "LATE", "20/07/2025", "Không", "Báo cáo 3-BC"],
    [5, None, "PX", "Kế hoạch năm", "Quận ủy", None, D(2025, 12, 31), "Đang thực hiện", None, None, None],
]


def test_good_file_imports_and_reimport_is_a_no_op(cast, tmp_path):
    rows = [r for r in GOOD if r[0] != 3]
    result = run(cast, tmp_path, xlsx(HEADER, rows))
    assert result.ok, result.errors
    assert (result.rows, result.created) == (4, 4)
    assert "Đã nhập 4 nhiệm vụ" in result.summary()
    late = TaskAssignment.objects.get(organisation=cast.C1)
    assert (late.status, late.completed_on, late.quality_met, late.org_path) == ("late", D(2025, 7, 20), False, cast.C1.path)
    assert TaskAssignment.objects.get(member=cast.binh).status == "beyond"
    assert AuditEvent.objects.filter(action="performance.task_import").count() == 1
    again = run(cast, tmp_path, xlsx(HEADER, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    rows[0] = rows[0][:9] + ["Không", "Nghị quyết số 5-NQ/CB"]
    third = run(cast, tmp_path, xlsx(HEADER, rows))
    assert (third.created, third.updated) == (0, 1) and TaskAssignment.objects.count() == 4


def test_csv_with_semicolons_and_codes(cast, tmp_path):
    body = ("Mã đảng viên;Nhiệm vụ;Hạn hoàn thành;Tình trạng;Ngày hoàn thành\n"
            "DV-002;Nhiệm vụ một;30/06/2025;on_time;30/06/2025\n"
            "DV-001;Nhiệm vụ hai;30/06/2025;not_done;\n")
    result = run(cast, tmp_path, body.encode("utf-8-sig"), name="nv.csv")
    assert result.ok, result.errors
    assert TaskAssignment.objects.count() == 2


def test_bad_rows_are_all_listed_and_nothing_is_saved(cast, tmp_path):
    rows = [
        GOOD[0],
        [2, "DV-003", None, "Không có hạn", None, None, None, "Đang thực hiện", None, None, None],
        [3, "DV-003", "C1", "Hai đối tượng", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None],
        [4, "DV-003", None, "Sai tình trạng", None, None, D(2025, 5, 1), "xong rồi", None, None, None],
        [5, "DV-003", None, "Đúng hạn nhưng trễ", None, None, D(2025, 5, 1), "Hoàn thành đúng tiến độ", D(2025, 5, 9), None, None],
        [6, "DV-003", None, "Chưa có ngày", None, None, D(2025, 5, 1), "Hoàn thành chậm tiến độ", None, None, None],
        [7, "DV-404", None, "Mã lạ", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None],
        [8, "DV-002", None, "Xây dựng nghị quyết chuyên đề", None, None, D(2025, 6, 30), "Đang thực hiện", None, None, None],
        [9, "DV-003", None, "Chất lượng?", None, None, D(2025, 5, 1), "Đang thực hiện", None, "tạm được", None],
        [10, "DV-003", None, "Ngày sai", None, "31/02/2025", D(2025, 5, 1), "Đang thực hiện", None, None, None],
    ]
    result = run(cast, tmp_path, xlsx(HEADER, rows))
    assert not result.ok and TaskAssignment.objects.count() == 0
    by_row = {}
    for row, message in result.errors:
        by_row.setdefault(row, []).append(message)
    assert set(by_row) == {3, 4, 5, 6, 7, 8, 9, 10, 11}  # spreadsheet rows (header = 1); row 2 is good
    assert "Hạn hoàn thành" in by_row[3][0]
    assert "chỉ một trong hai" in by_row[4][0]
    assert "xong rồi" in by_row[5][0]
    assert "chậm tiến độ" in by_row[6][0]
    assert "cần ngày hoàn thành" in by_row[7][0]
    assert "DV-404" in by_row[8][0]
    assert "dòng 2" in by_row[9][0]
    assert "Có hoặc Không" in by_row[10][0]
    assert "31/02/2025" in by_row[11][0]
    assert result.messages()[0].startswith("Dòng 3: ")
    assert "không dòng nào được lưu" in result.summary()


def test_out_of_scope_codes_read_like_unknown_codes(cast, tmp_path):
    rows = [
        [1, "DV-005", None, "Ở nhánh khác", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None],
        [2, None, "QA", "Cấp trên của đơn vị", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None],
        [3, "DV-004", None, "Chi bộ 2 khi nhập cho chi bộ 1", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None],
    ]
    result = run(cast, tmp_path, xlsx(HEADER, rows), org=cast.C1)
    assert [row for row, _m in result.errors] == [2, 3, 4]
    assert "Không tìm thấy đảng viên có mã “DV-005” trong đơn vị." == result.errors[0][1]
    assert "“QA”" in result.errors[1][1]
    # carol manages QB: PX is not hers, nothing of it can be imported through her scope
    ok_row = [[1, "DV-002", None, "Nhiệm vụ", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None]]
    assert not run(cast, tmp_path, xlsx(HEADER, ok_row), actor=cast.carol).ok
    assert not run(cast, tmp_path, xlsx(HEADER, ok_row), actor=cast.bob).ok  # a viewer manages nothing
    assert TaskAssignment.objects.count() == 0


def test_huge_cells_are_row_errors(cast, tmp_path):
    huge = "x" * 200_000
    rows = [
        [1, "DV-002", None, huge, None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None],
        [2, "DV-002", None, "Bình thường", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, huge],
        [3, "DV-002", None, "Ngày", None, None, huge, "Đang thực hiện", None, None, None],
    ]
    result = run(cast, tmp_path, xlsx(HEADER, rows))
    assert [row for row, _m in result.errors] == [2, 3, 4]
    assert all("dài quá" in m and len(m) < 300 for _r, m in result.errors)
    # a CSV cell beyond the csv module's field limit: the file is refused naming the row
    body = "Mã đảng viên,Nhiệm vụ,Hạn hoàn thành,Tình trạng\nDV-002,Một,01/05/2025,pending\nDV-002,\"" + "y" * 200_000 + "\",01/05/2025,pending\n"
    result = run(cast, tmp_path, body.encode(), name="nv.csv")
    assert not result.ok and "Dòng 3" in result.messages()[0]
    assert TaskAssignment.objects.count() == 0


def test_unusable_files(cast, tmp_path):
    assert "Thiếu cột “Hạn hoàn thành”" in " ".join(
        m for _r, m in run(cast, tmp_path, xlsx(["Mã đảng viên", "Nhiệm vụ", "Tình trạng"], [["DV-002", "a", "pending"]])).errors)
    assert "dòng tiêu đề" in run(cast, tmp_path, xlsx(["A", "B"], [[1, 2]])).errors[0][1]
    assert "không có dòng dữ liệu" in run(cast, tmp_path, xlsx(HEADER, [])).errors[0][1]
    assert ".xlsx hoặc .csv" in run(cast, tmp_path, b"abc", name="a.txt").errors[0][1]
    assert "Excel" in run(cast, tmp_path, b"PK\x03\x04 broken", name="a.xlsx").errors[0][1]


def test_rows_are_streamed(cast, tmp_path):
    """The reader hands out rows one at a time (nothing holds the whole file)."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx(HEADER, [GOOD[0]] * 3))
    with open_table(path, "a.xlsx", accept=lambda h: True, not_found="x") as table:
        assert not isinstance(table.rows, (list, tuple))
        assert next(table.rows)[0] == 2
    with pytest.raises(FileProblem, match="không thấy"):
        with open_table(path, "a.xlsx", accept=lambda h: False, not_found="không thấy"):
            pass


def test_a_row_that_fails_while_saving_rolls_everything_back(cast, tmp_path, monkeypatch):
    """The second pass re-checks each row; a change in between (here: the scope) writes nothing."""
    rows = [[i, "DV-002", None, f"Nhiệm vụ {i}", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None]
            for i in range(1, 2000)] + [[0, "DV-003", None, "Cuối", None, None, D(2025, 5, 1), "Đang thực hiện", None, None, None]]
    original = imports._Reader.resolve
    calls = []

    def resolve(self, batch):
        calls.append(len(batch))
        if len(calls) == 5:  # the last batch of the second pass
            self.known["member"]["DV-003"] = None
        return original(self, batch)

    monkeypatch.setattr(imports._Reader, "resolve", resolve)
    result = run(cast, tmp_path, xlsx(HEADER, rows))
    assert calls == [900, 900, 200, 900, 900, 200][:len(calls)] and not result.ok
    assert "Dòng 2001" in result.messages()[0] and TaskAssignment.objects.count() == 0
