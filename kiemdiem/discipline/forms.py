from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ConclusionKind, DisciplineForm


class SubjectFields(forms.Form):
    """A member or an organisation, by code (exactly one)."""

    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=40, required=False)
    organisation_code = forms.CharField(label=_("Hoặc mã tổ chức đảng"), max_length=40, required=False)

    def clean(self):
        data = super().clean()
        if bool((data.get("member_code") or "").strip()) == bool((data.get("organisation_code") or "").strip()):
            raise forms.ValidationError(_("Nhập mã đảng viên hoặc mã tổ chức đảng (chỉ một trong hai)."))
        return data


class SofteningFields(forms.Form):
    """QĐ 366 softening: the tick and its proof (the services refuse the tick without it)."""

    self_detected_fixed = forms.BooleanField(label=_("Tự phát hiện, tự khắc phục"), required=False)
    self_fix_evidence = forms.CharField(
        label=_("Minh chứng tự phát hiện, tự khắc phục"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Đã phát hiện và khắc phục việc gì, khi nào, căn cứ văn bản nào."))
    self_fix_reference = forms.CharField(label=_("Văn bản chứng minh (số, ngày)"), max_length=120, required=False)


class DisciplineCreateForm(SubjectFields, SofteningFields):
    form = forms.ChoiceField(label=_("Hình thức kỷ luật"), choices=DisciplineForm.choices)
    deciding_body_code = forms.CharField(label=_("Mã cấp quyết định"), max_length=40)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=80)
    decided_on = forms.DateField(label=_("Ngày quyết định"), widget=forms.DateInput(attrs={"type": "date"}))
    violation_on = forms.DateField(label=_("Thời điểm vi phạm"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    duty_related = forms.BooleanField(label=_("Liên quan đến thực hiện chức trách, nhiệm vụ"), required=False, initial=True)
    summary = forms.CharField(label=_("Nội dung vi phạm"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    field_order = ["member_code", "organisation_code", "form", "deciding_body_code", "decision_number", "decided_on",
                   "violation_on", "duty_related", "summary", "self_detected_fixed", "self_fix_evidence",
                   "self_fix_reference"]


class ConclusionCreateForm(SubjectFields, SofteningFields):
    kind = forms.ChoiceField(label=_("Nội dung kết luận"), choices=ConclusionKind.choices)
    body_code = forms.CharField(label=_("Mã cơ quan kết luận"), max_length=40,
                                help_text=_("Ủy ban Kiểm tra hoặc cấp ủy có thẩm quyền."))
    number = forms.CharField(label=_("Số kết luận"), max_length=80, help_text=_("Ví dụ: 12-KL/UBKT"))
    concluded_on = forms.DateField(label=_("Ngày kết luận"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Tóm tắt kết luận"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    field_order = ["member_code", "organisation_code", "kind", "body_code", "number", "concluded_on", "summary",
                   "self_detected_fixed", "self_fix_evidence", "self_fix_reference"]


class ConclusionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=1000)
