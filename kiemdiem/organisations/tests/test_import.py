"""XLSX/CSV import of organisations and members (imports.py, jobs.py, import_views.py)."""
from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from kiemdiem.core.models import AuditEvent, Job
from kiemdiem.organisations import imports
from kiemdiem.organisations.choices import MembershipKind, OrgEventKind
from kiemdiem.organisations.models import Member, Membership, OrgEvent, Organisation, OrgPlacement

D = datetime.date
ORG_HEADER = ["Mã", "Tên", "Loại", "Mã cấp trên", "Ngày thành lập"]
MEMBER_HEADER = [
    "Mã đảng viên", "Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Điện thoại", "Email", "Tình trạng",
    "Ngày vào Đảng", "Ngày chính thức", "Đối tượng", "Mã chi bộ",
]

ORGS = [
    ["PZ", "Đảng bộ phường Z", "Đảng bộ cơ sở", "QA", D(2001, 1, 1)],
    ["CZ1", "Chi bộ Z1", "Chi bộ", "PZ", "15/02/2002"],  # parent defined on the row above
    ["CZ2", "Chi bộ Z2", "cell", "PX", None],  # internal code accepted; no date -> today
]
MEMBERS = [
    ["DV-101", "Nguyễn Thị Hoa", "Nữ", D(1985, 5, 1), "001085000101", "0912345678", "hoa@example.vn", "Chính thức",
     D(2010, 2, 3), D(2011, 2, 3), "Trong hệ thống chính trị", "CZ1"],
    ["DV-102", "Trần Văn Nam", "Nam", "02/09/1990", None, None, None, "Dự bị", "2024-01-15", None, None, "CZ2"],
    ["DV-103", "Lê Văn Tâm", "nam", D(1970, 1, 1), "001070000103", None, None, "chinh thuc", D(1995, 1, 1),
     D(1996, 1, 1), "Nghỉ hưu", "C1"],
]


def write_xlsx(path: Path, orgs=None, members=None, org_header=ORG_HEADER, member_header=MEMBER_HEADER) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if orgs is not None:
        ws = wb.create_sheet("Tổ chức")
        ws.append(org_header)
        for row in orgs:
            ws.append(row)
    if members is not None:
        ws = wb.create_sheet("Đảng viên")
        ws.append(member_header)
        for row in members:
            ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def good_file(tmp_path):
    return write_xlsx(tmp_path / "du-lieu.xlsx", ORGS, MEMBERS)


def run(path, user):
    return imports.import_file(path, actor=user)


# --- the import itself ---------------------------------------------------------------------

def test_a_good_file_creates_organisations_and_members(cast, good_file):
    result = run(good_file, cast.alice)

    assert result.ok, result.errors
    assert (result.orgs_created, result.members_created, result.updated) == (3, 3, 0)
    pz, cz1, cz2 = (Organisation.objects.get(code=c) for c in ("PZ", "CZ1", "CZ2"))
    # paths and depths exactly as services.organisation_create makes them
    assert pz.path == f"{cast.QA.path}{pz.pk}." and pz.depth == cast.QA.depth + 1
    assert cz1.path == f"{pz.path}{cz1.pk}." and cz1.parent == pz and cz1.founded == D(2002, 2, 15)
    assert cz2.path == f"{cast.PX.path}{cz2.pk}." and cz2.founded == timezone.localdate()
    assert cz2.kind == "cell" and cz1.search_key == "chi bo z1 cz1"
    for org in (pz, cz1, cz2):
        placement = OrgPlacement.objects.get(organisation=org)
        assert (placement.path, placement.parent_id, placement.valid_from, placement.valid_to) == (
            org.path, org.parent_id, org.founded, None)
        assert OrgEvent.objects.filter(organisation=org, kind=OrgEventKind.CREATE).count() == 1

    hoa = Member.objects.get(code="DV-101")
    assert (hoa.full_name, hoa.gender, hoa.birth_date, hoa.citizen_id, hoa.status) == (
        "Nguyễn Thị Hoa", "female", D(1985, 5, 1), "001085000101", "official")
    assert hoa.organisation == cz1 and hoa.search_key == "nguyen thi hoa dv-101" and hoa.sort_key
    membership = Membership.objects.get(member=hoa)
    assert (membership.organisation, membership.kind, membership.start, membership.end, membership.org_path) == (
        cz1, MembershipKind.OFFICIAL, D(2010, 2, 3), None, cz1.path)
    nam = Member.objects.get(code="DV-102")
    assert (nam.status, nam.admitted_on, nam.citizen_id, nam.official_on, nam.occupation) == (
        "probationary", D(2024, 1, 15), None, None, "political_system")
    tam = Member.objects.get(code="DV-103")
    assert tam.organisation == cast.C1 and tam.occupation == "retired"

    # one summary audit event per kind, not one per row
    org_audit = AuditEvent.objects.get(action="import.organisations")
    assert org_audit.changes == {"file": "du-lieu.xlsx", "created": 3, "updated": 0}
    assert org_audit.actor == cast.alice and org_audit.org_path == cast.QA.path
    member_audit = AuditEvent.objects.get(action="import.members")
    assert member_audit.changes["created"] == 3 and member_audit.org_path == cast.QA.path
    assert not AuditEvent.objects.filter(action__in=["member.create", "organisation.create"], actor=cast.alice).exists()


def test_importing_the_same_file_again_changes_nothing(cast, good_file):
    assert run(good_file, cast.alice).ok
    counts = [m.objects.count() for m in (Organisation, Member, Membership, OrgPlacement, OrgEvent, AuditEvent)]

    again = run(good_file, cast.alice)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert [m.objects.count() for m in (Organisation, Member, Membership, OrgPlacement, OrgEvent, AuditEvent)] == counts
    assert "0 thêm mới" in again.summary()


def test_changed_rows_are_updated_and_a_new_cell_is_a_transfer(cast, good_file, tmp_path):
    assert run(good_file, cast.alice).ok
    members = [list(r) for r in MEMBERS]
    members[0][1] = "Nguyễn Thị Hoa Mai"  # renamed
    members[1][11] = "C2"  # moved to another cell
    orgs = [list(r) for r in ORGS]
    orgs[2][1] = "Chi bộ Z2 mới"
    audits = AuditEvent.objects.count()

    result = run(write_xlsx(tmp_path / "lan-2.xlsx", orgs, members), cast.alice)

    assert result.ok, result.errors
    assert (result.orgs_updated, result.members_updated, result.members_transferred, result.created) == (1, 2, 1, 0)
    hoa = Member.objects.get(code="DV-101")
    assert hoa.full_name == "Nguyễn Thị Hoa Mai" and hoa.search_key == "nguyen thi hoa mai dv-101"
    nam = Member.objects.get(code="DV-102")
    assert nam.organisation == cast.C2
    old, new = Membership.objects.filter(member=nam).order_by("start", "id")
    today = timezone.localdate()
    assert old.organisation.code == "CZ2" and old.end == today
    assert (new.organisation, new.start, new.end, new.org_path) == (cast.C2, today, None, cast.C2.path)
    assert Organisation.objects.get(code="CZ2").name == "Chi bộ Z2 mới"
    assert OrgEvent.objects.filter(organisation__code="CZ2", kind=OrgEventKind.RENAME).count() == 1
    assert AuditEvent.objects.count() == audits + 2
    assert AuditEvent.objects.get(action="import.members", changes__updated=2).changes["transferred"] == 1


def test_a_file_with_errors_saves_nothing_and_lists_every_bad_row(cast, tmp_path):
    orgs = [
        ["NEW1", "Chi bộ mới 1", "Chi bộ", "PX", None],  # fine on its own
        ["NEW2", "Chi bộ mới 2", "Loại lạ", "PX", None],  # row 3: unknown kind
        ["NEW3", "Chi bộ mới 3", "Chi bộ", "KHONG-CO", None],  # row 4: unknown parent
        ["NEW1", "Trùng mã", "Chi bộ", "PX", None],  # row 5: duplicate code
    ]
    members = [
        ["DV-201", "Người Tốt", "Nam", D(1980, 1, 1), None, None, None, "Chính thức", D(2005, 1, 1), None, None, "NEW1"],
        ["DV-202", "Ngày Sai", "Nam", "31/02/1980", None, None, None, "Chính thức", D(2005, 1, 1), None, None, "C1"],
        ["DV-203", "Giới Lạ", "Khác", D(1980, 1, 1), None, None, None, "Chính thức", D(2005, 1, 1), None, None, "C1"],
        [None, None, None, None, None, None, None, None, None, None, None, None],  # blank row 5: skipped
        ["DV-201", "Mã Trùng", "Nam", D(1980, 1, 1), None, None, None, "Chính thức", D(2005, 1, 1), None, None, "C1"],
        ["DV-205", "Chi Bộ Lạ", "Nam", D(1980, 1, 1), None, None, None, "Chính thức", D(2005, 1, 1), None, None, "ZZ"],
        ["DV-206", "Không Phải Chi Bộ", "Nam", D(1980, 1, 1), None, None, None, "Chính thức", D(2005, 1, 1), None, None, "PX"],
        ["DV-207", "CCCD Ngắn", "Nam", D(1980, 1, 1), "12345", None, "khong-phai-email", "Chính thức", D(2005, 1, 1), None, None, "C1"],
        ["DV-208", "Thiếu Tên", "Nam", D(1980, 1, 1), None, None, None, "Dự bị", D(2005, 1, 1), D(2006, 1, 1), None, "C1"],
        ["DV-209", "", "Nam", D(1980, 1, 1), None, None, None, "Chính thức", D(2005, 1, 1), None, None, "C1"],
    ]
    before = (Organisation.objects.count(), Member.objects.count(), Membership.objects.count(), AuditEvent.objects.count())

    result = run(write_xlsx(tmp_path / "loi.xlsx", orgs, members), cast.alice)

    assert not result.ok
    assert (Organisation.objects.count(), Member.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before
    found = {(e["sheet"], e["row"]) for e in result.errors}
    assert found == {
        ("Tổ chức", 3), ("Tổ chức", 4), ("Tổ chức", 5),
        ("Đảng viên", 3), ("Đảng viên", 4), ("Đảng viên", 6), ("Đảng viên", 7), ("Đảng viên", 8),
        ("Đảng viên", 9), ("Đảng viên", 10), ("Đảng viên", 11),
    }
    messages = {(e["sheet"], e["row"]): [] for e in result.errors}
    for e in result.errors:
        messages[(e["sheet"], e["row"])].append(e["message"])
    assert "Cột “Loại”: “Loại lạ” không hợp lệ" in messages[("Tổ chức", 3)][0]
    assert "không có tổ chức mã “KHONG-CO”" in messages[("Tổ chức", 4)][0]
    assert messages[("Tổ chức", 5)] == ["Cột “Mã”: “NEW1” trùng với dòng 2 của tệp."]
    assert "Cột “Ngày sinh”: “31/02/1980” không phải ngày hợp lệ" in messages[("Đảng viên", 3)][0]
    assert "Cột “Giới tính”: “Khác” không hợp lệ; dùng một trong: “Nam”, “Nữ”." in messages[("Đảng viên", 4)][0]
    assert messages[("Đảng viên", 6)] == ["Cột “Mã đảng viên”: “DV-201” trùng với dòng 2 của tệp."]
    assert messages[("Đảng viên", 7)] == ["Cột “Mã chi bộ”: không có tổ chức mã “ZZ”."]
    assert "không phải chi bộ hoặc chi bộ cơ sở" in messages[("Đảng viên", 8)][0]
    assert len(messages[("Đảng viên", 9)]) == 2  # citizen id and email
    assert "12 chữ số" in messages[("Đảng viên", 9)][0] and "email" in messages[("Đảng viên", 9)][1]
    assert "đảng viên dự bị chưa có ngày chính thức" in messages[("Đảng viên", 10)][0]
    assert messages[("Đảng viên", 11)] == ["Cột “Họ và tên”: thiếu giá trị bắt buộc."]
    assert result.summary().startswith("Tệp có 12 lỗi; chưa lưu dữ liệu nào.")
    # listed in sheet order, then row order
    assert [e["row"] for e in result.errors if e["sheet"] == "Đảng viên"] == sorted(
        e["row"] for e in result.errors if e["sheet"] == "Đảng viên")


def test_header_problems_are_reported_on_row_1(cast, tmp_path):
    header = ["Mã đảng viên", "Họ và tên", "Giới tính", "Ngày sinh", "Tình trạng", "Ngày vào Đảng", "Cột lạ", "STT"]
    result = run(write_xlsx(tmp_path / "h.xlsx", members=[], member_header=header), cast.alice)
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (1, "Cột “Cột lạ” không có trong mẫu nhập."),
        (1, "Thiếu cột bắt buộc “Mã chi bộ”."),
    ]


@pytest.mark.parametrize("damage", ["not a zip", "no workbook", "broken sheet"])
def test_a_file_that_is_not_a_readable_spreadsheet_is_reported(cast, tmp_path, damage):
    import zipfile

    bad = tmp_path / "x.xlsx"
    if damage == "not a zip":
        bad.write_bytes(b"not a zip")
    else:
        good = _excel_style_workbook(tmp_path / "good.xlsx")
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as out:
            for name in src.namelist():
                if damage == "no workbook" and name == "xl/workbook.xml":
                    continue
                data = src.read(name)
                out.writestr(name, data[:-40] if name.endswith("sheet1.xml") and damage == "broken sheet" else data)
    result = run(bad, cast.alice)
    assert result.errors == [{"sheet": "", "row": None, "message": result.errors[0]["message"]}]
    assert result.errors[0]["message"].startswith("Không đọc được tệp Excel (.xlsx): ")
    assert not Member.objects.filter(code="DV-X01").exists()


def test_csv_with_unaccented_headers_and_codes(cast, tmp_path):
    text = (
        "STT;ma dang vien;HO VA TEN;gioi tinh;ngay sinh;so cccd;tinh trang;ngay vao dang;ngay chinh thuc;ma chi bo\n"
        "1;DV-301;Phạm Thị Lan;female;1988-03-04;001088000301;official;12/05/2012;12/05/2013;C2\n"
        "2;DV-302;Võ Văn Hùng;NAM;4/3/1979;;Dự bị;2024-06-01;;C2\n"
    )
    path = tmp_path / "dang-vien.csv"
    path.write_bytes(text.encode("utf-8-sig"))

    result = run(path, cast.alice)

    assert result.ok, result.errors
    assert result.members_created == 2
    lan = Member.objects.get(code="DV-301")
    assert (lan.gender, lan.birth_date, lan.admitted_on, lan.organisation) == ("female", D(1988, 3, 4), D(2012, 5, 12), cast.C2)
    assert Member.objects.get(code="DV-302").birth_date == D(1979, 3, 4)
    assert run(path, cast.alice).updated == 0


def test_csv_errors_carry_row_numbers(cast, tmp_path):
    path = tmp_path / "to-chuc.csv"
    path.write_text("ma,ten,loai,ma_cap_tren\nA1,Chi bộ A1,Chi bộ,PX\nA2,,Chi bộ,PX\n", encoding="utf-8")
    result = run(path, cast.alice)
    assert result.errors == [{"sheet": "", "row": 3, "message": "Cột “Tên”: thiếu giá trị bắt buộc."}]
    assert not Organisation.objects.filter(code="A1").exists()


def test_a_csv_not_in_utf8_is_refused(cast, tmp_path):
    path = tmp_path / "cp.csv"
    path.write_bytes(b"ma,ten,loai\nA1,Chi b\xf4 A1,Chi b\xf4\n")  # Windows-1258 bytes, as Excel's plain “CSV” writes them
    result = run(path, cast.alice)
    assert "UTF-8" in result.errors[0]["message"]


def test_numbers_typed_in_number_cells_keep_their_leading_zeros(cast, tmp_path):
    row = ["DV-401", "Đỗ Văn Lợi", "Nam", D(1980, 1, 1), 1080000401, 912000401, None, "Chính thức", D(2005, 1, 1),
           None, None, "C1"]
    assert run(write_xlsx(tmp_path / "n.xlsx", members=[row]), cast.alice).ok
    member = Member.objects.get(code="DV-401")
    assert (member.citizen_id, member.phone) == ("001080000401", "0912000401")


def test_a_citizen_id_of_another_member_is_an_error(cast, tmp_path):
    cast.an.citizen_id = "001111111111"
    cast.an.save()
    row = ["DV-501", "Ai Đó", "Nam", D(1980, 1, 1), "001111111111", None, None, "Chính thức", D(2005, 1, 1), None, None, "C1"]
    result = run(write_xlsx(tmp_path / "c.xlsx", members=[row]), cast.alice)
    assert result.errors == [{"sheet": "Đảng viên", "row": 2,
                              "message": "Cột “Số CCCD”: số “001111111111” đã được dùng cho một đảng viên khác."}]


def _excel_style_workbook(path: Path, date1904: bool = False) -> Path:
    """A workbook as Excel writes it (openpyxl writes inline strings only): shared strings
    with a rich-text run and a phonetic guide, a date style, an ISO date cell, a cell with no
    reference, and an optional 1904 date system."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    epoch = D(1904, 1, 1) if date1904 else D(1899, 12, 30)
    birth = (D(1985, 5, 1) - epoch).days
    strings = ["Mã đảng viên", "Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Tình trạng", "Ngày vào Đảng",
               "Mã chi bộ", "DV-X01", None, "Nữ", "Chính thức", "C1"]
    items = "".join(
        f"<si><t>{t}</t></si>" if t else
        "<si><r><t>Nguyễn </t></r><r><rPr><b/></rPr><t>Thị Xuân</t></r><rPh sb='0' eb='1'><t>ignored</t></rPh></si>"
        for t in strings
    )
    header = "".join(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCDEFGH"))
    row2 = (
        '<c r="A2" t="s"><v>8</v></c><c t="s"><v>9</v></c><c r="C2" t="s"><v>10</v></c>'
        f'<c r="D2" s="1"><v>{birth}</v></c>'
        '<c r="E2" t="inlineStr"><is><t>001085000777</t></is></c><c r="F2" t="s"><v>11</v></c>'
        '<c r="G2" t="d"><v>2010-02-03T00:00:00</v></c><c r="H2" t="s"><v>12</v></c>'
    )
    files = {
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
                       'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><workbookPr date1904="{int(date1904)}"/>'
                           '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="/xl/sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">{items}</sst>',
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><dimension ref="A1:H2"/><sheetData>'
                                    f'<row r="1">{header}</row><row r="2">{row2}</row></sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize("date1904", [False, True])
def test_a_workbook_as_excel_writes_it(cast, tmp_path, date1904):
    path = _excel_style_workbook(tmp_path / "excel.xlsx", date1904)
    assert imports.count_rows(path) == 1
    result = run(path, cast.alice)
    assert result.ok, result.errors
    member = Member.objects.get(code="DV-X01")
    assert (member.full_name, member.gender, member.birth_date, member.citizen_id, member.admitted_on) == (
        "Nguyễn Thị Xuân", "female", D(1985, 5, 1), "001085000777", D(2010, 2, 3))
    expected = Member(full_name=member.full_name, code=member.code)
    expected.fill_keys()  # the bulk path makes the same keys as the model
    assert (member.search_key, member.sort_key) == (expected.search_key, expected.sort_key)


# --- scope ---------------------------------------------------------------------------------

def _member(code, cell):
    return [code, "Ai Đó", "Nam", D(1980, 1, 1), None, None, None, "Chính thức", D(2005, 1, 1), None, None, cell]


def test_rows_outside_the_users_scope_are_errors(cast, tmp_path):
    orgs = [
        ["TOP", "Tổ chức cấp cao nhất", "Tỉnh ủy", None, None],
        ["UNDER-QB", "Chi bộ dưới QB", "Chi bộ", "QB", None],
        ["C3", "Chi bộ 3 đổi tên", "Chi bộ", None, None],
    ]
    members = [_member("DV-601", "C3"), _member("DV-005", "C1"), _member("DV-602", "C1")]

    result = run(write_xlsx(tmp_path / "s.xlsx", orgs, members), cast.alice)

    messages = {(e["sheet"], e["row"]): e["message"] for e in result.errors}
    assert "chỉ quản trị hệ thống mới được tạo tổ chức cấp cao nhất" in messages[("Tổ chức", 2)]
    assert messages[("Tổ chức", 3)] == "Mã cấp trên “QB” nằm ngoài phạm vi quản lý của bạn."
    assert messages[("Tổ chức", 4)] == "Tổ chức mã “C3” nằm ngoài phạm vi quản lý của bạn."
    assert messages[("Đảng viên", 2)] == "Mã chi bộ “C3” nằm ngoài phạm vi quản lý của bạn."
    # Dũng (DV-005) sits in C3, outside alice's scope: she cannot pull him into C1
    assert "DV-005" in messages[("Đảng viên", 3)] and "ngoài phạm vi quản lý" in messages[("Đảng viên", 3)]
    assert ("Đảng viên", 4) not in messages
    assert not Member.objects.filter(code="DV-602").exists()


def test_a_row_with_its_own_error_is_still_checked_against_the_database(cast, tmp_path):
    row = _member("DV-902", "C3")
    row[3] = "30/02/1980"
    org = ["NEW9", "Chi bộ", "Chi bộ", "QB", "không phải ngày"]
    result = run(write_xlsx(tmp_path / "r.xlsx", [org], [row]), cast.alice)
    assert [(e["sheet"], e["row"], e["message"].split(":")[0]) for e in result.errors] == [
        ("Tổ chức", 2, "Cột “Ngày thành lập”"),
        ("Tổ chức", 2, "Mã cấp trên “QB” nằm ngoài phạm vi quản lý của bạn."),
        ("Đảng viên", 2, "Cột “Ngày sinh”"),
        ("Đảng viên", 2, "Mã chi bộ “C3” nằm ngoài phạm vi quản lý của bạn."),
    ]


def test_a_viewer_cannot_import_and_a_superuser_can_create_top_level(cast, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["TOP2", "Tỉnh ủy Mới", "Thành ủy", None, D(1990, 1, 1)]])
    result = run(path, cast.bob)
    assert not result.ok and "chỉ quản trị hệ thống" in result.errors[0]["message"]
    result = run(write_xlsx(tmp_path / "u.xlsx", members=[_member("DV-701", "C1")]), cast.bob)
    assert result.errors[0]["message"] == "Mã chi bộ “C1” nằm ngoài phạm vi quản lý của bạn."

    assert run(path, cast.admin).ok
    top = Organisation.objects.get(code="TOP2")
    assert (top.kind, top.parent, top.path, top.depth) == ("provincial", None, f"{top.pk}.", 0)


def test_moving_an_existing_organisation_is_not_done_by_import(cast, tmp_path):
    result = run(write_xlsx(tmp_path / "m.xlsx", [["C2", "Chi bộ khu vực 2", "Chi bộ", "QA", None]]), cast.alice)
    assert "Chuyển trực thuộc" in result.errors[0]["message"]
    # the same row with its real parent, or none, is a no-op
    again = run(write_xlsx(tmp_path / "m2.xlsx", [["C2", "Chi bộ khu vực 2", "Chi bộ", "PX", D(2000, 1, 1)],
                                                   ["C1", "Chi bộ khu vực 1", "Chi bộ", None, None]]), cast.alice)
    assert again.ok and again.unchanged == 2


# --- pages ---------------------------------------------------------------------------------

def _upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_the_import_page_is_404_for_outsiders_and_403_for_viewers(cast, client_for):
    url = reverse("org_import", args=[cast.PX.pk])
    assert client_for(cast.eve).get(url).status_code == 404
    assert client_for(cast.bob).get(url).status_code == 403
    assert client_for(cast.carol).get(url).status_code == 404
    page = client_for(cast.alice).get(url)
    assert page.status_code == 200
    assert reverse("import_template") in page.content.decode()
    detail = client_for(cast.alice).get(reverse("org_detail", args=[cast.PX.pk])).content.decode()
    assert url in detail
    assert url not in client_for(cast.bob).get(reverse("org_detail", args=[cast.PX.pk])).content.decode()


def test_an_upload_runs_and_lands_on_the_job_page(cast, client_for, good_file, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(cast.alice)

    response = client.post(reverse("org_import", args=[cast.PX.pk]), {"file": _upload(good_file)})

    job = Job.objects.get(kind="organisations.import")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.params["background"] is False
    assert (job.result["created"], job.result["updated"]) == (6, 0)
    assert job.created_by == cast.alice and job.org_path == cast.PX.path
    assert not any((tmp_path / "media" / "imports").iterdir())  # the upload is not kept
    page = client.get(response["Location"]).content.decode()
    assert "Đã nhập 6 dòng" in page and "100%" in page


def test_an_upload_with_errors_shows_them_on_the_job_page(cast, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = write_xlsx(tmp_path / "e.xlsx", members=[_member("DV-801", "KHONG-CO")])
    client = client_for(cast.alice)
    response = client.post(reverse("org_import", args=[cast.PX.pk]), {"file": _upload(path)})
    page = client.get(response["Location"]).content.decode()
    assert "chưa lưu dữ liệu nào" in page and "không có tổ chức mã “KHONG-CO”" in page
    assert not Member.objects.filter(code="DV-801").exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("du-lieu.txt", b"abc", "Chỉ nhận tệp .xlsx hoặc .csv."),
        ("cu.xls", b"\xd0\xcf\x11\xe0", "không được hỗ trợ"),
        ("gia.xlsx", b"not a zip", "không phải tệp Excel .xlsx hợp lệ"),
    ],
)
def test_the_upload_form_refuses_other_files(cast, client_for, name, content, message):
    response = client_for(cast.alice).post(
        reverse("org_import", args=[cast.PX.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Job.objects.exists()


def test_the_upload_form_refuses_a_file_too_large(cast, client_for, monkeypatch):
    from kiemdiem.organisations import import_views

    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 10)
    response = client_for(cast.alice).post(
        reverse("org_import", args=[cast.PX.pk]), {"file": SimpleUploadedFile("a.csv", b"x" * 11)}
    )
    assert "Tệp quá lớn" in response.content.decode()


def test_the_template_downloads_and_imports_once_its_examples_are_filled_in(cast, client_for, tmp_path):
    assert client_for(None).get(reverse("import_template")).status_code == 302  # login required
    response = client_for(cast.alice).get(reverse("import_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Tổ chức", "Đảng viên", "Danh mục", "Ghi chú"]
    assert [c.value for c in wb["Tổ chức"][1]] == [c.header for c in imports.ORG_COLUMNS]
    assert [c.value for c in wb["Đảng viên"][1]] == [c.header for c in imports.MEMBER_COLUMNS]
    notes = [row[0].value for row in wb["Ghi chú"].iter_rows()]
    assert "Đảng viên" in notes

    # the example rows import once the example parent is replaced by a real one
    wb["Tổ chức"]["D2"] = "PX"
    path = tmp_path / "mau.xlsx"
    wb.save(path)
    result = run(path, cast.alice)
    assert result.ok, result.errors
    assert (result.orgs_created, result.members_created) == (1, 1)
    example = Member.objects.get(code="DV-VIDU-001")
    assert example.organisation.code == "CB-VIDU" and example.citizen_id == "001085012345"


def test_a_large_file_goes_to_the_background_with_progress(cast, client_for, good_file, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KIEMDIEM_IMPORT_BACKGROUND_ROWS = 2  # the fixture makes the job runner inline
    response = client_for(cast.alice).post(reverse("org_import", args=[cast.PX.pk]), {"file": _upload(good_file)})

    job = Job.objects.get(kind="organisations.import")
    assert job.params["background"] is True and job.status == Job.Status.DONE
    assert job.total == 12 and job.done == job.total and job.percent == 100  # 6 rows read, then saved
    assert job.result["created"] == 6
    page = client_for(cast.alice).get(response["Location"])
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling
    # another user cannot see the job
    assert client_for(cast.grace).get(response["Location"]).status_code == 404


def test_progress_is_reported_while_reading_and_saving(cast, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 2)
    members = [_member(f"DV-9{i:02d}", "C1") for i in range(7)]
    seen = []
    result = imports.import_file(write_xlsx(tmp_path / "p.xlsx", members=members), actor=cast.alice,
                                 progress=lambda done, total, message, saving: seen.append((done, total, saving)))
    assert result.ok
    assert seen[0][1] == 14 and any(not s for _d, _t, s in seen) and any(s for _d, _t, s in seen)
    assert [d for d, _t, _s in seen] == sorted(d for d, _t, _s in seen) and seen[-1][0] == 14


def test_a_job_that_fails_while_saving_leaves_nothing(cast, client_for, good_file, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"

    def boom(self):
        raise RuntimeError("mất kết nối")

    monkeypatch.setattr(imports._Importer, "_audit", boom)  # after every row is written
    before = (Organisation.objects.count(), Member.objects.count(), Membership.objects.count())
    response = client_for(cast.alice).post(reverse("org_import", args=[cast.PX.pk]), {"file": _upload(good_file)})

    job = Job.objects.get(kind="organisations.import")
    assert job.status == Job.Status.FAILED and "mất kết nối" in job.result["error"]
    assert (Organisation.objects.count(), Member.objects.count(), Membership.objects.count()) == before
    page = client_for(cast.alice).get(response["Location"]).content.decode()
    assert "không có dữ liệu nào được lưu" in page


# --- command line --------------------------------------------------------------------------

def test_the_command_imports_a_file(cast, good_file):
    out = io.StringIO()
    call_command("import_file", str(good_file), stdout=out)
    assert "Đã nhập 6 dòng" in out.getvalue()
    assert Member.objects.filter(code__in=["DV-101", "DV-102", "DV-103"]).count() == 3


def test_the_command_fails_with_the_errors_and_a_users_scope(cast, good_file):
    err = io.StringIO()
    with pytest.raises(CommandError, match="chưa lưu dữ liệu nào"):
        call_command("import_file", str(good_file), "--user", "bob", stdout=io.StringIO(), stderr=err)
    assert "Đảng viên · dòng 2: Mã chi bộ “CZ1”" not in err.getvalue()  # CZ1's own row failed first
    assert "Tổ chức · dòng 2: Mã cấp trên “QA” nằm ngoài phạm vi quản lý của bạn." in err.getvalue()
    assert not Member.objects.filter(code="DV-101").exists()
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("import_file", str(good_file), "--user", "nobody")
