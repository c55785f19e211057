from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IssuedDocument, ReportDraft

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportDraftForm(forms.ModelForm):
    class Meta:
        model = ReportDraft
        fields = ["number", "parent_body", "issuing_body", "place", "issued_on", "title", "body", "signer_for",
                  "signer_title", "signer_name", "recipients"]
        widgets = {"issued_on": DATE, "body": forms.Textarea(attrs={"rows": 18}),
                   "recipients": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"body": _("Mỗi dòng là một đoạn; dòng “I. TIÊU ĐỀ” viết hoa là đề mục. Các biểu số liệu được lập lại từ dữ liệu khi tải về."),
                      "recipients": _("Mỗi dòng một nơi nhận.")}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Nội dung báo cáo không được để trống."))
        return body


class IssuedDocumentForm(forms.ModelForm):
    class Meta:
        model = IssuedDocument
        fields = ["kind", "number", "issued_on", "title"]
        widgets = {"issued_on": DATE}


class TermForm(forms.Form):
    term = forms.CharField(label=_("Nhiệm kỳ"), max_length=80, help_text=_("Ví dụ: IX (2020 – 2025)"))
    start = forms.DateField(label=_("Từ ngày"), widget=DATE)
    end = forms.DateField(label=_("Đến ngày"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("Ngày bắt đầu nhiệm kỳ phải trước ngày kết thúc."))
        return data
