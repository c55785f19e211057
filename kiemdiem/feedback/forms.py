"""Forms for requesting, giving and absorbing feedback, and for the public opinion page."""
from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from kiemdiem.core.text import nfc
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews.choices import sections_for

from .choices import ANONYMOUS_SOURCES, Absorption, PointKind, SourceType
from .models import PublicPage

MAX_ROWS = 30
DEFAULT_ROWS = 5


# --- requests ------------------------------------------------------------------------------


class RequestForm(forms.Form):
    source_type = forms.ChoiceField(
        label=_("Nguồn góp ý"), choices=[(v, l) for v, l in SourceType.choices if v not in ANONYMOUS_SOURCES]
    )
    org_code = forms.CharField(label=_("Mã tổ chức góp ý"), required=False, max_length=40,
                               help_text=_("Với cấp ủy, cơ quan, tổ chức, chi bộ: ghi mã tổ chức."))
    member_code = forms.CharField(label=_("Mã đảng viên góp ý"), required=False, max_length=40,
                                  help_text=_("Với cá nhân là đảng viên có tài khoản: ghi mã đảng viên."))
    source_name = forms.CharField(label=_("Họ tên, chức danh người góp ý"), required=False, max_length=255)
    source_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    due = forms.DateField(label=_("Hạn góp ý"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_org_code(self):
        # Any organisation: a residence cell or a state body may sit in another branch. Only
        # its name is shown back, never anything below it.
        code = nfc(self.cleaned_data.get("org_code"))
        if not code:
            return None
        org = Organisation.objects.filter(code__iexact=code, dissolved__isnull=True).first()
        if org is None:
            raise forms.ValidationError(_("Không có tổ chức mang mã “%(code)s”.") % {"code": code})
        return org

    def clean_member_code(self):
        # A named member must be one the user can see (names are personal data).
        code = nfc(self.cleaned_data.get("member_code"))
        if not code:
            return None
        member = access.members(self.user, Action.VIEW).filter(code__iexact=code).first() if self.user else None
        if member is None:
            raise forms.ValidationError(_("Không có đảng viên mang mã “%(code)s”.") % {"code": code})
        return member

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "source_type": d["source_type"], "source_org": d.get("org_code"), "source_member": d.get("member_code"),
            "source_name": d.get("source_name") or "", "source_email": d.get("source_email") or "", "due": d.get("due"),
        }


BULK_KINDS = [
    ("leaders_residence", _("Mọi cán bộ lãnh đạo (mẫu 2A): chi ủy nơi cư trú nhận xét")),
    ("members_workplace", _("Mọi đảng viên: chi bộ nơi công tác góp ý")),
    ("units_superior", _("Mọi tổ chức: cấp ủy cấp trên góp ý")),
]


class BulkRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Đề nghị góp ý hàng loạt"), choices=BULK_KINDS)
    due = forms.DateField(label=_("Hạn góp ý"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class OverrideForm(forms.Form):
    reason = forms.CharField(label=_("Lý do cho phép nộp khi còn ý kiến chưa tiếp thu"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


# --- points --------------------------------------------------------------------------------


class PointsForm(forms.Form):
    """Repeated rows of (kind, text); empty rows are ignored. `rows` says how many rows the
    page shows ("Thêm dòng" asks for one more without saving)."""

    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ROWS, required=False)

    def __init__(self, *args, attributed: bool = True, rows: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        n = rows or self._rows_from_data() or DEFAULT_ROWS
        self.n_rows = max(1, min(n, MAX_ROWS))
        self.fields["rows"].initial = self.n_rows
        for i in range(self.n_rows):
            self.fields[f"kind_{i}"] = forms.ChoiceField(label=_("Loại ý kiến"), choices=PointKind.choices,
                                                         initial=PointKind.SUGGESTION, required=False)
            self.fields[f"text_{i}"] = forms.CharField(
                label=_("Nội dung"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
            )
        if attributed:
            self.fields["signed_as"] = forms.CharField(label=_("Người ký, chức danh"), required=False, max_length=255)
            self.fields["document_ref"] = forms.CharField(label=_("Số, ký hiệu văn bản"), required=False, max_length=80)

    def _rows_from_data(self) -> int:
        try:
            return int(self.data.get("rows") or 0)
        except (TypeError, ValueError):
            return 0

    def row_fields(self):
        return [(self[f"kind_{i}"], self[f"text_{i}"]) for i in range(self.n_rows)]

    def clean(self):
        data = super().clean()
        points = [(data.get(f"kind_{i}") or PointKind.SUGGESTION, nfc(data.get(f"text_{i}")))
                  for i in range(self.n_rows)]
        points = [(k, t) for k, t in points if t]
        if not points:
            raise forms.ValidationError(_("Cần ít nhất một ý kiến góp ý."))
        data["points"] = points
        return data


def points_with_extra_row(data) -> int:
    """Rows to show after "Thêm dòng": one more than posted, at most MAX_ROWS."""
    try:
        n = int(data.get("rows") or DEFAULT_ROWS)
    except (TypeError, ValueError):
        n = DEFAULT_ROWS
    return max(1, min(n + 1, MAX_ROWS))


class AbsorbForm(forms.Form):
    absorption = forms.ChoiceField(label=_("Tiếp thu, giải trình"), choices=Absorption.choices)
    section = forms.ChoiceField(label=_("Mục tiếp thu"), required=False)
    explanation = forms.CharField(label=_("Giải trình"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "—")] + list(sections_for(review.form) if review else [])


# --- the public opinion channel ------------------------------------------------------------

PUBLIC_SALT = "kiemdiem.feedback.public"
FORM_MAX_AGE = 24 * 3600


def form_stamp() -> str:
    """A signed timestamp put in the form when it is shown (how long the visitor spent on it)."""
    return signing.dumps({"t": time.time()}, salt=PUBLIC_SALT, compress=True)


def seconds_on_form(stamp: str) -> float | None:
    """Seconds since the form was shown, or None for a missing, forged or stale stamp."""
    try:
        data = signing.loads(stamp or "", salt=PUBLIC_SALT, max_age=FORM_MAX_AGE)
        return time.time() - float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


class PublicCommentForm(forms.Form):
    text = forms.CharField(label=_("Ý kiến của bạn"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    # the honeypot: hidden from people (hidden wrapper, no tab stop), filled in by bots
    website = forms.CharField(label=_("Để trống ô này"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    ts = forms.CharField(widget=forms.HiddenInput, required=False)


class PublicPageForm(forms.ModelForm):
    class Meta:
        model = PublicPage
        fields = ["slug", "title", "intro", "is_open"]
        labels = {
            "slug": _("Địa chỉ trang (không dấu, nối bằng gạch ngang)"),
            "title": _("Tiêu đề"),
            "intro": _("Lời giới thiệu"),
            "is_open": _("Đang mở nhận góp ý"),
        }
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}


MODERATE_DECISIONS = [
    ("shortcoming", _("Nhận: hạn chế, khuyết điểm")),
    ("strength", _("Nhận: ưu điểm")),
    ("suggestion", _("Nhận: đề nghị")),
    ("reject", _("Không nhận")),
]


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(choices=MODERATE_DECISIONS)
