"""Conclusions (kết luận) and the softening evidence: constraints, services, audit."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kiemdiem.core.models import AuditEvent
from kiemdiem.discipline.models import Conclusion, Discipline
from kiemdiem.discipline.services import conclusion_cancel, conclusion_record, discipline_record
from kiemdiem.organisations.models import Member

D = datetime.date


def _conclude(cast, **kw):
    args = dict(actor=cast.alice, member=cast.members["an"], kind="prohibitions", body=cast.PX, number="12-KL/UBKT",
                concluded_on=D(2025, 6, 1))
    args.update(kw)
    return conclusion_record(**args)


def test_the_database_wants_one_subject_and_evidence_for_a_softening(cast):
    an = cast.members["an"]
    common = dict(unit=cast.C1, org_path=cast.C1.path, kind="degraded", body=cast.PX, number="1-KL/UBKT",
                  concluded_on=D(2025, 6, 1))
    for bad in ({"member": an, "organisation": cast.C1}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Conclusion.objects.create(**common, **bad)
    with pytest.raises(IntegrityError), transaction.atomic():
        Conclusion.objects.create(**common, member=an, self_detected_fixed=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Discipline.objects.create(member=an, unit=cast.C1, org_path=cast.C1.path, form="reprimand", deciding_body=cast.PX,
                                  decision_number="1-QĐ/ĐU", decided_on=D(2025, 6, 1), self_detected_fixed=True)
    Conclusion.objects.create(**common, member=an, self_detected_fixed=True, self_fix_evidence="Đã nộp lại")


def test_record_keeps_the_unit_and_writes_an_audit_row(cast):
    c = _conclude(cast, number="  12-KL/UBKT ", summary="Nhận quà  biếu")
    assert (c.member, c.unit, c.org_path, c.number, c.summary) == (cast.members["an"], cast.C1, cast.C1.path,
                                                                  "12-KL/UBKT", "Nhận quà biếu")
    assert c.created_by == cast.alice and not c.is_cancelled
    event = AuditEvent.objects.get(action="conclusion.record")
    assert event.org_path == cast.C1.path and event.changes["number"] == "12-KL/UBKT"
    org = _conclude(cast, member=None, organisation=cast.C2, kind="disunity", number="13-KL/UBKT")
    assert org.unit == cast.C2 and org.org_path == cast.C2.path


@pytest.mark.parametrize("changes, message", [
    ({"kind": "disunity"}, "chỉ kết luận về tổ chức đảng"),
    ({"member": None, "organisation": "C1", "kind": "degraded"}, "chỉ kết luận về đảng viên"),
    ({"member": None, "organisation": "C1", "kind": "corruption_in_remit"}, "chỉ kết luận về đảng viên"),
    ({"member": None, "organisation": None}, "một đảng viên hoặc một tổ chức"),
    ({"organisation": "C2", "kind": "disunity"}, "một đảng viên hoặc một tổ chức"),
    ({"kind": "nonsense"}, "không hợp lệ"),
    ({"number": "  "}, "Cần ghi số kết luận"),
    ({"concluded_on": D(2999, 1, 1)}, "không được sau ngày hôm nay"),
    ({"body": "C2"}, "Cơ quan kết luận phải là"),  # a sibling cell
    ({"body": "XY"}, "Cơ quan kết luận phải là"),  # another branch
    ({"self_detected_fixed": True}, "cần ghi minh chứng"),
    ({"self_detected_fixed": True, "self_fix_evidence": "Đã nộp lại quà"}, "số, ngày văn bản"),
    ({"self_fix_evidence": "Đã nộp lại quà"}, "Chỉ ghi minh chứng"),
])
def test_refusals_in_vietnamese(cast, changes, message):
    changes = {k: (cast.orgs[v] if k in ("body", "organisation") and isinstance(v, str) else v) for k, v in changes.items()}
    with pytest.raises(ValidationError, match=message):
        _conclude(cast, **changes)
    assert not Conclusion.objects.exists() and not AuditEvent.objects.filter(action="conclusion.record").exists()


def test_disunity_is_concluded_about_an_organisation(cast):
    assert _conclude(cast, member=None, organisation=cast.C1, kind="disunity").kind == "disunity"


def test_the_inspection_commission_of_a_managing_committee_may_conclude(cast):
    """An advisory organ (Ủy ban Kiểm tra, Ban Tổ chức) directly under a committee that manages
    the subject concludes about it; not about a subject of another branch."""
    assert _conclude(cast, body=cast.BTCA).body == cast.BTCA
    with pytest.raises(ValidationError, match="Cơ quan kết luận phải là"):
        _conclude(cast, member=cast.members["dung"], body=cast.BTCA)


def test_an_inactive_member_is_refused(cast):
    Member.objects.filter(pk=cast.members["an"].pk).update(status="expelled")
    with pytest.raises(ValidationError, match="không còn sinh hoạt"):
        _conclude(cast, member=Member.objects.get(pk=cast.members["an"].pk))


def test_softening_is_recorded_with_its_evidence(cast):
    c = _conclude(cast, self_detected_fixed=True, self_fix_evidence="Tự báo cáo chi bộ ngày 3/3/2025,  đã nộp lại quà",
                  self_fix_reference="Biên bản họp chi bộ 03/3/2025")
    assert c.self_detected_fixed and c.self_fix_evidence == "Tự báo cáo chi bộ ngày 3/3/2025, đã nộp lại quà"
    assert AuditEvent.objects.get(action="conclusion.record").changes["self_fix_reference"] == "Biên bản họp chi bộ 03/3/2025"


def test_discipline_softening_needs_evidence(cast):
    kw = dict(actor=None, member=cast.members["an"], form="reprimand", deciding_body=cast.PX, decision_number="1-QĐ/ĐU",
              decided_on=D(2025, 6, 1))
    with pytest.raises(ValidationError, match="cần ghi minh chứng"):
        discipline_record(**kw, self_detected_fixed=True)
    with pytest.raises(ValidationError, match="số, ngày văn bản"):
        discipline_record(**kw, self_detected_fixed=True, self_fix_evidence="Đã tự khắc phục")
    with pytest.raises(ValidationError, match="Chỉ ghi minh chứng"):
        discipline_record(**kw, self_fix_reference="BB 1/3/2025")
    with pytest.raises(ValidationError, match="không hợp lệ"):
        discipline_record(**{**kw, "form": "flogging"})
    assert not Discipline.objects.exists()
    d = discipline_record(**kw, self_detected_fixed=True, self_fix_evidence="Tự phát hiện sai sót kê khai, đã kê khai lại",
                          self_fix_reference="Báo cáo số 5-BC/CB, 02/4/2025")
    assert d.self_detected_fixed and d.self_fix_reference == "Báo cáo số 5-BC/CB, 02/4/2025"


def test_cancel_keeps_the_row_with_the_reason(cast):
    c = _conclude(cast)
    with pytest.raises(ValidationError, match="lý do hủy"):
        conclusion_cancel(actor=cast.alice, conclusion=c, reason="  ")
    c = conclusion_cancel(actor=cast.alice, conclusion=c, reason="Ghi nhầm  đối tượng")
    c.refresh_from_db()
    assert c.is_cancelled and c.cancel_reason == "Ghi nhầm đối tượng" and c.cancelled_by == cast.alice
    event = AuditEvent.objects.get(action="conclusion.cancel")
    assert event.reason == "Ghi nhầm đối tượng" and event.changes["conclusion"] == c.pk
    with pytest.raises(ValidationError, match="đã bị hủy"):
        conclusion_cancel(actor=cast.alice, conclusion=c, reason="Lần nữa")
