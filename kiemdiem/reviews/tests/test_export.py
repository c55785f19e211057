"""The DOCX export, opened again with python-docx: laid out like the form."""
import io

import pytest
from django.urls import reverse
from docx import Document

from kiemdiem.reviews import services
from kiemdiem.reviews.choices import FixState, Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review, Shortcoming
from kiemdiem.reviews.tests.test_launch import annual

CONTENT = {
    "I.1": "<p>Luôn giữ vững lập trường chính trị.</p><p>Gương mẫu <strong>nơi cư trú</strong>.</p>",
    "I.2": "<p>Hoàn thành các nhiệm vụ:</p><ul><li>Công tác dân vận</li><li>Công tác đảng phí</li></ul>",
    "I.3": "<p>Thực hiện đúng cam kết đầu năm.</p>",
    "II": "<p>Còn chậm đóng đảng phí.</p>",
    "VI": "<ol><li>Đóng đảng phí đúng hạn</li><li>Tham gia đầy đủ sinh hoạt</li></ol>",
}


@pytest.fixture
def review(cast):
    old_campaign = annual(cast, 2024)
    launch(actor=cast.admin, campaign=old_campaign)
    old = Review.objects.get(campaign=old_campaign, member=cast.members["dave"])
    Shortcoming.objects.create(review=old, text="Chưa chấp hành giờ giấc sinh hoạt", order=1)
    Review.objects.filter(pk=old.pk).update(status=Status.FINAL)
    campaign = annual(cast, 2025)
    launch(actor=cast.admin, campaign=campaign)
    review = Review.objects.get(campaign=campaign, member=cast.members["dave"])
    prompt = services.prompt_add(actor=cast.alice, review=review, issued_by=cast.QA, text="Làm rõ việc vắng sinh hoạt")
    prior = review.prior_shortcomings.get()
    return services.review_save(
        actor=cast.users["dave"], review=review, base_version=0, content=CONTENT,
        shortcomings=["Chậm đóng đảng phí", "Ngại phát biểu"], priors={prior.pk: (FixState.IN_PROGRESS, "Đã cải thiện")},
        prompt_answers={prompt.pk: "Do đi công tác theo phân công"}, self_score_tasks=60, proposed_level="HTTNV",
        criteria={"chinh_tri": "6", "dao_duc": "5,5", "neu_guong": 6, "doi_moi": "5", "tu_phe_binh": "5"},
    )


def open_docx(resp) -> Document:
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(io.BytesIO(resp.content))


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_individual_report_as_docx(cast, review, client_for):
    resp = client_for(cast.users["dave"]).get(reverse("review_export_docx", args=[review.pk]))
    assert resp["Content-Disposition"] == 'attachment; filename="tu-kiem-diem-2025-tran-van-duc.docx"'
    doc = open_docx(resp)
    paras = texts(doc)
    header = table_rows(doc.tables[0])[0]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in header[1]
    assert "ĐẢNG BỘ PHƯỜNG X" in header[0] and "CHI BỘ KHU VỰC 1" in header[0]
    assert "BẢN TỰ KIỂM ĐIỂM" in paras and "Năm 2025" in paras
    assert "Họ và tên: Trần Văn Đức" in paras and "Chức vụ: Đảng viên" in paras and "Chi bộ: Chi bộ khu vực 1" in paras

    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["A. NỘI DUNG KIỂM ĐIỂM", "I. Ưu điểm, kết quả đạt được",
                            "1. Về tư tưởng chính trị; phẩm chất đạo đức, lối sống; ý thức tổ chức kỷ luật; tác phong, lề lối làm việc"]
    assert "II. Hạn chế, khuyết điểm và nguyên nhân" in headings
    assert "B. TỰ CHẤM ĐIỂM, ĐỀ XUẤT XẾP LOẠI" in headings

    # the sanitised HTML: paragraphs (with bold runs), bullets, numbered items
    assert "Luôn giữ vững lập trường chính trị." in paras
    bold = [r.text for p in doc.paragraphs for r in p.runs if r.bold]
    assert "nơi cư trú" in bold
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Công tác dân vận", "Công tác đảng phí", "Chậm đóng đảng phí", "Ngại phát biểu"]
    assert "1. Đóng đảng phí đúng hạn" in paras and "2. Tham gia đầy đủ sinh hoạt" in paras

    # section III as a table, section IV prompt by prompt
    section_three = table_rows(doc.tables[1])
    assert section_three[0] == ["TT", "Hạn chế, khuyết điểm đã chỉ ra", "Kết quả khắc phục", "Ghi chú"]
    assert section_three[1] == ["1", "Chưa chấp hành giờ giấc sinh hoạt", "Đang khắc phục", "Đã cải thiện"]
    assert "Gợi ý 1 (Quận ủy A): Làm rõ việc vắng sinh hoạt" in paras
    assert "Giải trình: Do đi công tác theo phân công" in paras

    # part B (QĐ 366, Mẫu 2B): each criteria group with its maximum, the tasks, the total, the level
    scores = table_rows(doc.tables[2])
    assert scores[1:] == [
        ["I. Nhóm tiêu chí chung", "30", "27,5"], ["1. Phẩm chất chính trị", "6", "6"], ["2. Đạo đức, lối sống", "6", "5,5"],
        ["3. Tinh thần gương mẫu, ý thức tổ chức kỷ luật", "6", "6"], ["4. Tư duy đổi mới, sáng tạo trong công việc", "6", "5"],
        ["5. Tự phê bình, phê bình và khắc phục hạn chế, khuyết điểm", "6", "5"],
        ["II. Kết quả thực hiện nhiệm vụ", "70", "60"], ["Tổng cộng", "100", "87,5"]]
    assert "Tự đề xuất xếp loại: Hoàn thành tốt nhiệm vụ" in paras

    signature = table_rows(doc.tables[3])[0][1]
    assert "NGƯỜI TỰ KIỂM ĐIỂM" in signature and "Trần Văn Đức" in signature

    # Times New Roman 13 pt
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    assert doc.styles["Heading 2"].font.name == "Times New Roman"


def test_collective_report_as_docx_in_vietnamese_whatever_the_page_language(cast, client_for):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    collective = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    client = client_for(cast.users["alice"])
    client.cookies["django_language"] = "en"
    resp = client.get(reverse("review_export_docx", args=[collective.pk]))
    doc = open_docx(resp)
    paras = texts(doc)
    assert "BÁO CÁO KIỂM ĐIỂM" in paras and "Tập thể Chi bộ khu vực 1" in paras
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "I. Ưu điểm" in headings and "1. Thực hiện quy chế làm việc, nguyên tắc tập trung dân chủ" in headings
    assert "(Chưa có nội dung)" in paras
    scores = table_rows(doc.tables[1])  # Mẫu 01's groups (Phụ lục 1), nothing scored yet
    assert scores[2] == ["1. Lãnh đạo công tác chính trị, tư tưởng", "6", "…"] and scores[-1] == ["Tổng cộng", "100", "…"]
    assert "T/M CHI BỘ KHU VỰC 1" in table_rows(doc.tables[2])[0][1]


def test_outsiders_cannot_export(cast, review, client_for):
    assert client_for(cast.users["eve"]).get(reverse("review_export_docx", args=[review.pk])).status_code == 404
    assert client_for(cast.users["bob"]).get(reverse("review_export_docx", args=[review.pk])).status_code == 200
