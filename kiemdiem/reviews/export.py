"""The report as a Word document laid out like the form (Hướng dẫn 43-HD/BTCTW, Mẫu 01 and
2A/2B/2C): the party header, the title with the campaign year, the person (or collective),
part A section by section (section III as a table, section IV prompt by prompt), part B's
score table with the total and the proposed level, and the signature block. Times New Roman,
13 pt (title 14 pt), A4 with the margins of administrative documents.

Always in Vietnamese, whatever the language of the page that asked for it: it is the form."""
from __future__ import annotations

import io

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from kiemdiem.organisations.models import Organisation, Position

from . import part_b, services
from .choices import Form, sections_for
from .forms import html_blocks
from .models import Review

FONT = "Times New Roman"
SIZE = Pt(13)


def _fonts(rpr_owner_element, size=None):
    """Times New Roman for every script (Latin, Vietnamese, East Asian), no theme override."""
    rpr = rpr_owner_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]


def _setup(doc: Document) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, SIZE
    _fonts(normal.element)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", Pt(14)), ("Heading 1", SIZE), ("Heading 2", SIZE), ("Heading 3", SIZE), ("List Bullet", SIZE)):
        style = doc.styles[name]
        style.font.name, style.font.size = FONT, size
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element)
        if name.startswith("Heading") or name == "Title":
            style.font.bold = True
            style.font.italic = False
            style.paragraph_format.space_before = Pt(8)
            style.paragraph_format.space_after = Pt(4)
            style.paragraph_format.keep_with_next = True
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the Title style draws a rule under itself: not on a party form
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)


def _para(container, text: str = "", bold=False, italic=False, align=None, size=None, indent=False, underline=False):
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = size
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    return p


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cell(cell, text: str, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.LEFT, underline=False, size=None):
    p = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = size
    p.alignment = align
    p.paragraph_format.first_line_indent = None
    return p


def _widths(table, widths) -> None:
    """Fixed column widths (Word reads the cells, LibreOffice the grid)."""
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _html(doc, value: str) -> bool:
    """Sanitised HTML (paragraphs, lists, bold, italic) as Word paragraphs; False if empty."""
    blocks = html_blocks(services.sanitise(value or ""))
    for block in blocks:
        if block.kind == "ul":
            p = doc.add_paragraph(style="List Bullet")
        else:
            p = doc.add_paragraph()
            if block.kind == "ol":
                p.paragraph_format.left_indent = Cm(1)
                p.add_run(f"{block.number}. ")
            else:
                p.paragraph_format.first_line_indent = Cm(1)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        first = True
        for text, bold, italic in block.runs:
            if text == "\n":
                p.add_run().add_break()
                continue
            if first:
                text = text.lstrip()
                first = False
            run = p.add_run(" ".join(text.split("\n")))
            run.bold, run.italic = bold, italic
    return bool(blocks)


def _empty(doc):
    _para(doc, _("(Chưa có nội dung)"), italic=True, indent=True)


def _header(doc, review: Review) -> None:
    subject_org = review.subject_org if review.is_collective else review.unit
    parent = Organisation.objects.filter(pk=subject_org.parent_id).first() if subject_org.parent_id else None
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _widths(table, (Cm(7), Cm(9)))
    if parent is not None:
        _cell(left, parent.name.upper(), align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell(left, subject_org.name.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell(left, "*", align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    day = review.submitted_at.date() if review.submitted_at else None
    if day:
        date_line = _("……, ngày %(d)02d tháng %(m)02d năm %(y)d") % {"d": day.day, "m": day.month, "y": day.year}
    else:
        date_line = _("……, ngày …… tháng …… năm ……")
    _cell(right, date_line, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _person(doc, review: Review) -> None:
    member = review.member
    end = review.campaign.period_end
    posts = (
        Position.objects.filter(member=member, start__lte=end).filter(Q(end__isnull=True) | Q(end__gt=end))
        .select_related("organisation")
    )
    position = "; ".join(f"{p.get_role_display()} {p.organisation.name}" + (f", {p.title}" if p.title else "")
                         for p in posts) or _("Đảng viên")
    for label, value in ((_("Họ và tên"), member.full_name), (_("Chức vụ"), position), (_("Chi bộ"), review.unit.name)):
        p = doc.add_paragraph()
        p.add_run(f"{label}: ")
        p.add_run(value).bold = label == _("Họ và tên")


def _section_three(doc, review: Review) -> bool:
    priors = list(review.prior_shortcomings.select_related("source"))
    if not priors:
        return False
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("TT"), _("Hạn chế, khuyết điểm đã chỉ ra"), _("Kết quả khắc phục"), _("Ghi chú"))):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, prior in enumerate(priors, 1):
        cells = table.add_row().cells
        _cell(cells[0], str(i), align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(cells[1], prior.source.text)
        _cell(cells[2], prior.get_state_display() if prior.state else _("Chưa đánh giá"))
        _cell(cells[3], prior.comment)
    _widths(table, (Cm(1.2), Cm(7.3), Cm(3.5), Cm(4)))
    return True


def _section_four(doc, review: Review) -> bool:
    prompts = list(review.prompts.select_related("issued_by"))
    for i, prompt in enumerate(prompts, 1):
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Cm(1)
        p.add_run(_("Gợi ý %(n)d (%(org)s): ") % {"n": i, "org": prompt.issued_by.name}).bold = True
        p.add_run(prompt.text).italic = True
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Cm(1)
        p.add_run(_("Giải trình: ")).bold = True
        p.add_run(prompt.answer or _("(chưa giải trình)"))
    return bool(prompts)


def _score(value) -> str:
    if value is None:
        return "…"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _part_b(doc, review: Review) -> None:
    """Part B as the campaign's rules profile asks it: QĐ 366 each criteria group with its
    maximum, the task points and the total; QĐ 124 each criterion's grade; then the level."""
    b = part_b.lines(review)
    doc.add_heading(_("B. TỰ CHẤM ĐIỂM, ĐỀ XUẤT XẾP LOẠI") if b["scored"] else _("B. TỰ ĐÁNH GIÁ, ĐỀ XUẤT XẾP LOẠI"), level=1)
    if b["scored"]:
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, (_("Nội dung"), _("Điểm tối đa"), _("Tự chấm"))):
            _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        rows = [(_("I. Nhóm tiêu chí chung"), b["common"], True)]
        rows += [(f"{i}. {line.name}", line, False) for i, line in enumerate(b["groups"], 1)]
        rows += [(_("II. Kết quả thực hiện nhiệm vụ"), b["tasks"], True), (_("Tổng cộng"), b["total"], True)]
        for label, line, bold in rows:
            cells = table.add_row().cells
            _cell(cells[0], label, bold=bold)
            _cell(cells[1], _score(line.maximum), bold=bold, align=WD_ALIGN_PARAGRAPH.CENTER)
            _cell(cells[2], _score(line.value), bold=bold, align=WD_ALIGN_PARAGRAPH.CENTER)
        _widths(table, (Cm(9), Cm(3), Cm(4)))
    if b["graded"]:
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, (_("Tiêu chí"), _("Tự đánh giá"))):
            _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for i, line in enumerate(b["graded"], 1):
            cells = table.add_row().cells
            _cell(cells[0], f"{i}. {line.name}")
            _cell(cells[1], line.grade_name or "……………………")
        _widths(table, (Cm(9), Cm(7)))
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    p.add_run(_("Tự đề xuất xếp loại: "))
    p.add_run(b["level_name"] or "……………………").bold = True


def _signature(doc, review: Review) -> None:
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (Cm(7), Cm(9)))
    right = table.rows[0].cells[1]
    if review.is_collective:
        _cell(right, _("T/M %(org)s") % {"org": review.subject_org.name.upper()}, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(right, _("(Ký, ghi rõ họ tên)"), italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for _i in range(3):
            _cell(right, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        _cell(right, _("NGƯỜI TỰ KIỂM ĐIỂM"), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(right, _("(Ký, ghi rõ họ tên)"), italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for _i in range(3):
            _cell(right, "", align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(right, review.member.full_name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def build(review: Review) -> Document:
    doc = Document()
    _setup(doc)
    p = _para(doc, _("Mẫu %(form)s") % {"form": review.form}, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, size=Pt(11))
    p.paragraph_format.space_after = Pt(0)
    _header(doc, review)

    title = _("BÁO CÁO KIỂM ĐIỂM") if review.is_collective else _("BẢN TỰ KIỂM ĐIỂM")
    doc.add_paragraph(title, style="Title")
    campaign = review.campaign
    if review.is_collective:
        _para(doc, _("Tập thể %(org)s") % {"org": review.subject_org.name}, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if campaign.quarter:
        period = _("Quý %(q)d năm %(year)d") % {"q": campaign.quarter, "year": campaign.year}
    else:
        period = _("Năm %(year)d") % {"year": campaign.year}
    _para(doc, period, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if campaign.plan_number:
        _para(doc, _("(Thực hiện %(plan)s)") % {"plan": campaign.plan_number}, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if not review.is_collective:
        _person(doc, review)

    doc.add_heading(_("A. NỘI DUNG KIỂM ĐIỂM"), level=1)
    if review.form != Form.COLLECTIVE:
        doc.add_heading(_("I. Ưu điểm, kết quả đạt được"), level=2)
    shortcomings = list(review.shortcomings.all())
    for code, label in sections_for(review.form):
        doc.add_heading(str(label), level=3 if "." in code else 2)
        wrote = _html(doc, (review.content or {}).get(code, ""))
        if code == "II" and shortcomings:
            _para(doc, _("Các hạn chế, khuyết điểm:"), italic=True, indent=True)
            for s in shortcomings:
                doc.add_paragraph(s.text, style="List Bullet")
            wrote = True
        if code == "III":
            wrote = _section_three(doc, review) or wrote
        if code == "IV":
            wrote = _section_four(doc, review) or wrote
        if not wrote:
            _empty(doc)
    _part_b(doc, review)
    _signature(doc, review)
    return doc


def review_docx(review: Review) -> bytes:
    with translation.override("vi"):
        doc = build(review)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
