"""Conclusion pages (list, record, cancel) and the softening evidence on the discipline pages."""
import pytest
from django.urls import reverse

from kiemdiem.discipline.models import Conclusion, Discipline


def _form(**kw):
    data = {"member_code": "DV-002", "organisation_code": "", "kind": "prohibitions", "body_code": "PX",
            "number": "12-KL/UBKT", "concluded_on": "2025-06-01", "summary": "Nhận quà biếu <b>sai quy định</b>"}
    data.update(kw)
    return data


def test_record_list_and_cancel(cast, client_for):
    staff = client_for(cast.alice)
    url = reverse("conclusion_create", args=[cast.PX.pk])
    assert staff.get(url).status_code == 200
    resp = staff.post(url, _form(self_detected_fixed="on", self_fix_evidence="Tự báo cáo, nộp lại quà ngày 3/3/2025",
                                 self_fix_reference="Biên bản họp chi bộ 03/3/2025"))
    assert resp.status_code == 302, resp.content.decode()
    c = Conclusion.objects.get()
    assert c.member == cast.members["an"] and c.body == cast.PX and c.self_detected_fixed
    resp = staff.post(url, _form(member_code="", organisation_code="C2", kind="disunity", number="13-KL/UBKT", summary=""))
    assert resp.status_code == 302 and Conclusion.objects.filter(organisation=cast.C2).exists()
    for user in (cast.alice, cast.bob):  # staff and the viewer of PX
        page = client_for(user).get(reverse("conclusion_list", args=[cast.PX.pk])).content.decode()
        assert "Nguyễn Thị An" in page and "12-KL/UBKT" in page and "Vi phạm những điều đảng viên không được làm" in page
        assert "Nhận quà biếu &lt;b&gt;sai quy định&lt;/b&gt;" in page
        assert "Tự báo cáo, nộp lại quà ngày 3/3/2025" in page and "Biên bản họp chi bộ 03/3/2025" in page
        assert "Nội bộ mất đoàn kết" in page
        assert ("Hủy kết luận" in page) == (user == cast.alice)
    cancel = reverse("conclusion_cancel", args=[cast.PX.pk, c.pk])
    assert client_for(cast.bob).post(cancel, {"reason": "Ghi nhầm"}).status_code == 403
    assert staff.post(cancel, {"reason": ""}).status_code == 302
    c.refresh_from_db()
    assert not c.is_cancelled
    assert staff.post(cancel, {"reason": "Ghi nhầm đối tượng"}).status_code == 302
    c.refresh_from_db()
    assert c.is_cancelled
    page = staff.get(reverse("conclusion_list", args=[cast.PX.pk])).content.decode()
    assert "Đã hủy" in page and "Ghi nhầm đối tượng" in page
    # a conclusion of another subtree is not found through this organisation
    other = Conclusion.objects.get(organisation=cast.C2)
    assert staff.post(reverse("conclusion_cancel", args=[cast.C1.pk, other.pk]), {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("changes, message", [
    ({"member_code": "DV-005"}, "Không tìm thấy đảng viên"),  # another branch reads like an unknown code
    ({"member_code": "", "organisation_code": ""}, "mã đảng viên hoặc mã tổ chức"),
    ({"kind": "disunity"}, "chỉ kết luận về tổ chức đảng"),
    ({"member_code": "", "organisation_code": "C2", "kind": "degraded"}, "chỉ kết luận về đảng viên"),
    ({"body_code": "XY"}, "Không tìm thấy cơ quan kết luận"),
    ({"body_code": "C2"}, "Cơ quan kết luận phải là"),
    ({"self_detected_fixed": "on"}, "cần ghi minh chứng"),
    ({"self_detected_fixed": "on", "self_fix_evidence": "Đã khắc phục"}, "số, ngày văn bản"),
    ({"self_fix_evidence": "Đã khắc phục"}, "Chỉ ghi minh chứng"),
])
def test_errors_in_vietnamese(cast, client_for, changes, message):
    resp = client_for(cast.alice).post(reverse("conclusion_create", args=[cast.PX.pk]), _form(**changes))
    assert resp.status_code == 200 and message in resp.content.decode()
    assert not Conclusion.objects.exists()


def test_access(cast, client_for):
    url = reverse("conclusion_create", args=[cast.PX.pk])
    for outsider in (cast.eve, cast.carol, cast.dave):
        assert client_for(outsider).get(reverse("conclusion_list", args=[cast.PX.pk])).status_code == 404
        assert client_for(outsider).post(url, _form()).status_code == 404
    assert client_for(cast.bob).get(reverse("conclusion_list", args=[cast.PX.pk])).status_code == 200
    assert client_for(cast.bob).post(url, _form()).status_code == 403
    assert not Conclusion.objects.exists()


def test_links_between_the_pages(cast, client_for):
    staff = client_for(cast.alice)
    assert reverse("conclusion_list", args=[cast.PX.pk]) in staff.get(reverse("discipline_list", args=[cast.PX.pk])).content.decode()
    assert reverse("conclusion_list", args=[cast.PX.pk]) in staff.get(reverse("org_detail", args=[cast.PX.pk])).content.decode()


def test_discipline_softening_needs_evidence_and_shows_it(cast, client_for):
    staff = client_for(cast.alice)
    url = reverse("discipline_create", args=[cast.PX.pk])
    data = {"member_code": "DV-002", "organisation_code": "", "form": "reprimand", "deciding_body_code": "PX",
            "decision_number": "12-QĐ/ĐU", "decided_on": "2025-06-01", "duty_related": "on", "self_detected_fixed": "on"}
    resp = staff.post(url, data)
    assert resp.status_code == 200 and "cần ghi minh chứng" in resp.content.decode()
    assert not Discipline.objects.exists()
    resp = staff.post(url, {**data, "self_fix_evidence": "Tự phát hiện kê khai sai, đã kê khai lại <i>ngay</i>",
                            "self_fix_reference": "Báo cáo 5-BC/CB, 02/4/2025"})
    assert resp.status_code == 302
    page = client_for(cast.bob).get(reverse("discipline_list", args=[cast.PX.pk])).content.decode()
    assert "Tự phát hiện, khắc phục" in page and "Minh chứng:" in page
    assert "kê khai lại &lt;i&gt;ngay&lt;/i&gt;" in page and "Báo cáo 5-BC/CB, 02/4/2025" in page
