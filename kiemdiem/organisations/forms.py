import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiemdiem.core.text import nfc

from .models import Organisation


class _OrgByCode(forms.CharField):
    """An organisation typed by its code (the tree is too big for a drop-down)."""

    def clean(self, value):
        code = nfc(super().clean(value))
        try:
            return Organisation.objects.get(code=code)
        except Organisation.DoesNotExist:
            raise forms.ValidationError(_("Không có tổ chức mang mã “%(code)s”.") % {"code": code})


class _Restructure(forms.Form):
    on_date = forms.DateField(label=_("Ngày hiệu lực"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Lý do, căn cứ quyết định"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_date"].initial = timezone.localdate()

    def clean_reason(self):
        return nfc(self.cleaned_data["reason"])

    def clean_on_date(self):
        day = self.cleaned_data["on_date"]
        if day > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("Ngày hiệu lực quá xa trong tương lai."))
        return day


class MoveForm(_Restructure):
    new_parent = _OrgByCode(label=_("Mã tổ chức cấp trên mới"))


class MergeForm(_Restructure):
    target = _OrgByCode(label=_("Mã tổ chức tiếp nhận"))


class DissolveForm(_Restructure):
    pass


class TreeDateForm(forms.Form):
    date = forms.DateField(label=_("Xem cây tổ chức tại ngày"), widget=forms.DateInput(attrs={"type": "date"}))
