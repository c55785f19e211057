from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .choices import CellMeetingKind

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(forms.Form):
    what = forms.CharField(label=_l("Biện pháp khắc phục"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    who = forms.CharField(label=_l("Người thực hiện"), max_length=255)
    deadline = forms.DateField(label=_l("Thời hạn"), widget=DATE)
    expected_evidence = forms.CharField(label=_l("Kết quả, minh chứng dự kiến"), max_length=500, required=False)


class CompleteForm(forms.Form):
    note = forms.CharField(label=_l("Ghi chú minh chứng"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    link = forms.URLField(label=_l("Đường dẫn minh chứng"), required=False, assume_scheme="https")
    file = forms.FileField(label=_l("Tệp minh chứng"), required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (%(size)d MB); tối đa %(max)d MB.") % {
                "size": upload.size // (1024 * 1024), "max": MAX_EVIDENCE_BYTES // (1024 * 1024)})
        return upload


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_l("Kết luận"), coerce=lambda v: v == "yes",
        choices=[("yes", _l("Khắc phục có hiệu quả")), ("no", _l("Chưa hiệu quả, khắc phục lại"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_l("Nhận xét về hiệu quả khắc phục"), widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_l("Ngày họp"), widget=DATE)
    kind = forms.ChoiceField(label=_l("Loại sinh hoạt"), choices=CellMeetingKind.choices)
    title = forms.CharField(label=_l("Nội dung"), max_length=255, required=False)

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > datetime.date.today():
            raise forms.ValidationError(_l("Ngày họp không được sau hôm nay."))
        return day



class MonthForm(forms.Form):
    month = forms.CharField(label=_l("Tháng (mm/yyyy)"), max_length=7)
    paid_on = forms.DateField(label=_l("Ngày nộp"), widget=DATE)

    def clean_month(self):
        text = self.cleaned_data["month"].strip()
        try:
            mm, yyyy = text.split("/")
            return datetime.date(int(yyyy), int(mm), 1)
        except (ValueError, TypeError):
            raise forms.ValidationError(_l("Tháng phải ghi dạng mm/yyyy, ví dụ 03/2025."))


class ProposeForm(forms.Form):
    reason = forms.CharField(label=_l("Lý do đề nghị"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    remove = forms.TypedChoiceField(
        label=_l("Quyết định"), coerce=lambda v: v == "yes",
        choices=[("yes", _l("Xóa tên")), ("no", _l("Không xóa tên"))], widget=forms.RadioSelect,
    )
    decision_number = forms.CharField(label=_l("Số quyết định"), max_length=80, required=False)
    decided_on = forms.DateField(label=_l("Ngày quyết định"), widget=DATE)


class StudySessionForm(forms.Form):
    held_on = forms.DateField(label=_l("Ngày học tập"), widget=DATE)
    title = forms.CharField(label=_l("Nghị quyết, chuyên đề"), max_length=255)


class CommitmentForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(label=_l("Năm"), min_value=2000, max_value=2100)
    text = forms.CharField(label=_l("Nội dung cam kết"), widget=forms.Textarea(attrs={"rows": 2}))
    submitted_on = forms.DateField(label=_l("Ngày nộp"), widget=DATE)
