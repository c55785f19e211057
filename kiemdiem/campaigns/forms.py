"""The campaign form: what a plan (kế hoạch) says. It only checks what a form can check; the
service (campaigns.services.campaign_create) has the last word and saves everything or nothing."""
from __future__ import annotations

import calendar
import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiemdiem.core.text import nfc
from kiemdiem.organisations.models import Organisation

from .choices import RULES_PROFILES, CampaignKind, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def lines(text: str) -> list[str]:
    """One entry per non-empty line (leading bullets and numbering dropped)."""
    out = []
    for line in (text or "").splitlines():
        line = nfc(re.sub(r"^\s*(?:[-–•*+]|\d+[.)])\s*", "", line))
        if line:
            out.append(line)
    return out


def codes(text: str) -> list[str]:
    """Organisation codes separated by commas, semicolons, spaces or new lines."""
    seen: list[str] = []
    for code in re.split(r"[\s,;]+", nfc(text or "")):
        if code and code not in seen:
            seen.append(code)
    return seen


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = 3 * (quarter - 1) + 1
    last = first + 2
    return datetime.date(year, first, 1), datetime.date(year, last, calendar.monthrange(year, last)[1])


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại đợt kiểm điểm"), choices=CampaignKind.choices)
    title = forms.CharField(label=_("Tiêu đề"), max_length=255)
    plan_number = forms.CharField(
        label=_("Số kế hoạch"), max_length=80, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: Kế hoạch số 25-KH/HU")}),
    )
    year = forms.IntegerField(label=_("Năm"), min_value=1990, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quý (đợt hằng quý)"), coerce=int, empty_value=None, required=False,
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
    )
    period_start = forms.DateField(
        label=_("Kỳ kiểm điểm từ ngày"), required=False, widget=DATE,
        help_text=_("Để trống với đợt hằng năm, hằng quý: lấy theo năm, quý."),
    )
    period_end = forms.DateField(label=_("Đến ngày"), required=False, widget=DATE)
    rules_profile = forms.ChoiceField(label=_("Quy định áp dụng"), choices=RULES_PROFILES, initial="qd366-2025")
    focus_contents = forms.CharField(
        label=_("Nội dung tự soi, tự sửa (mỗi dòng một nội dung)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    problem_areas = forms.CharField(
        label=_("Nhóm vấn đề trọng tâm (mỗi dòng một nhóm)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    excluded_codes = forms.CharField(
        label=_("Mã các nhánh không tham gia"), required=False,
        help_text=_("Các mã tổ chức, cách nhau bằng dấu phẩy hoặc xuống dòng."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, issuer: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuer = issuer
        self.fields["year"].initial = timezone.localdate().year
        for stage in Stage:
            self.fields[f"deadline_{stage.value}"] = forms.DateField(
                label=_("Hạn: %(stage)s") % {"stage": stage.label}, required=False, widget=DATE
            )

    @property
    def deadline_fields(self):
        return [self[f"deadline_{s.value}"] for s in Stage]

    def clean_title(self):
        title = nfc(self.cleaned_data["title"]).strip()
        if not title:
            raise forms.ValidationError(_("Cần nhập tiêu đề."))
        return title

    def clean_excluded_codes(self):
        wanted = codes(self.cleaned_data.get("excluded_codes", ""))
        if not wanted:
            return []
        # Only the issuer's subtree is searched: a code elsewhere reads like a code that does
        # not exist, so other branches cannot be probed through this form.
        found = {o.code: o for o in Organisation.objects.filter(code__in=wanted, path__startswith=self.issuer.path)}
        missing = [c for c in wanted if c not in found]
        if missing:
            raise forms.ValidationError(
                _("Không có tổ chức mang mã %(codes)s thuộc phạm vi của cấp ban hành.")
                % {"codes": ", ".join(f"“{c}”" for c in missing)}
            )
        if self.issuer.code in found:
            raise forms.ValidationError(_("Không thể loại trừ chính cấp ban hành."))
        return [found[c] for c in wanted]

    def clean(self):
        data = super().clean()
        kind, year, quarter = data.get("kind"), data.get("year"), data.get("quarter")
        start, end = data.get("period_start"), data.get("period_end")
        if kind == CampaignKind.QUARTERLY and not quarter:
            self.add_error("quarter", _("Đợt kiểm điểm hằng quý cần ghi rõ quý (1–4)."))
        if kind != CampaignKind.QUARTERLY:
            data["quarter"] = None
        if year and not (start and end):
            if kind == CampaignKind.ANNUAL:
                data["period_start"] = start or datetime.date(year, 1, 1)
                data["period_end"] = end or datetime.date(year, 12, 31)
            elif kind == CampaignKind.QUARTERLY and quarter:
                q_start, q_end = quarter_bounds(year, quarter)
                data["period_start"], data["period_end"] = start or q_start, end or q_end
            elif kind in (CampaignKind.END_OF_TERM, CampaignKind.THEMATIC):
                if not start:
                    self.add_error("period_start", _("Cần nhập ngày bắt đầu kỳ kiểm điểm."))
                if not end:
                    self.add_error("period_end", _("Cần nhập ngày kết thúc kỳ kiểm điểm."))
        for name in ("focus_contents", "problem_areas"):
            data[name] = lines(data.get(name, ""))
        for name in ("focus_contents", "problem_areas"):
            if any(len(t) > 500 for t in data[name]):
                self.add_error(name, _("Mỗi dòng không quá 500 ký tự."))
        if kind == CampaignKind.THEMATIC and not data.get("focus_contents"):
            self.add_error("focus_contents", _("Đợt kiểm điểm chuyên đề cần ít nhất một nội dung tự soi, tự sửa."))
        data["deadlines"] = {s.value: data[f"deadline_{s.value}"] for s in Stage if data.get(f"deadline_{s.value}")}
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return dict(
            issuer=self.issuer, title=d["title"], kind=d["kind"], year=d["year"], quarter=d["quarter"],
            period_start=d["period_start"], period_end=d["period_end"], plan_number=nfc(d["plan_number"]).strip(),
            rules_profile=d["rules_profile"], deadlines=d["deadlines"], focus_contents=d["focus_contents"],
            problem_areas=d["problem_areas"], excluded=d["excluded_codes"],
        )
