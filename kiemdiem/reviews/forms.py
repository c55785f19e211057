"""The report editor and the small action forms.

The editor takes plain text, the way people type on a phone: paragraphs separated by a blank
line, "- " for a bulleted list, "1. " for a numbered one, **bold** and *italic*. It becomes
HTML here (escaped first, so nothing typed can inject markup) and the service sanitises it
again to p/ul/ol/li/strong/em. Loading a saved report turns the HTML back into the same text.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from kiemdiem.core import widgets

from . import part_b
from .choices import FixState, sections_for

# --- plain text <-> HTML -------------------------------------------------------------------

_BULLET = re.compile(r"^\s*[-*•+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")


def _inline(text: str) -> str:
    out = html.escape(text.strip(), quote=False)
    out = _STRONG.sub(r"<strong>\1</strong>", out)
    return _EM.sub(r"<em>\1</em>", out)


def text_to_html(text: str) -> str:
    """Plain text as typed in the editor -> paragraphs and lists."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush_para():
        if para:
            out.append("<p>" + "<br>".join(_inline(line) for line in para) + "</p>")
            para.clear()

    def flush_list():
        nonlocal list_tag
        if items:
            out.append(f"<{list_tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for line in lines:
        if not line.strip():
            flush_para()
            flush_list()
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        match, tag = (bullet, "ul") if bullet else (numbered, "ol") if numbered else (None, "")
        if match:
            flush_para()
            if list_tag and list_tag != tag:
                flush_list()
            list_tag = tag
            items.append(match.group(1))
        elif items and line[:1].isspace():
            items[-1] += " " + line.strip()  # an indented line continues the list item
        else:
            flush_list()
            para.append(line)
    flush_para()
    flush_list()
    return "".join(out)


@dataclass
class Block:
    """A paragraph (kind "p") or one list item (kind "ul"/"ol", with its number for "ol");
    runs are (text, bold, italic); a line break is a run "\\n"."""

    kind: str
    runs: list[tuple[str, bool, bool]] = field(default_factory=list)
    number: int = 0

    @property
    def text(self) -> str:
        return "".join(r[0] for r in self.runs).strip()


class _BlockParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.lists: list[list] = []  # stack of [tag, counter]
        self.current: Block | None = None
        self.bold = 0
        self.italic = 0

    def _block(self, kind: str, number: int = 0) -> Block:
        self.current = Block(kind, number=number)
        self.blocks.append(self.current)
        return self.current

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._block("p")
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.current = None
        elif tag == "li":
            kind, n = (self.lists[-1][0], self.lists[-1][1] + 1) if self.lists else ("ul", 0)
            if self.lists:
                self.lists[-1][1] = n
            self._block(kind, n)
        elif tag == "br":
            if self.current is not None:
                self.current.runs.append(("\n", False, False))
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1

    def handle_endtag(self, tag):
        if tag in ("p", "li"):
            self.current = None
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)

    def handle_data(self, data):
        if not data.strip() and self.current is None:
            return
        if self.current is None:
            self._block("p")
        self.current.runs.append((data, self.bold > 0, self.italic > 0))


def html_blocks(value: str) -> list[Block]:
    parser = _BlockParser()
    parser.feed(value or "")
    parser.close()
    return [b for b in parser.blocks if b.text]


def html_to_text(value: str) -> str:
    """Saved (sanitised) HTML -> the editor's plain text."""
    chunks: list[str] = []
    previous = ""
    for block in html_blocks(value):
        text = ""
        for run, bold, italic in block.runs:
            if run == "\n":
                text += "\n"
                continue
            stripped = run.strip()
            if stripped and bold:
                run = run.replace(stripped, f"**{stripped}**", 1)
            elif stripped and italic:
                run = run.replace(stripped, f"*{stripped}*", 1)
            text += run
        text = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
        if block.kind == "p":
            chunks.append(("\n\n" if chunks else "") + text)
        else:
            marker = f"{block.number}. " if block.kind == "ol" else "- "
            sep = "\n" if previous == block.kind else ("\n\n" if chunks else "")
            chunks.append(sep + marker + text)
        previous = block.kind
    return "".join(chunks)


# --- the editor ----------------------------------------------------------------------------

def field_name(code: str) -> str:
    """Section code -> form field name ("I.1" -> "sec_I_1")."""
    return "sec_" + code.replace(".", "_")


class ScoreField(forms.DecimalField):
    """A score typed with a comma or a dot ("27,5" or "27.5")."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


def score_text(value) -> str:
    """27.5 -> "27,5" (in Vietnamese), 60.0 -> "60"."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _score(maximum, label, **attrs) -> ScoreField:
    return ScoreField(
        label=label, required=False, min_value=0, max_value=maximum, max_digits=4, decimal_places=1,
        error_messages={
            "invalid": _("Nhập một số, ví dụ 27 hoặc 27,5."),
            "min_value": _("Điểm không được âm."),
            "max_value": _("Điểm tối đa là %(limit_value)s."),
            "max_decimal_places": _("Chỉ ghi một chữ số thập phân."),
            "max_digits": _("Điểm không hợp lệ."),
            "max_whole_digits": _("Điểm không hợp lệ."),
        },
        widget=widgets.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "score", **attrs}),
    )


def criterion_field(code: str) -> str:
    """Part B field of a criteria group's points ("crit_…") or a criterion's grade ("grade_…")."""
    return "crit_" + code


def grade_field(code: str) -> str:
    return "grade_" + code


class ReviewEditForm(forms.Form):
    """All sections of the report in one form. Built from the review's sections, its section
    III items (`priors`), section IV prompts (`prompts`) and part B as the campaign's rules
    profile asks it for the review's subject type (`part_b.spec_for`): QĐ 366 the points of
    each criteria group (the common points are their sum) and of the tasks; QĐ 124 a grade per
    criterion; legacy only the level. The levels offered are the profile's for the subject."""

    base_version = forms.IntegerField(widget=widgets.HiddenInput, min_value=0)
    shortcomings = forms.CharField(
        label=_("Các hạn chế, khuyết điểm (mỗi dòng một nội dung)"), required=False,
        widget=widgets.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng là một hạn chế sẽ được theo dõi khắc phục."),
    )

    def __init__(self, review, priors, prompts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.priors = list(priors)
        self.prompts = list(prompts)
        self.sections = list(sections_for(review.form))
        for code, label in self.sections:
            self.fields[field_name(code)] = forms.CharField(
                label=label, required=False, widget=widgets.Textarea(attrs={"rows": 6 if code != "I" else 3}),
            )
        state_choices = [("", _("— Chưa đánh giá —")), *FixState.choices]
        for prior in self.priors:
            self.fields[f"prior_{prior.pk}_state"] = forms.ChoiceField(
                label=_("Kết quả khắc phục"), required=False, choices=state_choices, widget=widgets.Select,
                error_messages={"invalid_choice": _("Tình trạng khắc phục không hợp lệ.")},
            )
            self.fields[f"prior_{prior.pk}_comment"] = forms.CharField(
                label=_("Ghi chú"), required=False, widget=widgets.Textarea(attrs={"rows": 2}),
            )
        for prompt in self.prompts:
            self.fields[f"prompt_{prompt.pk}"] = forms.CharField(
                label=_("Giải trình"), required=False, widget=widgets.Textarea(attrs={"rows": 4}),
            )
        self.spec = part_b.spec_for(review)
        for group in self.spec.groups:
            self.fields[criterion_field(group.code)] = _score(
                group.max_points, _("%(name)s (tối đa %(max)s điểm)") % {"name": group.name, "max": score_text(group.max_points)},
                **{"data-group-max": str(group.max_points)})
        if self.spec.scored:
            self.fields["self_score_tasks"] = _score(
                self.spec.tasks_max, _("Kết quả thực hiện nhiệm vụ (tối đa %(max)s điểm)") % {"max": score_text(self.spec.tasks_max)},
                **{"data-tasks-max": str(self.spec.tasks_max)})
        grades = [("", _("— Chưa đánh giá —")), *((lv.code, lv.name) for lv in self.spec.levels)]
        for criterion in self.spec.graded:
            self.fields[grade_field(criterion.code)] = forms.ChoiceField(
                label=criterion.name, required=False, choices=grades, widget=widgets.Select,
                error_messages={"invalid_choice": _("Mức đánh giá không hợp lệ.")})
        self.fields["proposed_level"] = forms.ChoiceField(
            label=_("Tự đề xuất mức xếp loại"), required=False, widget=widgets.Select,
            choices=[("", _("— Chọn mức xếp loại —")), *((lv.code, lv.name) for lv in self.spec.levels)],
            error_messages={"invalid_choice": _("Mức xếp loại không hợp lệ.")},
        )
        if not self.is_bound:
            self.initial.update(self.initial_from(review))

    def clean(self):
        data = super().clean()
        for group in self.spec.groups:  # points in steps of half a point
            name = criterion_field(group.code)
            if data.get(name) is not None and data[name] % part_b.Decimal("0.5"):
                self.add_error(name, _("Điểm chỉ chấm đến 0,5 (ví dụ 5 hoặc 5,5)."))
        return data

    def initial_from(self, review) -> dict:
        data = {
            "base_version": review.version,
            "shortcomings": "\n".join(s.text for s in review.shortcomings.all()),
            "self_score_tasks": score_text(review.self_score_tasks),
            "proposed_level": review.proposed_level,
        }
        criteria = review.criteria or {}
        for group in self.spec.groups:
            if group.code in criteria:
                data[criterion_field(group.code)] = score_text(part_b.Decimal(criteria[group.code]))
        for criterion in self.spec.graded:
            data[grade_field(criterion.code)] = criteria.get(criterion.code, "")
        for code, _label in self.sections:
            data[field_name(code)] = html_to_text((review.content or {}).get(code, ""))
        for prior in self.priors:
            data[f"prior_{prior.pk}_state"] = prior.state
            data[f"prior_{prior.pk}_comment"] = prior.comment
        for prompt in self.prompts:
            data[f"prompt_{prompt.pk}"] = prompt.answer
        return data

    # what the template walks through
    def section_rows(self):
        return [(code, label, self[field_name(code)]) for code, label in self.sections]

    def prior_rows(self):
        return [(p, self[f"prior_{p.pk}_state"], self[f"prior_{p.pk}_comment"]) for p in self.priors]

    def prompt_rows(self):
        return [(p, self[f"prompt_{p.pk}"]) for p in self.prompts]

    def part_b(self) -> dict:
        """Part B's fields for the template, and the common points and total as typed so far
        (shown without script; a small script keeps them up to date while typing)."""
        groups = [self[criterion_field(g.code)] for g in self.spec.groups]
        common = total = None
        if self.spec.scored:
            values = [_typed(f.value()) for f in groups]
            if all(v is not None for v in values) and values:
                common = sum(values)
                tasks = _typed(self["self_score_tasks"].value())
                total = common + tasks if tasks is not None else None
        return {
            "spec": self.spec,
            "groups": groups,
            "tasks": self["self_score_tasks"] if self.spec.scored else None,
            "graded": [self[grade_field(c.code)] for c in self.spec.graded],
            "level": self["proposed_level"],
            "common": score_text(common) if common is not None else "",
            "total": score_text(total) if total is not None else "",
            "common_max": score_text(self.spec.common_max) if self.spec.scored else "",
            "total_max": score_text(self.spec.total_max) if self.spec.scored else "",
        }

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "base_version": d["base_version"],
            "content": {code: text_to_html(d[field_name(code)]) for code, _label in self.sections},
            "shortcomings": [line for line in d["shortcomings"].splitlines() if line.strip()],
            "priors": {p.pk: (d[f"prior_{p.pk}_state"], d[f"prior_{p.pk}_comment"]) for p in self.priors},
            "prompt_answers": {p.pk: d[f"prompt_{p.pk}"] for p in self.prompts},
            # the common points are the sum of the groups (the service adds them up)
            "self_score_common": None,
            "self_score_tasks": d.get("self_score_tasks"),
            "proposed_level": d["proposed_level"],
            "criteria": {
                **{g.code: d.get(criterion_field(g.code)) for g in self.spec.groups},
                **{c.code: d.get(grade_field(c.code)) for c in self.spec.graded},
            },
        }


def _typed(value):
    """A score field's value as typed ("27,5"), as a Decimal; None if blank or not a number."""
    if value in (None, ""):
        return None
    try:
        number = part_b.Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


# --- actions -------------------------------------------------------------------------------

class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Nội dung yêu cầu bổ sung"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 3}))


class PromptForm(forms.Form):
    issued_by = forms.TypedChoiceField(label=_("Cấp gợi ý"), coerce=int, choices=())
    text = forms.CharField(label=_("Nội dung gợi ý kiểm điểm"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, orgs, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.orgs = {o.pk: o for o in orgs}
        self.fields["issued_by"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["issued_by"].error_messages["invalid_choice"] = _("Chỉ chọn được cấp trên mà bạn phụ trách.")
        if orgs:
            self.initial.setdefault("issued_by", orgs[0].pk)


class ScheduleForm(forms.Form):
    # <input type="date"> speaks ISO dates whatever the page's language
    meeting_date = forms.DateField(
        label=_("Ngày hội nghị kiểm điểm"), input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    circulated_on = forms.DateField(
        label=_("Ngày gửi dự thảo đến người dự họp"), required=False, input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(required=False)
    b = forms.IntegerField(required=False)

