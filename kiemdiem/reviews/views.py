"""Pages for one review report: read it laid out like the form, edit it (optimistic lock, with
a merge view when someone saved first), move it through the workflow, compare its versions,
export it as DOCX; and the member's own list ("Kiểm điểm của tôi").

Each view gets the review through `selectors.get_review` (404 outside the user's part of the
tree) and checks what the user may do with `powers()` (403 when visible but not allowed)."""
from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kiemdiem.campaigns.choices import Stage
from kiemdiem.core.text import unaccent
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.choices import PositionRole
from kiemdiem.organisations.models import Organisation, Position

from . import part_b, selectors, services
from .choices import AWAITING_DECISION, DONE, EDITABLE, sections_for
from .forms import (
    CommentForm,
    CompareForm,
    PromptForm,
    ReopenForm,
    ReturnForm,
    ReviewEditForm,
    ScheduleForm,
    field_name,
    html_to_text,
    score_text,
)
from .models import Review, ReviewVersion

# --- who may do what -----------------------------------------------------------------------


@dataclass
class Powers:
    own: bool = False  # the member whose review it is
    manage: bool = False  # staff/committee with MANAGE on the review's unit
    participant: bool = False  # a leader taking part in a collective review
    superuser: bool = False
    prompt_orgs: list = field(default_factory=list)  # organisations above the unit the user manages

    @property
    def write(self) -> bool:  # edit and submit
        return self.own or self.manage

    @property
    def decide(self) -> bool:  # return, accept, finalise, reopen: not on one's own report
        return self.manage and (not self.own or self.superuser)

    @property
    def comment(self) -> bool:
        return self.own or self.manage or self.participant

    @property
    def prompt(self) -> bool:
        return bool(self.prompt_orgs)

    @property
    def schedule(self) -> bool:
        return self.manage


def superior_orgs(user, review: Review) -> list[Organisation]:
    """Organisations strictly above the review's unit on which the user has MANAGE, highest
    first (the default issuer of a prompt)."""
    scope = access.scope_for(user)
    if not scope.superuser and not scope.prefixes(Action.MANAGE):
        return []
    ids = [int(x) for x in review.org_path.split(".") if x][:-1]
    orgs = Organisation.objects.filter(pk__in=ids, dissolved__isnull=True).order_by("depth")
    return [o for o in orgs if scope.allows(o.path, Action.MANAGE) and review.org_path.startswith(o.path)
            and o.path != review.org_path]


def powers(user, review: Review, participant_ids: set[int] | None = None, with_prompts: bool = True) -> Powers:
    scope = access.scope_for(user)
    own = scope.member_id is not None and review.member_id == scope.member_id
    if participant_ids is not None:
        participant = bool(scope.member_id) and scope.member_id in participant_ids
    else:
        participant = selectors.is_participant(user, review)
    return Powers(
        own=own,
        manage=scope.allows(review.org_path, Action.MANAGE),
        participant=participant,
        superuser=scope.superuser,
        prompt_orgs=superior_orgs(user, review) if with_prompts else [],
    )


def get_review_for(user, review_id, power: str) -> tuple[Review, Powers]:
    """The review (404 if not visible) and the user's powers; 403 unless `power` is allowed."""
    review = selectors.get_review(user, review_id)
    p = powers(user, review, with_prompts=power == "prompt")
    if not getattr(p, power):
        raise PermissionDenied
    return review, p


# --- helpers -------------------------------------------------------------------------------


def positions_of(review: Review) -> list[Position]:
    """The member's posts at the end of the campaign's period (Mẫu 2A shows them)."""
    if not review.member_id:
        return []
    end = review.campaign.period_end
    return list(
        Position.objects.filter(member_id=review.member_id, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gt=end))
        .select_related("organisation")
    )


def role_label(role: str) -> str:
    return str(PositionRole(role).label) if role in PositionRole.values else role


def title_of(review: Review) -> str:
    if review.form == "05":
        return _("Bản tự đánh giá hằng quý")
    return _("Báo cáo kiểm điểm") if review.is_collective else _("Bản tự kiểm điểm")


def _content_html(review: Review, code: str) -> str:
    # stored sanitised; sanitised again on the way out, in case of rows written by hand
    return services.sanitise((review.content or {}).get(code, ""))


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


def _back(review: Review):
    return redirect("review_detail", review.pk)


# --- the report ----------------------------------------------------------------------------


@login_required
def review_detail(request, review_id: int):
    review = selectors.get_review(request.user, review_id)
    participants = list(review.participants.select_related("member").order_by("member__sort_key")) if review.is_collective else []
    for x in participants:
        x.role_label = role_label(x.role)
    p = powers(request.user, review, participant_ids={x.member_id for x in participants})
    editable = review.status in EDITABLE
    sections = [(code, label, _content_html(review, code)) for code, label in sections_for(review.form)]
    comments = list(review.comments.select_related("author", "author__member"))
    context = {
        "review": review,
        "title": title_of(review),
        "powers": p,
        "editable": editable,
        "awaiting": review.status in AWAITING_DECISION,
        "done": review.status in DONE,
        "sections": sections,
        "shortcomings": list(review.shortcomings.all()),
        "priors": list(review.prior_shortcomings.select_related("source")),
        "prompts": list(review.prompts.select_related("issued_by")),
        "part_b": part_b.lines(review),
        "comments": comments,
        "participants": participants,
        "positions": positions_of(review),
        "problems": services.submit_problems(review) if editable and p.write else [],
        "deadline": review.campaign.deadline(Stage.DRAFTS),
        "warning": services.meeting_warning(review) if review.is_collective else "",
        "versions": review.versions.count(),
        "return_form": ReturnForm(),
        "reopen_form": ReopenForm(),
        "comment_form": CommentForm(),
        "prompt_form": PromptForm(p.prompt_orgs) if p.prompt and editable else None,
        "schedule_form": ScheduleForm(initial={"meeting_date": review.meeting_date, "circulated_on": review.circulated_on})
        if review.is_collective and p.schedule else None,
    }
    return render(request, "reviews/detail.html", context)


def _save_problem(request, message: str):
    """What an htmx "Lưu" shows in the editor's status line when it cannot save: the text stays
    in the editor (a redirect would be swapped into the status line instead)."""
    return render(request, "reviews/partials/save_problem.html", {"message": message})


def _login_required_keeping_text(view):
    """login_required, except for an htmx save from an expired session: a message in the status
    line instead of the login page, so the unsaved text stays on the screen."""
    protected = login_required(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "htmx", False) and not request.user.is_authenticated:
            return _save_problem(request, _("Phiên đăng nhập đã hết hạn, nội dung chưa được lưu. Hãy đăng nhập lại "
                                            "ở một thẻ khác rồi bấm “Lưu” lần nữa."))
        return protected(request, *args, **kwargs)
    return wrapper


def _panels(review) -> list[str]:
    """What other apps show beside the editor (reviews.gates.EDITOR_PANELS), as safe HTML."""
    from django.utils.safestring import mark_safe

    from . import gates

    return [mark_safe(html) for html in (panel(review) for panel in gates.EDITOR_PANELS) if html]


@_login_required_keeping_text
def review_edit(request, review_id: int):
    review, p = get_review_for(request.user, review_id, "write")
    if review.status not in EDITABLE and getattr(request, "htmx", False):
        return _save_problem(request, _("Báo cáo đang ở trạng thái “%(s)s”, không thể sửa.") % {"s": review.get_status_display()})
    if review.status not in EDITABLE:
        messages.error(request, _("Báo cáo đang ở trạng thái “%(s)s”, không thể sửa.") % {"s": review.get_status_display()})
        return _back(review)
    if request.method == "POST" and request.htmx and not any(k.startswith(("prior_", "prompt_")) for k in request.POST):
        # an htmx save from an editor that shows no section III items and no prompts (most
        # members): nothing of them to validate or save, two queries fewer on the busiest request
        priors, prompts = [], []
    else:
        priors = list(review.prior_shortcomings.select_related("source"))
        prompts = list(review.prompts.select_related("issued_by"))
    conflict = None
    if request.method == "POST":
        form = ReviewEditForm(review, priors, prompts, data=request.POST)
        if form.is_valid():
            try:
                services.review_save(actor=request.user, review=review, **form.service_kwargs())
            except services.ConflictError as exc:
                conflict = _conflict(exc, form)
                # the user's text stays in the fields; the next save starts from the current version
                data = request.POST.copy()
                data["base_version"] = exc.current.version
                form = ReviewEditForm(review, priors, prompts, data=data)
                form.is_valid()
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if request.POST.get("then") == "submit":
                    messages.success(request, _("Đã lưu báo cáo."))
                    return _submit(request, review)
                if getattr(request, "htmx", False):
                    # "Lưu" from the editor through htmx: stay on the page, say when it was
                    # saved and give the editor the new version for its next save
                    return render(request, "reviews/partials/saved.html", {"review": review, "saved_at": timezone.now()})
                messages.success(request, _("Đã lưu báo cáo."))
                return _back(review)
    else:
        form = ReviewEditForm(review, priors, prompts)
    saved = (conflict or {}).get("sections", {})
    section_rows = [
        (code, label, bound, saved[bound.html_name]["saved"] if saved.get(bound.html_name, {}).get("differs") else None)
        for code, label, bound in form.section_rows()
    ]
    saved_priors, saved_prompts = (conflict or {}).get("priors", {}), (conflict or {}).get("prompts", {})
    context = {
        "review": review,
        "title": title_of(review),
        "form": form,
        "section_rows": section_rows,
        "prior_rows": [(*row, saved_priors.get(row[0].pk)) for row in form.prior_rows()],
        "prompt_rows": [(*row, saved_prompts.get(row[0].pk)) for row in form.prompt_rows()],
        "conflict": conflict,
        "collective": review.is_collective,
        "part_b": form.part_b(),
        "panels": [] if getattr(request, "htmx", False) else _panels(review),
    }
    response = render(request, "reviews/edit.html", context)
    if getattr(request, "htmx", False):
        # a conflict or an error on an htmx save: the whole editor comes back (the user's text
        # in its fields, the saved version beside it) in place of the page's main element
        response["HX-Retarget"], response["HX-Reswap"], response["HX-Reselect"] = "main", "outerHTML", "main"
    return response


def _conflict(exc: services.ConflictError, form: ReviewEditForm) -> dict:
    """What the editor shows beside the user's own text: the version saved in between."""
    current = exc.current
    sections = {}
    for code, _label in form.sections:
        saved = html_to_text((current.content or {}).get(code, ""))
        mine = html_to_text(services.sanitise(form.service_kwargs()["content"][code]))
        sections[field_name(code)] = {"saved": saved, "differs": saved.strip() != mine.strip()}
    saved_shortcomings = "\n".join(s.text for s in current.shortcomings.all())
    mine = form.service_kwargs()
    priors = {
        x.pk: f"{x.get_state_display() if x.state else _('Chưa đánh giá')}{' · ' + x.comment if x.comment else ''}"
        for x in current.prior_shortcomings.all() if (x.state, x.comment) != tuple(mine["priors"].get(x.pk, ("", "")))
    }
    prompts = {x.pk: x.answer for x in current.prompts.all() if x.answer != mine["prompt_answers"].get(x.pk, "")}
    return {
        "priors": priors,
        "prompts": prompts,
        "message": str(exc),
        "version": current.version,
        "sections": sections,
        "shortcomings": saved_shortcomings,
        "shortcomings_differ": saved_shortcomings.strip() != form.cleaned_data["shortcomings"].strip(),
        "common": current.self_score_common,
        "tasks": current.self_score_tasks,
        "level": part_b.level_name(current),
        "kept": exc.kept,
    }


# --- actions -------------------------------------------------------------------------------


def _submit(request, review: Review):
    try:
        services.review_submit(actor=request.user, review=review)
    except ValidationError as exc:
        messages.error(request, _("Chưa nộp được báo cáo:"))
        _fail(request, exc)
    else:
        messages.success(request, _("Đã nộp báo cáo."))
    return _back(review)


@login_required
@require_POST
def review_submit(request, review_id: int):
    review, _p = get_review_for(request.user, review_id, "write")
    return _submit(request, review)


def _act(request, review_id: int, power: str, call, done: str, anchor: str = ""):
    """One workflow action: get the review with the needed power (404/403), call the
    service, report its Vietnamese errors or the success message, go back to the report."""
    review, _p = get_review_for(request.user, review_id, power)
    try:
        call(review)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect(reverse("review_detail", args=[review.pk]) + anchor) if anchor else _back(review)


@login_required
@require_POST
def review_return(request, review_id: int):
    comment = ReturnForm(request.POST).data.get("comment", "")
    return _act(request, review_id, "decide", lambda r: services.review_return(actor=request.user, review=r, comment=comment),
                _("Đã trả lại báo cáo để bổ sung."))


@login_required
@require_POST
def review_accept(request, review_id: int):
    return _act(request, review_id, "decide", lambda r: services.review_accept(actor=request.user, review=r),
                _("Đã chấp nhận báo cáo."))


@login_required
@require_POST
def review_finalise(request, review_id: int):
    return _act(request, review_id, "decide", lambda r: services.review_finalise(actor=request.user, review=r),
                _("Báo cáo đã hoàn thành."))


@login_required
@require_POST
def review_reopen(request, review_id: int):
    reason = request.POST.get("reason", "")
    return _act(request, review_id, "decide", lambda r: services.review_reopen(actor=request.user, review=r, reason=reason),
                _("Đã mở lại báo cáo."))


@login_required
@require_POST
def review_comment(request, review_id: int):
    text = request.POST.get("text", "")
    return _act(request, review_id, "comment", lambda r: services.comment_add(actor=request.user, review=r, text=text),
                _("Đã gửi ý kiến."), anchor="#comments")


@login_required
@require_POST
def review_prompt(request, review_id: int):
    review, p = get_review_for(request.user, review_id, "prompt")
    form = PromptForm(p.prompt_orgs, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back(review)
    try:
        services.prompt_add(actor=request.user, review=review, issued_by=form.orgs[form.cleaned_data["issued_by"]],
                            text=form.cleaned_data["text"])
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Đã gửi gợi ý kiểm điểm."))
    return _back(review)


@login_required
@require_POST
def review_schedule(request, review_id: int):
    review, _p = get_review_for(request.user, review_id, "schedule")
    if not review.is_collective:
        raise Http404
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back(review)
    try:
        warning = services.review_schedule(actor=request.user, review=review, **form.cleaned_data)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Đã lưu lịch hội nghị kiểm điểm."))
        if warning:
            messages.warning(request, warning)
    return _back(review)


# --- versions ------------------------------------------------------------------------------


@login_required
def review_versions(request, review_id: int):
    review = selectors.get_review(request.user, review_id)
    versions = list(review.versions.select_related("author", "author__member").order_by("-created_at", "-id"))
    rows = [(v, versions[i + 1] if i + 1 < len(versions) else None) for i, v in enumerate(versions)]
    return render(request, "reviews/versions.html", {"review": review, "title": title_of(review), "rows": rows})


def _lines(html: str) -> list[str]:
    return [line for line in html_to_text(html).split("\n") if line.strip()]


def _diff(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """(kind, line) with kind in "same", "del", "add"; escaped by the template."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [("same", line) for line in old[i1:i2]]
        else:
            out += [("del", line) for line in old[i1:i2]]
            out += [("add", line) for line in new[j1:j2]]
    return out


def _version_label(v: ReviewVersion) -> str:
    label = _("Phiên bản %(n)d") % {"n": v.number}
    if v.conflict:
        label += " " + _("(bản lưu bị từ chối)")
    return label


def _score_value(review: Review, key: str, value) -> str:
    if not value:
        return "—"
    if key == "level":
        return part_b.level_name(review, value)
    if key == "criteria":
        spec = part_b.spec_for(review)
        return "; ".join(f"{spec.criterion(code).name if spec.criterion(code) else code}: "
                         f"{spec.level_name(v) if spec.graded else score_text(Decimal(v))}" for code, v in value.items())
    try:
        return score_text(Decimal(value))
    except InvalidOperation:
        return str(value)


@login_required
def review_compare(request, review_id: int):
    review = selectors.get_review(request.user, review_id)
    versions = list(review.versions.select_related("author", "author__member").order_by("created_at", "id"))
    form = CompareForm(request.GET)
    by_id = {v.pk: v for v in versions}
    a = b = None
    if form.is_valid():
        a, b = by_id.get(form.cleaned_data["a"]), by_id.get(form.cleaned_data["b"])
    if (a is None or b is None) and len(versions) >= 2:  # default: the two latest
        a, b = a or versions[-2], b or versions[-1]
        if a == b:
            a = versions[-2] if b == versions[-1] else versions[-1]
    sections = []
    if a and b:
        for code, label in sections_for(review.form):
            old, new = _lines((a.content or {}).get(code, "")), _lines((b.content or {}).get(code, ""))
            if not old and not new:
                continue
            sections.append({"label": label, "changed": old != new, "lines": _diff(old, new)})
        scores = []
        for key, label in (("criteria", _("Từng tiêu chí")), ("common", _("Tiêu chí chung")),
                           ("tasks", _("Kết quả thực hiện nhiệm vụ")), ("level", _("Mức xếp loại đề xuất"))):
            x, y = (a.scores or {}).get(key), (b.scores or {}).get(key)
            if key == "criteria" and not x and not y:
                continue
            scores.append({"label": label, "a": _score_value(review, key, x), "b": _score_value(review, key, y),
                           "changed": x != y})
    else:
        scores = []
    context = {
        "review": review, "title": title_of(review), "versions": versions, "a": a, "b": b,
        "a_label": _version_label(a) if a else "", "b_label": _version_label(b) if b else "",
        "sections": sections, "scores": scores,
    }
    return render(request, "reviews/compare.html", context)


# --- my reviews ----------------------------------------------------------------------------


@login_required
def my_reviews(request):
    today = timezone.localdate()
    own = list(selectors.my_reviews(request.user).annotate(
        open_prompts=Count("prompts", filter=Q(prompts__answer=""), distinct=True),
    ))
    collectives = list(
        selectors.leader_collectives(request.user).select_related("unit").prefetch_related("campaign__deadlines")
        .order_by("-campaign__period_end", "subject_org__path")
    )
    rows = []
    for review in own + collectives:
        due = review.campaign.deadline(Stage.DRAFTS)
        rows.append({
            "review": review,
            "due": due,
            "overdue": bool(due and today > due and review.submitted_at is None),
            "todo": review.status in EDITABLE,
            "collective": review.is_collective,
        })
    todo = [r for r in rows if r["todo"] and not r["collective"]]
    todo.sort(key=lambda r: (r["due"] is None, r["due"] or today))
    context = {
        "todo": todo,
        "others": [r for r in rows if not r["todo"] and not r["collective"]],
        "collectives": [r for r in rows if r["collective"]],
        "has_member": access.scope_for(request.user).member_id is not None,
        "today": today,
    }
    return render(request, "reviews/mine.html", context)


# --- export --------------------------------------------------------------------------------


@login_required
def review_export_docx(request, review_id: int):
    from .export import review_docx

    review = selectors.get_review(request.user, review_id)
    data = review_docx(review)
    subject = review.member.full_name if review.member_id else review.subject_org.name
    name = slugify(unaccent(f"{'bao-cao-kiem-diem' if review.is_collective else 'tu-kiem-diem'} "
                            f"{review.campaign.year} {subject}")) or "kiem-diem"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    return response

