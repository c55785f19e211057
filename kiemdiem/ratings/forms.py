from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import VoteMethod


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Ngày họp"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    chair = forms.ModelChoiceField(label=_("Chủ trì"), queryset=None, required=False)
    secretary = forms.ModelChoiceField(label=_("Thư ký"), queryset=None, required=False)
    agenda = forms.CharField(label=_("Chương trình"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = members
        self.fields["secretary"].queryset = members
        for name in ("chair", "secretary"):
            self.fields[name].label_from_instance = lambda m: f"{m.full_name} ({m.code})"


class ContributionForm(forms.Form):
    subject = forms.IntegerField(widget=forms.HiddenInput)
    speaker = forms.IntegerField(required=False)
    text = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 2}))


class ConclusionsForm(forms.Form):
    conclusions = forms.CharField(label=_("Kết luận của hội nghị"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class VoteOpenForm(forms.Form):
    subject = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("Hình thức"), choices=VoteMethod.choices)


class ReceiptForm(forms.Form):
    vote = forms.IntegerField(label=_("Cuộc bỏ phiếu"))
    code = forms.CharField(label=_("Mã biên nhận"), max_length=16)


class QuotaRaiseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do nâng tỷ lệ lên 25%"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy kết quả (Mẫu 03)"), widget=forms.Textarea(attrs={"rows": 2}))
