"""Writing people's text into spreadsheets safely: a cell whose text begins with `=`, `+`, `-`,
`@`, a tab or a carriage return would be read by Excel or LibreOffice as a formula (an
organisation named `=HYPERLINK(…)` became a live link in the report workbook), so such text is
stored as a string with Excel's quote prefix: shown as typed, never evaluated."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def as_text(cell):
    """Keep `cell`'s value as text if it would otherwise be read as a formula."""
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(ws, values) -> None:
    """`ws.append(values)`, every text cell kept as text."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        as_text(cell)


def save(wb) -> bytes:
    """The workbook as .xlsx bytes, every text cell of every sheet kept as text (the one way
    the project writes a workbook)."""
    import io

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                as_text(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
