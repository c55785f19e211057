from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DisciplineForm


class DisciplineCreateForm(forms.Form):
    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=40, required=False)
    organisation_code = forms.CharField(label=_("Hoặc mã tổ chức đảng"), max_length=40, required=False)
    form = forms.ChoiceField(label=_("Hình thức kỷ luật"), choices=DisciplineForm.choices)
    deciding_body_code = forms.CharField(label=_("Mã cấp quyết định"), max_length=40)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=80)
    decided_on = forms.DateField(label=_("Ngày quyết định"), widget=forms.DateInput(attrs={"type": "date"}))
    violation_on = forms.DateField(label=_("Thời điểm vi phạm"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    duty_related = forms.BooleanField(label=_("Liên quan đến thực hiện chức trách, nhiệm vụ"), required=False, initial=True)
    self_detected_fixed = forms.BooleanField(label=_("Tự phát hiện, tự khắc phục"), required=False)
    summary = forms.CharField(label=_("Nội dung vi phạm"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        if bool((data.get("member_code") or "").strip()) == bool((data.get("organisation_code") or "").strip()):
            raise forms.ValidationError(_("Nhập mã đảng viên hoặc mã tổ chức đảng (chỉ một trong hai)."))
        return data
