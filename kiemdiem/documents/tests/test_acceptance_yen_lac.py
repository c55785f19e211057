"""Acceptance 1 (issue 7): on the demo data, the Yên Lạc summary report says what seed 002 says
("61/61 chi, đảng bộ trực thuộc hoàn thành", the rating percentages, discipline with
expulsions, removals), every number checked against direct ORM counts; the three files are
opened back."""
import io
import re

from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from kiemdiem.discipline.models import Discipline
from kiemdiem.documents.content import initial_draft, summary_paper
from kiemdiem.documents.demo import seed_yen_lac_results
from kiemdiem.documents.docx import paper_docx
from kiemdiem.documents.pdf import paper_pdf
from kiemdiem.documents.xlsx import paper_xlsx
from kiemdiem.organisations.choices import MEMBER_HOLDING_KINDS, OrgKind
from kiemdiem.organisations.models import Organisation
from kiemdiem.ratings.models import Rating
from kiemdiem.remediation.models import RemovalCase


def _pct(part, whole):
    return f"{round(100.0 * part / whole, 1):.1f}".rstrip("0").rstrip(".").replace(".", ",")


def test_yen_lac_summary_report_reproduces_seed_002(db):
    call_command("seed_demo", stdout=io.StringIO())
    campaign = seed_yen_lac_results()
    yl = Organisation.objects.get(code="VP-YL")

    # direct counts
    children = Organisation.objects.filter(parent=yl).exclude(kind=OrgKind.ADVISORY).count()
    live = Rating.objects.filter(review__campaign=campaign, stage="decision", cancelled_at__isnull=True)
    members = live.filter(review__member__isnull=False)
    n_members = members.count()
    excellent = members.filter(level="HTXSNV").count()
    good_or_better = members.filter(level__in=["HTXSNV", "HTTNV"]).count()
    cells = live.filter(review__member__isnull=True, review__subject_org__kind__in=MEMBER_HOLDING_KINDS)
    n_cells, cells_excellent = cells.count(), cells.filter(level="HTXSNV").count()
    disc = Discipline.objects.filter(org_path__startswith=yl.path, member__isnull=False,
                                     decided_on__gte=campaign.period_start, decided_on__lte=campaign.period_end)
    removed = RemovalCase.objects.filter(org_path__startswith=yl.path, state="decided")
    assert children == 61 and n_members > 6000 and disc.count() == 61

    paper = summary_paper(initial_draft(campaign, yl))
    doc = Document(io.BytesIO(paper_docx(paper)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{children}/{children} chi, đảng bộ trực thuộc hoàn thành" in text
    assert f"Có {_pct(cells_excellent, n_cells)}% chi bộ hoàn thành xuất sắc nhiệm vụ" in text
    # seed 002's "49% … đạt TSVM" was a 2018 rating under the old rules: under QĐ 366 each body's
    # quota (HTXSNV ≤ 20% of HTTNV) allows about one cell in six, and every rating passes the audit
    assert 0 < cells_excellent and cells_excellent * 5 <= n_cells - cells_excellent
    from kiemdiem.ratings.audit import check_ratings

    assert check_ratings(campaign.pk) == []
    assert "không có chi bộ không hoàn thành nhiệm vụ" in text
    assert (f"{_pct(good_or_better, n_members)}% đảng viên hoàn thành tốt nhiệm vụ trở lên, trong đó "
            f"{_pct(excellent, n_members)}% hoàn thành xuất sắc nhiệm vụ") in text
    assert re.search(r"(89|90)(,\d)?% đảng viên hoàn thành tốt", text) and "12% hoàn thành xuất sắc" in text
    assert (f"Thi hành kỷ luật {disc.count()} đảng viên, trong đó khai trừ {disc.filter(form='expulsion').count()} "
            "trường hợp") in text
    assert "Thi hành kỷ luật 61 đảng viên, trong đó khai trừ 4 trường hợp" in text
    assert (f"Xóa tên {removed.filter(status_before='probationary').count()} đảng viên dự bị, "
            f"{removed.filter(status_before='official').count()} đảng viên chính thức") in text
    assert "Xóa tên 9 đảng viên dự bị, 4 đảng viên chính thức" in text
    # party format
    header = doc.tables[0]
    assert "HUYỆN ỦY YÊN LẠC" in header.cell(0, 0).text and "ĐẢNG BỘ TỈNH VĨNH PHÚC" in header.cell(0, 0).text
    assert "Số ……-BC/HU" in header.cell(0, 0).text and "ĐẢNG CỘNG SẢN VIỆT NAM" in header.cell(0, 1).text
    assert "Yên Lạc, ngày" in header.cell(0, 1).text

    # the per-unit table: one row per child unit, figures equal to direct counts
    wb = load_workbook(io.BytesIO(paper_xlsx(paper)))
    ws = wb.worksheets[0]
    head = [c.value for c in ws[2]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == 61
    assert sum(r["Đảng viên được xếp loại"] for r in rows) == n_members
    assert sum(r["Kỷ luật"] for r in rows) == 61 and sum(r["Khai trừ"] for r in rows) == 4
    assert sum(r["Xóa tên"] for r in rows) == 13
    assert all(r["Số bản kiểm điểm"] == r["Đã hoàn thành"] > 0 for r in rows)
    some = Organisation.objects.get(code="VP-YL-TTYENLAC")
    row = next(r for r in rows if r["Đơn vị"] == some.name)
    sub = members.filter(org_path__startswith=some.path)
    assert row["Đảng viên được xếp loại"] == sub.count()
    assert row["HTXSNV"] == sub.filter(level="HTXSNV").count()
    assert row["HTTNV"] == sub.filter(level="HTTNV").count()
    assert row["Chi bộ HTXSNV"] == cells.filter(review__subject_org__path__startswith=some.path, level="HTXSNV").count()

    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(paper_pdf(paper))).pages)
    assert "61/61 chi, đảng bộ trực thuộc hoàn thành" in pdf_text
    assert "Xóa tên 9 đảng viên dự bị" in pdf_text
