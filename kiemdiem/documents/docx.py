"""A Paper (content.py) as a Word document in the party's format, with the page set-up, fonts
and cell helpers of the review export (kiemdiem.reviews.export): Times New Roman 13 pt (title
14 pt), A4, the two-column header, the signature block and "Nơi nhận:"."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

from kiemdiem.reviews.export import _cell, _no_borders, _para, _setup, _widths

from .content import Paper, Table, is_heading

C = WD_ALIGN_PARAGRAPH.CENTER


def new_document() -> Document:
    doc = Document()
    _setup(doc)
    return doc


def header(doc, paper: Paper) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _widths(table, (Cm(7), Cm(9)))
    if paper.parent_body:
        _cell(left, paper.parent_body.upper(), align=C)
    _cell(left, paper.issuing_body.upper(), bold=True, align=C)
    _cell(left, "*", align=C)
    _cell(left, paper.number_line(), align=C)
    _cell(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, align=C)
    _cell(right, "")
    _cell(right, paper.date_line(), italic=True, align=C)
    p = _para(doc, paper.kind_title, bold=True, align=C, size=Pt(14))
    p.paragraph_format.space_before = Pt(12)
    p.paragraph_format.space_after = Pt(0)
    _para(doc, paper.title, bold=True, align=C)
    _para(doc, "-----", align=C)


def body(doc, lines: list[str]) -> None:
    for line in lines:
        if is_heading(line):
            p = _para(doc, line, bold=True)
            p.paragraph_format.keep_with_next = True
        else:
            p = _para(doc, line, indent=True)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def signature(doc, paper: Paper) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (Cm(8), Cm(8)))
    left, right = table.rows[0].cells
    _cell(left, "Nơi nhận:", bold=True, underline=True, size=Pt(12))
    for line in paper.recipients:
        _cell(left, line, size=Pt(12))
    if paper.signer_for:
        _cell(right, paper.signer_for.upper(), bold=True, align=C)
    if paper.signer_title:
        _cell(right, paper.signer_title.upper(), align=C)
    for _i in range(3):
        _cell(right, "", align=C)
    _cell(right, paper.signer_name, bold=True, align=C)


def data_table(doc, table: Table, width_cm: float = 16) -> None:
    p = _para(doc, table.title, bold=True)
    p.paragraph_format.keep_with_next = True
    t = doc.add_table(rows=1, cols=len(table.header))
    t.style = "Table Grid"
    small = Pt(10) if len(table.header) > 6 else None
    for cell, text in zip(t.rows[0].cells, table.header):
        _cell(cell, str(text), bold=True, align=C, size=small)
    for row in table.rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, row):
            _cell(cell, str(value), align=C if isinstance(value, int) else WD_ALIGN_PARAGRAPH.LEFT, size=small)
    n = len(table.header)
    widths = table.widths
    if not widths:  # equal columns, the unit's name (second column) wider
        name = 5.5 if n > 2 else width_cm / n
        rest = (width_cm - name) / (n - 1)
        widths = [rest] * n
        widths[1 if n > 2 else 0] = name
    _widths(t, [Cm(w) for w in widths])
    _para(doc, "")


def paper_docx(paper: Paper) -> bytes:
    doc = new_document()
    header(doc, paper)
    body(doc, paper.body)
    signature(doc, paper)
    if paper.tables:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _para(doc, paper.annex_title, bold=True, align=C, size=Pt(14))
        wide = [t for t in paper.tables if len(t.header) > 6]
        for t in paper.tables:
            if t not in wide:
                data_table(doc, t)
        if wide:  # the per-unit table on a landscape page
            section = doc.add_section()
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
            for t in wide:
                data_table(doc, t, width_cm=25)
    return save(doc)


def save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
