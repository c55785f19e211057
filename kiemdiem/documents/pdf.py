"""A Paper (content.py) as PDF with fpdf2, the same layout as the Word file.

The font is Noto Serif from the PyPI package fontpkg-noto-serif (a Unicode serif face with
every Vietnamese letter; Times New Roman is not free to ship). The package holds variable
fonts; the regular, bold and italic instances are cut once with fontTools and cached on disk
(FONT_CACHE_DIR, default the system temp folder), because cutting takes seconds. fpdf2
embeds the subset of glyphs used, so the PDF reads the same on any machine."""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .content import Paper, Table, is_heading

FAMILY = "NotoSerif"
SIZE = 13
_STYLES = {"": ("NotoSerif[wdth,wght].ttf", 400), "B": ("NotoSerif[wdth,wght].ttf", 700),
           "I": ("NotoSerif-Italic[wdth,wght].ttf", 400), "BI": ("NotoSerif-Italic[wdth,wght].ttf", 700)}
_lock = threading.Lock()


def font_files() -> dict[str, Path]:
    """Static instances of the serif face, cut on first use and cached on disk."""
    import fontpkg_noto_serif

    cache = Path(getattr(settings, "FONT_CACHE_DIR", "") or Path(tempfile.gettempdir()) / "kiemdiem-fonts")
    version = getattr(fontpkg_noto_serif, "__version__", "") or "2"
    out = {}
    with _lock:
        for style, (source, weight) in _STYLES.items():
            target = cache / f"NotoSerif-{version}-{style or 'R'}.ttf"
            if not target.exists():
                from fontTools.ttLib import TTFont
                from fontTools.varLib import instancer

                cache.mkdir(parents=True, exist_ok=True)
                font = instancer.instantiateVariableFont(TTFont(fontpkg_noto_serif.ROOT / "files" / source),
                                                         {"wght": weight, "wdth": 100})
                fd, tmp = tempfile.mkstemp(dir=cache, suffix=".ttf")
                os.close(fd)
                font.save(tmp)
                os.replace(tmp, target)  # atomic: a concurrent request sees the old or the whole file
            out[style] = target
    return out


class _PDF(FPDF):
    def footer(self):
        self.set_y(-15)
        self.set_font(FAMILY, "", 10)
        self.cell(0, 10, str(self.page_no()), align="C")


def new_pdf() -> FPDF:
    pdf = _PDF(format="A4")
    pdf.set_margins(30, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    for style, path in font_files().items():
        pdf.add_font(FAMILY, style, str(path))
    pdf.set_font(FAMILY, "", SIZE)
    pdf.add_page()
    return pdf


def _line(pdf, text, style="", align="L", size=SIZE, h=6.5):
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(0, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def header(pdf, paper: Paper) -> None:
    top = pdf.get_y()
    left_w, right_x = 70, pdf.l_margin + 70
    right_w = pdf.w - pdf.r_margin - right_x
    pdf.set_xy(pdf.l_margin, top)
    for text, style in ((paper.parent_body.upper(), ""), (paper.issuing_body.upper(), "B"), ("*", ""),
                        (paper.number_line(), "")):
        if text:
            pdf.set_font(FAMILY, style, SIZE)
            pdf.multi_cell(left_w, 6.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.set_font(FAMILY, "BU", SIZE)
    pdf.multi_cell(right_w, 6.5, "ĐẢNG CỘNG SẢN VIỆT NAM", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(6.5)
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "I", SIZE)
    pdf.multi_cell(right_w, 6.5, paper.date_line(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(bottom, pdf.get_y()) + 6)
    _line(pdf, paper.kind_title, "B", "C", size=14)
    _line(pdf, paper.title, "B", "C")
    _line(pdf, "-----", "", "C")
    pdf.ln(2)


def body(pdf, lines: list[str]) -> None:
    for line in lines:
        if is_heading(line):
            _line(pdf, line, "B", "L")
        else:
            pdf.set_font(FAMILY, "", SIZE)
            pdf.multi_cell(0, 6.5, "      " + line, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)


def signature(pdf, paper: Paper) -> None:
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font(FAMILY, "BU", 12)
    pdf.multi_cell(half, 6, "Nơi nhận:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 12)
    for line in paper.recipients:
        pdf.multi_cell(half, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    x = pdf.l_margin + half
    pdf.set_xy(x, top)
    for text, style in ((paper.signer_for.upper(), "B"), (paper.signer_title.upper(), ""), ("", ""), ("", ""), ("", ""),
                        (paper.signer_name, "B")):
        pdf.set_x(x)
        pdf.set_font(FAMILY, style, SIZE)
        pdf.multi_cell(half, 6.5, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(bottom, pdf.get_y()))


def data_table(pdf, table: Table) -> None:
    _line(pdf, table.title, "B")
    n = len(table.header)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    size = 8 if n > 6 else 12
    if table.widths:
        total = sum(table.widths)
        widths = [width * w / total for w in table.widths]
    else:
        name = min(55, width / n * 3) if n > 2 else width / n
        rest = (width - name) / (n - 1)
        widths = [rest] * n
        widths[1 if n > 2 else 0] = name
    pdf.set_font(FAMILY, "", size)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=size * 0.5 + 1, first_row_as_headings=True) as t:
        head = t.row()
        pdf.set_font(FAMILY, "B", size)
        for text in table.header:
            head.cell(str(text))
        pdf.set_font(FAMILY, "", size)
        for values in table.rows:
            row = t.row()
            for v in values:
                row.cell(str(v), align="CENTER" if isinstance(v, int) else "LEFT")
    pdf.ln(4)


def paper_pdf(paper: Paper) -> bytes:
    pdf = new_pdf()
    pdf.set_title(paper.title)
    header(pdf, paper)
    body(pdf, paper.body)
    signature(pdf, paper)
    if paper.tables:
        narrow = [t for t in paper.tables if len(t.header) <= 6]
        wide = [t for t in paper.tables if len(t.header) > 6]
        pdf.add_page()
        _line(pdf, paper.annex_title, "B", "C", size=14)
        for t in narrow:
            data_table(pdf, t)
        if wide:
            pdf.add_page(orientation="L")
            for t in wide:
                data_table(pdf, t)
    return bytes(pdf.output())
