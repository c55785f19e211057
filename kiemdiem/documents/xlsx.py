"""The summary report's figures as a workbook (openpyxl): the first sheet one row per child
unit, the next sheets the summary tables. Numbers are numbers, not text; text is never a
formula (core/spreadsheet.py)."""
from __future__ import annotations


from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdiem.core import spreadsheet

from .content import Paper, Table


def _sheet(ws, table: Table, title_row: str) -> None:
    # names and texts come from people (an organisation's name): never a formula
    spreadsheet.append_row(ws, [title_row])
    ws["A1"].font = Font(bold=True, size=13)
    spreadsheet.append_row(ws, [str(h) for h in table.header])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in table.rows:
        spreadsheet.append_row(ws, list(row))
    for i, _h in enumerate(table.header, 1):
        ws.column_dimensions[get_column_letter(i)].width = 40 if i == 2 and len(table.header) > 2 else 14
    if len(table.header) <= 3:
        ws.column_dimensions["A"].width = 45
    ws.freeze_panes = "A3"


def paper_xlsx(paper: Paper) -> bytes:
    wb = Workbook()
    wide = [t for t in paper.tables if len(t.header) > 6]
    narrow = [t for t in paper.tables if len(t.header) <= 6]
    first = True
    for n, table in enumerate(wide + narrow, 1):
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = (table.title.split(".")[0] if "." in table.title else f"Biểu {n}")[:31]
        _sheet(ws, table, f"{paper.issuing_body} — {table.title}")
    return spreadsheet.save(wb)
