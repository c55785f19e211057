from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import TaskStatus

_DATE = forms.DateInput(attrs={"type": "date"})


class TaskCreateForm(forms.Form):
    title = forms.CharField(label=_("Nhiệm vụ"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    assigned_by = forms.CharField(label=_("Người giao"), max_length=255, required=False)
    assigned_on = forms.DateField(label=_("Ngày giao"), required=False, widget=_DATE)
    deadline = forms.DateField(label=_("Hạn hoàn thành"), widget=_DATE)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=TaskStatus.choices, initial=TaskStatus.PENDING)
    completed_on = forms.DateField(label=_("Ngày hoàn thành"), required=False, widget=_DATE)
    quality_met = forms.BooleanField(label=_("Bảo đảm chất lượng"), required=False, initial=True)
    evidence = forms.CharField(label=_("Minh chứng"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=TaskStatus.choices)
    completed_on = forms.DateField(label=_("Ngày hoàn thành"), required=False, widget=_DATE)
    quality_met = forms.BooleanField(label=_("Bảo đảm chất lượng"), required=False)
    evidence = forms.CharField(label=_("Minh chứng"), max_length=10_000, required=False)


class DeclarationForm(forms.Form):
    period_start = forms.DateField(label=_("Từ ngày"), widget=_DATE)
    period_end = forms.DateField(label=_("Đến ngày"), widget=_DATE)
    on_time_pct = forms.DecimalField(label=_("Tỷ lệ hoàn thành đúng tiến độ (%)"), min_value=0, max_value=100, decimal_places=2)
    beyond_pct = forms.DecimalField(label=_("Trong đó vượt yêu cầu (%)"), min_value=0, max_value=100, decimal_places=2, initial=0)
    late_pct = forms.DecimalField(label=_("Tỷ lệ chậm tiến độ (%)"), min_value=0, max_value=100, decimal_places=2, initial=0)
    failed_pct = forms.DecimalField(label=_("Tỷ lệ không hoàn thành (%)"), min_value=0, max_value=100, decimal_places=2, initial=0)
    all_quality_met = forms.BooleanField(label=_("Tất cả nhiệm vụ bảo đảm chất lượng"), required=False, initial=True)
    basis = forms.CharField(label=_("Căn cứ"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Văn bản, báo cáo kết quả làm căn cứ cho bản kê khai."))


class ConfidenceVoteForm(forms.Form):
    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=40)
    held_on = forms.DateField(label=_("Ngày lấy phiếu"), widget=_DATE)
    total = forms.IntegerField(label=_("Số phiếu phát ra"), min_value=1)
    high = forms.IntegerField(label=_("Tín nhiệm cao"), min_value=0)
    medium = forms.IntegerField(label=_("Tín nhiệm"), min_value=0)
    low = forms.IntegerField(label=_("Tín nhiệm thấp"), min_value=0)
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, required=False)
