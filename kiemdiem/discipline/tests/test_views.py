"""Discipline records pages: list per subtree, create by codes, Vietnamese errors, access."""
import pytest
from django.urls import reverse

from kiemdiem.discipline.models import Discipline


def _form(**kw):
    data = {"member_code": "DV-002", "organisation_code": "", "form": "reprimand", "deciding_body_code": "PX",
            "decision_number": "12-QĐ/ĐU", "decided_on": "2025-06-01", "violation_on": "2025-03-01",
            "duty_related": "on", "summary": "Chậm đóng đảng phí"}
    data.update(kw)
    return data


def test_create_and_list(cast, client_for):
    staff = client_for(cast.alice)
    url = reverse("discipline_create", args=[cast.PX.pk])
    assert staff.get(url).status_code == 200
    resp = staff.post(url, _form())
    assert resp.status_code == 302
    d = Discipline.objects.get()
    assert d.member == cast.members["an"] and d.deciding_body == cast.PX and d.duty_related and not d.self_detected_fixed
    page = client_for(cast.bob).get(reverse("discipline_list", args=[cast.PX.pk])).content.decode()
    assert "Nguyễn Thị An" in page and "12-QĐ/ĐU" in page and "Khiển trách" in page
    # an organisation
    resp = staff.post(url, _form(member_code="", organisation_code="C2", form="warning", decision_number="13-QĐ/ĐU"))
    assert resp.status_code == 302 and Discipline.objects.filter(organisation=cast.C2).exists()


@pytest.mark.parametrize("changes, message", [
    ({"member_code": "DV-005"}, "Không tìm thấy đảng viên"),  # another branch reads like an unknown code
    ({"member_code": "", "organisation_code": ""}, "mã đảng viên hoặc mã tổ chức"),
    ({"form": "dissolution"}, "không áp dụng"),
    ({"deciding_body_code": "XX"}, "Không tìm thấy cấp quyết định"),
    ({"violation_on": "2025-07-01"}, "không được sau ngày quyết định"),
    ({"deciding_body_code": "C2"}, "Cấp quyết định phải là tổ chức quản lý"),
])
def test_errors_in_vietnamese(cast, client_for, changes, message):
    resp = client_for(cast.alice).post(reverse("discipline_create", args=[cast.PX.pk]), _form(**changes))
    assert resp.status_code == 200 and message in resp.content.decode()
    assert not Discipline.objects.exists()


def test_access(cast, client_for):
    url = reverse("discipline_create", args=[cast.PX.pk])
    assert client_for(cast.eve).get(reverse("discipline_list", args=[cast.PX.pk])).status_code == 404
    assert client_for(cast.carol).post(url, _form()).status_code == 404
    assert client_for(cast.bob).post(url, _form()).status_code == 403
    assert not Discipline.objects.exists()


def test_list_shows_the_summary_escaped_within_the_subtree_only(cast, client_for):
    resp = client_for(cast.alice).post(reverse("discipline_create", args=[cast.PX.pk]),
                                       _form(summary="Chậm đóng đảng phí <b>3 tháng</b>"))
    assert resp.status_code == 302
    for user in (cast.alice, cast.bob):  # staff and the viewer of PX
        page = client_for(user).get(reverse("discipline_list", args=[cast.PX.pk])).content.decode()
        assert "Nội dung vi phạm" in page and "Chậm đóng đảng phí &lt;b&gt;3 tháng&lt;/b&gt;" in page
    for outsider in (cast.eve, cast.carol):
        resp = client_for(outsider).get(reverse("discipline_list", args=[cast.PX.pk]))
        assert resp.status_code == 404 and "Chậm đóng" not in resp.content.decode()
