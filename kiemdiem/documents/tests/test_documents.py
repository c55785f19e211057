import datetime
import io
import zipfile

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from kiemdiem.documents.models import IssuedDocument, ReportDraft
from kiemdiem.feedback.models import FeedbackPoint, FeedbackRequest, FeedbackResponse
from kiemdiem.ratings.models import Rating
from kiemdiem.reviews.models import Review, Shortcoming

D = datetime.date


def _docx_text(data: bytes) -> tuple[Document, str]:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return doc, "\n".join(parts)


def test_report_draft_prefilled_edited_and_downloaded(cast, rated, client_for):
    url = reverse("documents_report", args=[cast.PX.pk, rated.pk])
    alice = client_for(cast.alice)
    page = alice.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["number"].value() == "……-BC/ĐU" and form["issuing_body"].value() == "ĐẢNG ỦY PHƯỜNG X"
    assert "1/2 chi, đảng bộ trực thuộc hoàn thành việc kiểm điểm." in form["body"].value()
    assert not ReportDraft.objects.exists()  # showing saves nothing

    data = {name: form[name].value() or "" for name in form.fields}
    data.update(number="125-BC/ĐU", place="Phường X", issued_on="2026-01-15", signer_name="Nguyễn Thị An",
                body=form["body"].value() + "\nCác chi bộ cần khắc phục ngay hạn chế về sinh hoạt định kỳ.")
    assert alice.post(url, data).status_code == 302
    draft = ReportDraft.objects.get()
    assert draft.number == "125-BC/ĐU" and draft.updated_by == cast.alice

    # the viewer may read and download but not save; the outsider sees nothing
    assert client_for(cast.bob).get(url).status_code == 200
    assert client_for(cast.bob).post(url, data).status_code == 403
    assert client_for(cast.eve).get(url).status_code == 404
    assert client_for(cast.carol).get(reverse("documents_report_docx", args=[cast.PX.pk, rated.pk])).status_code == 404
    # an empty body is refused with a message, nothing saved
    bad = alice.post(url, {**data, "body": "  ", "number": "999-BC/ĐU"})
    assert bad.status_code == 200 and "body" in bad.context["form"].errors
    assert ReportDraft.objects.get().number == "125-BC/ĐU"

    # DOCX: party format, Times New Roman 13-14 pt, the edits, the tables
    res = client_for(cast.bob).get(reverse("documents_report_docx", args=[cast.PX.pk, rated.pk]))
    assert res.status_code == 200 and res["Content-Disposition"].endswith('.docx"')
    doc, text = _docx_text(res.content)
    assert doc.styles["Normal"].font.name == "Times New Roman" and doc.styles["Normal"].font.size.pt == 13
    left, right = doc.tables[0].cell(0, 0).text, doc.tables[0].cell(0, 1).text
    assert "ĐẢNG BỘ QUẬN A" in left and "ĐẢNG ỦY PHƯỜNG X" in left and "*" in left and "Số 125-BC/ĐU" in left
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in right
    date_par = doc.tables[0].cell(0, 1).paragraphs[-1]
    assert date_par.text == "Phường X, ngày 15 tháng 01 năm 2026" and date_par.runs[0].italic
    title = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold and title.runs[0].font.size.pt == 14
    assert "Các chi bộ cần khắc phục ngay hạn chế về sinh hoạt định kỳ." in text
    sig = doc.tables[1]
    assert "Nơi nhận:" in sig.cell(0, 0).text and "T/M ĐẢNG ỦY" in sig.cell(0, 1).text
    assert "BÍ THƯ" in sig.cell(0, 1).text and "Nguyễn Thị An" in sig.cell(0, 1).text
    members_table = next(t for t in doc.tables if t.cell(0, 0).text == "Mức xếp loại"
                         and any(r.cells[0].text == "Tổng số" and r.cells[1].text == "4" for r in t.rows))
    rows = {r.cells[0].text: (r.cells[1].text, r.cells[2].text) for r in members_table.rows[1:]}
    direct = Rating.objects.filter(stage="decision", review__member__isnull=False, level="HTTNV").count()
    assert rows["Hoàn thành tốt nhiệm vụ"] == (str(direct), "75%")
    units = doc.tables[-1]
    assert [r.cells[1].text for r in units.rows[1:]] == ["Chi bộ khu vực 1", "Chi bộ khu vực 2"]

    # PDF: the same text, Vietnamese intact, the font embedded
    res = alice.get(reverse("documents_report_pdf", args=[cast.PX.pk, rated.pk]))
    assert res["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(res.content))
    ptext = "\n".join(p.extract_text() for p in reader.pages)
    for phrase in ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY PHƯỜNG X", "Số 125-BC/ĐU", "kiểm điểm", "xếp loại",
                   "Các chi bộ cần khắc phục ngay hạn chế về sinh hoạt định kỳ.", "Nơi nhận:", "T/M ĐẢNG ỦY"):
        assert phrase in ptext, phrase
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # embedded TrueType
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"NotoSerif", "NotoSerif-Bold"} & fonts or any(f.startswith("NotoSerif") for f in fonts)

    # XLSX: one row per child unit, numbers as numbers, equal to direct counts
    res = alice.get(reverse("documents_report_xlsx", args=[cast.PX.pk, rated.pk]))
    ws = load_workbook(io.BytesIO(res.content)).worksheets[0]
    head = [c.value for c in ws[2]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert [r["Đơn vị"] for r in rows] == ["Chi bộ khu vực 1", "Chi bộ khu vực 2"]
    c1 = rows[0]
    assert c1["Đảng viên được xếp loại"] == Rating.objects.filter(
        stage="decision", review__member__isnull=False, org_path__startswith=cast.C1.path).count() == 3
    assert c1["Số bản kiểm điểm"] == Review.objects.filter(campaign=rated, org_path__startswith=cast.C1.path).count()
    assert c1["Đã hoàn thành"] == c1["Số bản kiểm điểm"] and rows[1]["Đã hoàn thành"] == 0
    assert rows[1]["Kỷ luật"] == 1 and rows[1]["HTNV"] == 1 and rows[1]["Chi bộ HTNV"] == 1


def test_report_needs_a_campaign_covering_the_organisation(cast, rated, client_for):
    from kiemdiem.reviews.tests.test_launch import annual

    other = annual(cast, year=2024, issuer=cast.XY)
    assert client_for(cast.admin).get(reverse("documents_report", args=[cast.PX.pk, other.pk])).status_code == 404


def test_issued_register_and_end_of_term_report(cast, client_for):
    url = reverse("documents_issued", args=[cast.QA.pk])
    alice = client_for(cast.alice)
    docs = [("resolution", "01-NQ/QU", "2021-03-01"), ("resolution", "02-NQ/QU", "2022-03-01"),
            ("directive", "05-CT/QU", "2021-05-01"), ("plan", "25-KH/QU", "2023-01-10"), ("report", "99-BC/QU", "2024-02-02"),
            ("plan", "26-KH/QU", "2019-01-10")]  # the last one before the term
    for kind, number, day in docs:
        assert alice.post(url, {"kind": kind, "number": number, "issued_on": day, "title": "Về công tác xây dựng Đảng"}).status_code == 302
    dup = alice.post(url, {"kind": "plan", "number": "25-KH/QU", "issued_on": "2023-01-10", "title": "Trùng"})
    assert dup.status_code == 200 and "đã có trong sổ" in dup.content.decode()
    assert IssuedDocument.objects.count() == 6
    assert client_for(cast.bob).get(url).status_code == 404  # bob views PX only
    assert client_for(cast.grace).post(url, {"kind": "plan"}).status_code == 200  # invalid form: shown again

    review = Review.objects.filter(subject_org=cast.QA).first()
    assert review is None  # no campaign: no shortcomings listed, placeholders instead
    q = {"term": "I (2020 – 2025)", "start": "2020-10-01", "end": "2025-09-30"}
    page = alice.get(url, q)
    assert page.context["counts"] == {"resolution": 2, "directive": 1, "programme": 0, "plan": 1, "report": 1}
    res = client_for(cast.grace).get(reverse("documents_term_report", args=[cast.QA.pk]), q)
    assert res.status_code == 200
    doc, text = _docx_text(res.content)
    assert ("đã ban hành 2 nghị quyết, 1 thông tri - chỉ thị, 0 chương trình hành động, chương trình làm việc, "
            "1 kế hoạch, 1 báo cáo chuyên đề") in text
    headings = [p.text for p in doc.paragraphs if p.runs and p.runs[0].bold]
    for h in ("I. QUAN ĐIỂM LÃNH ĐẠO, CHỈ ĐẠO", "II. PHONG CÁCH VÀ PHƯƠNG THỨC LÃNH ĐẠO", "III. KẾT QUẢ THỰC HIỆN",
              "1. Ưu điểm", "2. Khuyết điểm", "IV. NGUYÊN NHÂN, KINH NGHIỆM THỰC TIỄN", "3. Một số kinh nghiệm thực tiễn"):
        assert h in headings, h
    assert "Kiểm điểm trách nhiệm của Ban Chấp hành Đảng bộ quận A" in text and "T/M BAN CHẤP HÀNH" in text
    bad = alice.get(reverse("documents_term_report", args=[cast.QA.pk]), {**q, "start": "2026-01-01"})
    assert bad.status_code == 302  # back to the register with the error


def test_member_record_set_and_zip(cast, rated, client_for):
    an = cast.members["an"]
    review = Review.objects.get(campaign=rated, member=an)
    Review.objects.filter(pk=review.pk).update(content={"I.1": "<p>Giữ vững phẩm chất chính trị</p>"})
    Shortcoming.objects.create(review=review, text="Chậm đóng đảng phí")
    req = FeedbackRequest.objects.create(review=review, source_type="residence_cell", source_name="Chi ủy tổ dân phố 3",
                                         status="answered")
    resp = FeedbackResponse.objects.create(request=req, signed_as="Bí thư chi bộ")
    FeedbackPoint.objects.create(response=resp, review=review, kind="strength", text="Gương mẫu nơi cư trú")

    url = reverse("documents_member_records", args=[an.pk])
    page = client_for(cast.bob).get(url)
    assert page.status_code == 200
    items = {i.code: i.present for i in page.context["items"]}
    assert items["self_review"] and items["residence"] and items["decision"]
    assert not items["minutes"] and not items["prompts"] and not items["complaints"]
    assert client_for(cast.carol).get(url).status_code == 404
    assert client_for(cast.dave).get(url).status_code == 404  # another member's records
    assert client_for(cast.dave).get(reverse("documents_member_records", args=[cast.dave.member.pk])).status_code == 200

    res = client_for(cast.alice).get(reverse("documents_member_records_zip", args=[an.pk]), {"campaign": rated.pk})
    assert res["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(res.content))
    names = sorted(zf.namelist())
    assert names == ["00-danh-muc-ho-so.docx", "01-ban-tu-kiem-diem.docx", "02-nhan-xet-noi-cu-tru.docx",
                     "07-ket-qua-xep-loai.docx"]
    texts = {n: _docx_text(zf.read(n))[1] for n in names}
    assert "Nguyễn Thị An" in texts["00-danh-muc-ho-so.docx"] and "Nhận xét của chi ủy nơi cư trú: có" in texts["00-danh-muc-ho-so.docx"]
    assert "Trích biên bản hội nghị kiểm điểm: chưa có" in texts["00-danh-muc-ho-so.docx"]
    assert "Gương mẫu nơi cư trú" in texts["02-nhan-xet-noi-cu-tru.docx"]
    assert "Giữ vững phẩm chất chính trị" in texts["01-ban-tu-kiem-diem.docx"]
    level = Rating.objects.get(review=review, stage="decision", cancelled_at__isnull=True).level
    assert f"Mức xếp loại: {level}." in texts["07-ket-qua-xep-loai.docx"]
    assert client_for(cast.alice).get(reverse("documents_member_records_zip", args=[an.pk]), {"campaign": "999999"}).status_code == 404
