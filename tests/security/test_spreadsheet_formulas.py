"""Formula injection (issue 15.4): text that begins with =, +, -, @, a tab or a carriage return
is written into every exported workbook as text, shown as typed, never evaluated."""
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kiemdiem.core import spreadsheet
from kiemdiem.documents.tests.conftest import rated  # noqa: F401  (fixture)
from kiemdiem.organisations.models import Organisation

EVIL = ['=HYPERLINK("http://x.invalid","bấm vào đây")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _formulas(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def _values(content: bytes) -> set:
    wb = load_workbook(io.BytesIO(content))
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}


def test_formula_like_text_is_saved_as_text_and_kept_as_typed():
    wb = Workbook()
    for value in EVIL + ["Chi bộ 1", 42, "a=b"]:
        wb.active.append([value])
    content = spreadsheet.save(wb)
    assert _formulas(content) == []
    loaded = load_workbook(io.BytesIO(content)).active
    assert [c.value for (c,) in loaded.iter_rows()][:len(EVIL)] == EVIL
    assert all(c.quotePrefix for (c,) in list(loaded.iter_rows())[:len(EVIL)])
    assert loaded["G1"].value is None and loaded["A8"].value == 42 and loaded["A8"].data_type == "n"


def test_the_report_workbook_keeps_an_organisation_named_like_a_formula_as_text(cast, rated, client_for):
    Organisation.objects.filter(pk=cast.C1.pk).update(name=EVIL[0])
    resp = client_for(cast.alice).get(reverse("documents_report_xlsx", args=[cast.PX.pk, rated.pk]))
    assert resp.status_code == 200
    assert _formulas(resp.content) == []
    assert EVIL[0] in _values(resp.content)


@pytest.mark.parametrize("url", [reverse("import_template"), reverse("task_import_template"),
                                 reverse("remediation_import_template", args=["attendance"]),
                                 reverse("remediation_import_template", args=["dues"])])
def test_every_template_workbook_holds_no_formula(cast, client_for, url):
    resp = client_for(cast.alice).get(url)
    assert resp.status_code == 200 and _formulas(resp.content) == []
