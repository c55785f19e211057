"""Pages for the review meeting (staff: MANAGE on the unit), the secret ballot (voters: the
unit's official members present), and the deciding committee's calibration screen (DECIDE on
the deciding body). Every object comes through ratings.selectors (404 outside the user's
part of the tree, 403 beyond their role); every change goes through ratings.services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kiemdiem.core.text import unaccent
from kiemdiem.organisations import access
from kiemdiem.organisations.access import Action
from kiemdiem.organisations.models import Member
from kiemdiem.reviews import selectors as review_selectors
from kiemdiem.reviews.models import Review

from . import selectors, services
from .choices import RatingStage, VoteMethod, VoteStatus
from .forms import CancelForm, ConclusionsForm, ContributionForm, MeetingForm, QuotaRaiseForm, ReceiptForm, VoteOpenForm
from .models import Meeting, Rating
from .rules import get_profile


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


def _unit_members(review: Review):
    return Member.objects.filter(organisation_id=review.unit_id, status__in=("official", "probationary")).order_by("sort_key")


# --- meeting --------------------------------------------------------------------------------

@login_required
def meeting_create(request, review_id: int):
    review = review_selectors.get_review(request.user, review_id, Action.MANAGE)
    if not review.is_collective:
        raise Http404
    existing = Meeting.objects.filter(review=review).first()
    if existing:
        return redirect("meeting_detail", existing.pk)
    form = MeetingForm(_unit_members(review), request.POST or None, initial={"held_on": review.meeting_date})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.meeting_create(actor=request.user, review=review, held_on=d["held_on"], place=d["place"],
                                              chair=d["chair"], secretary=d["secretary"], agenda=d["agenda"])
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Đã tạo hội nghị kiểm điểm."))
            return redirect("meeting_detail", meeting.pk)
    return render(request, "ratings/meeting_form.html", {"review": review, "form": form})


def _meeting_context(meeting: Meeting) -> dict:
    review = meeting.review
    profile = get_profile(review.campaign.rules_profile)
    attendance = {a.member_id: a for a in meeting.attendance.all()}
    members = list(services.expected_attendees(meeting).order_by("sort_key"))
    for m in members:
        a = attendance.get(m.pk)
        m.att_present = a.present if a else None
        m.att_reason = a.absence_reason if a else ""
    votes = {v.subject_id: v for v in meeting.votes.all()}
    contributions = {}
    for c in meeting.contributions.select_related("speaker"):
        contributions.setdefault(c.subject_id, []).append(c)
    subjects = []
    for s in selectors.subjects(meeting):
        s.vote = votes.get(s.pk)
        s.contribs = contributions.get(s.pk, [])
        s.label = s.member.full_name if s.member_id else _("Tập thể %(name)s") % {"name": str(s) if s.leadership else s.subject_org.name}
        if s.vote:
            s.vote.tally_rows = [(lv.name, s.vote.tally.get(lv.code, 0)) for lv in profile.levels]
            s.vote.result_name = profile.level(s.vote.result_level).name if s.vote.result_level else ""
        subjects.append(s)
    return {
        "meeting": meeting, "review": review, "members": members, "quorum": services.quorum(meeting) if attendance else None,
        "subjects": subjects, "levels": profile.levels, "methods": VoteMethod.choices,
        "conclusions_form": ConclusionsForm(initial={"conclusions": meeting.conclusions}),
    }


@login_required
def meeting_detail(request, meeting_id: int):
    meeting = selectors.get_meeting(request.user, meeting_id)
    return render(request, "ratings/meeting.html", _meeting_context(meeting))


@login_required
@require_POST
def meeting_attendance(request, meeting_id: int):
    meeting = selectors.get_meeting(request.user, meeting_id)
    rows = []
    for m in services.expected_attendees(meeting):
        present = request.POST.get(f"present_{m.pk}", "1") == "1"
        rows.append((m, present, request.POST.get(f"reason_{m.pk}", "")))
    try:
        q = services.attendance_record(actor=request.user, meeting=meeting, rows=rows)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        if q["ok"]:
            messages.success(request, _("Đủ số lượng: có mặt %(p)d/%(n)d đảng viên chính thức (cần %(r)d).") % {
                "p": q["present"], "n": q["official"], "r": q["required"]})
        else:
            messages.error(request, _("Hội nghị chưa đủ số lượng: có mặt %(p)d/%(n)d đảng viên chính thức, cần %(r)d.") % {
                "p": q["present"], "n": q["official"], "r": q["required"]})
    return redirect("meeting_detail", meeting.pk)


def _subject_of(meeting: Meeting, subject_id) -> Review:
    subject = Review.objects.filter(pk=subject_id, campaign_id=meeting.review.campaign_id, unit_id=meeting.review.unit_id).first()
    if subject is None:
        raise Http404
    return subject


@login_required
@require_POST
def meeting_contribution(request, meeting_id: int):
    meeting = selectors.get_meeting(request.user, meeting_id)
    form = ContributionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nội dung ý kiến không được để trống."))
        return redirect("meeting_detail", meeting.pk)
    subject = _subject_of(meeting, form.cleaned_data["subject"])
    speaker = services.expected_attendees(meeting).filter(pk=form.cleaned_data["speaker"]).first() if form.cleaned_data["speaker"] else None
    try:
        services.contribution_add(actor=request.user, meeting=meeting, subject=subject, text=form.cleaned_data["text"], speaker=speaker)
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("meeting_detail", meeting.pk)


@login_required
@require_POST
def meeting_conclusions(request, meeting_id: int):
    meeting = selectors.get_meeting(request.user, meeting_id)
    form = ConclusionsForm(request.POST)
    if form.is_valid():
        from kiemdiem.core import audit
        from kiemdiem.core.text import nfc

        meeting.conclusions = nfc(form.cleaned_data["conclusions"])
        meeting.save(update_fields=["conclusions"])
        audit.record(actor=request.user, action="meeting.conclusions", obj=meeting.review, org_path=meeting.review.org_path)
        messages.success(request, _("Đã lưu kết luận."))
    return redirect("meeting_detail", meeting.pk)


@login_required
@require_POST
def vote_open(request, meeting_id: int):
    meeting = selectors.get_meeting(request.user, meeting_id)
    form = VoteOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hình thức biểu quyết không hợp lệ."))
        return redirect("meeting_detail", meeting.pk)
    subject = _subject_of(meeting, form.cleaned_data["subject"])
    try:
        services.vote_open(actor=request.user, meeting=meeting, subject=subject, method=form.cleaned_data["method"])
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("meeting_detail", meeting.pk)


@login_required
@require_POST
def vote_close(request, vote_id: int):
    vote = selectors.get_vote(request.user, vote_id)
    counts = None
    if vote.method != VoteMethod.SECRET:
        counts = {}
        for code in get_profile(vote.subject.campaign.rules_profile).codes():
            raw = (request.POST.get(f"count_{code}") or "0").strip()
            if not raw.isdigit():
                messages.error(request, _("Số phiếu phải là số nguyên không âm."))
                return redirect("meeting_detail", vote.meeting_id)
            counts[code] = int(raw)
    try:
        services.vote_close(actor=request.user, vote=vote, counts=counts)
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("meeting_detail", vote.meeting_id)


@login_required
def meeting_minutes(request, meeting_id: int):
    from .minutes import minutes_docx

    meeting = selectors.get_meeting(request.user, meeting_id)
    name = slugify(unaccent(f"bien-ban-kiem-diem {meeting.review.unit.name} {meeting.held_on:%Y}")) or "bien-ban"
    response = HttpResponse(minutes_docx(meeting),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    return response


# --- the secret ballot ------------------------------------------------------------------------

@login_required
def ballot(request, meeting_id: int):
    meeting, voter = selectors.voter_meeting(request.user, meeting_id)
    profile = get_profile(meeting.review.campaign.rules_profile)
    receipt = None
    if request.method == "POST":
        vote = meeting.votes.filter(pk=request.POST.get("vote") if str(request.POST.get("vote", "")).isdigit() else None).first()
        if voter.refusal:
            messages.error(request, voter.refusal)
        elif vote is None:
            messages.error(request, _("Cuộc bỏ phiếu kín này không mở."))
        else:
            try:
                receipt = services.ballot_cast(voter=voter.member, vote=vote, level=request.POST.get("level", ""))
            except ValidationError as exc:
                _fail(request, exc)
            else:
                receipt = {"code": receipt, "vote": vote}
    open_votes = list(meeting.votes.filter(method=VoteMethod.SECRET, status=VoteStatus.OPEN).select_related(
        "subject__member", "subject__subject_org", "subject__campaign"))
    done = set(meeting.votes.filter(cast__member=voter.member).values_list("pk", flat=True))
    for v in open_votes:
        v.label = v.subject.member.full_name if v.subject.member_id else _("Tập thể %(name)s") % {"name": v.subject.subject_org.name}
        v.voted = v.pk in done
        v.levels = services.allowed_levels(v.subject)  # none above what the binding rules allow
    response = render(request, "ratings/ballot.html", {
        "meeting": meeting, "voter": voter, "open_votes": open_votes, "levels": profile.levels, "receipt": receipt,
        "votes": meeting.votes.select_related("subject__member", "subject__subject_org"),
    })
    response["Cache-Control"] = "no-store"  # the receipt is shown once
    return response


@login_required
def receipt_check(request, meeting_id: int):
    meeting, _voter = selectors.voter_meeting(request.user, meeting_id)
    form = ReceiptForm(request.GET or None)
    result = None
    if form.is_valid():
        vote = meeting.votes.filter(pk=form.cleaned_data["vote"]).first()
        result = bool(vote and services.ballot_counted(vote, form.cleaned_data["code"]))
    votes = list(meeting.votes.select_related("subject__member", "subject__subject_org"))
    return render(request, "ratings/receipt.html", {"meeting": meeting, "form": form, "result": result, "votes": votes})


# --- calibration ------------------------------------------------------------------------------

@login_required
def calibration(request, campaign_id: int, org_id: int):
    campaign, body = selectors.get_body_and_campaign(request.user, campaign_id, org_id)
    if request.method == "POST":
        return _calibration_decide(request, campaign, body)
    return _calibration_page(request, campaign, body)


def _calibration_page(request, campaign, body, posted=None, status=200):
    unit = request.GET.get("unit", "")
    level = request.GET.get("level", "")
    warn = request.GET.get("warnings") == "1"
    cal = selectors.calibration(campaign, body, unit_id=unit if unit.isdigit() else None, level=level, warnings_only=warn)
    profile = cal.profile
    for row in cal.rows:
        row.posted = (posted or {}).get(row.review.pk, {})
        row.history_rows = [(h, profile.level(h.level).name if h.level in profile.codes() else h.level) for h in row.history]
    names = {lv.code: lv.name for lv in profile.levels}
    units = sorted({(r.review.unit_id, r.unit) for r in selectors.calibration(campaign, body).rows}, key=lambda x: x[1]) \
        if (unit or level or warn) else sorted({(r.review.unit_id, r.unit) for r in cal.rows}, key=lambda x: x[1])
    distribution = [
        (kind_label, [(lv.name, cal.distribution[kind].get(lv.code, 0)) for lv in profile.levels])
        for kind, kind_label in (("member", _("Đảng viên")), ("collective", _("Tổ chức đảng")))
        if cal.distribution[kind]
    ]
    return render(request, "ratings/calibration.html", {
        "cal": cal, "campaign": campaign, "body": body, "levels": profile.levels, "names": names, "units": units,
        "distribution": distribution, "filters": {"unit": unit, "level": level, "warnings": warn}, "posted": posted or {},
        "quota_form": QuotaRaiseForm(), "cancel_form": CancelForm(),
    }, status=status)


def _calibration_decide(request, campaign, body):
    """Bulk decisions: every row with a level, checked together; nothing is saved if any fails."""
    ids = [int(x) for x in request.POST.getlist("review") if x.isdigit()]
    reviews = dict(Review.objects.filter(pk__in=ids, campaign=campaign).values_list("id", "member_id"))
    groups = {"member": [], "collective": []}
    posted = {}
    for pk in ids:
        level = request.POST.get(f"level_{pk}", "")
        reason = request.POST.get(f"reason_{pk}", "")
        posted[pk] = {"level": level, "reason": reason}
        if not level or pk not in reviews:
            continue
        groups["member" if reviews[pk] else "collective"].append((pk, level, reason))
    if not any(groups.values()):
        messages.error(request, _("Chưa chọn mức xếp loại nào."))
        return redirect("calibration", campaign.pk, body.pk)
    try:
        with transaction.atomic():
            n = 0
            for decisions in groups.values():
                n += len(services.decide(actor=request.user, body=body, decisions=decisions, campaign=campaign))
    except ValidationError as exc:
        _fail(request, exc)
        return _calibration_page(request, campaign, body, posted=posted)
    messages.success(request, _("Đã quyết định xếp loại %(n)d trường hợp.") % {"n": n})
    return redirect("calibration", campaign.pk, body.pk)


@login_required
@require_POST
def calibration_quota(request, campaign_id: int, org_id: int):
    campaign, body = selectors.get_body_and_campaign(request.user, campaign_id, org_id)
    form = QuotaRaiseForm(request.POST)
    try:
        services.quota_raise(actor=request.user, campaign=campaign, body=body,
                             reason=form.data.get("reason", ""))
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Đã nâng tỷ lệ xuất sắc lên 25%."))
    return redirect("calibration", campaign.pk, body.pk)


@login_required
@require_POST
def rating_cancel(request, rating_id: int):
    try:
        rating = Rating.objects.select_related("review", "body").get(pk=rating_id, stage=RatingStage.DECISION)
    except (Rating.DoesNotExist, ValueError):
        raise Http404
    body = rating.body
    if body is None:
        raise Http404
    body = access.get_organisation(request.user, body.pk, Action.VIEW)
    if not access.can(request.user, Action.DECIDE, body):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    try:
        services.rating_cancel(actor=request.user, rating=rating, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Đã hủy kết quả xếp loại; cần xếp loại lại."))
    return redirect("calibration", rating.review.campaign_id, body.pk)


# --- appraisal (thẩm định) --------------------------------------------------------------------

@login_required
def appraisal(request, campaign_id: int, org_id: int):
    """The advisory body's appraisal of the proposals a deciding body decides, between the
    unit's proposal and the decision: a level per subject, checked by the rules profile (a
    level the checks object to needs a written reason); all or nothing."""
    campaign, body, advisory = selectors.get_appraisal_scope(request.user, campaign_id, org_id)
    if request.method == "POST":
        return _appraisal_save(request, campaign, body, advisory)
    return _appraisal_page(request, campaign, body, advisory)


def _appraisal_page(request, campaign, body, advisory, posted=None):
    cal = selectors.calibration(campaign, body)
    for row in cal.rows:
        row.posted = (posted or {}).get(row.review.pk, {})
    return render(request, "ratings/appraisal.html", {
        "cal": cal, "campaign": campaign, "body": body, "advisory": advisory, "levels": cal.profile.levels,
        "names": {lv.code: lv.name for lv in cal.profile.levels},
    })


def _appraisal_save(request, campaign, body, advisory):
    cal = selectors.calibration(campaign, body)
    reviews = {row.review.pk: row.review for row in cal.rows}
    posted, chosen = {}, []
    for value in request.POST.getlist("review"):
        if not value.isdigit() or int(value) not in reviews:
            continue
        pk = int(value)
        level, reason = request.POST.get(f"level_{pk}", ""), request.POST.get(f"reason_{pk}", "")
        posted[pk] = {"level": level, "reason": reason}
        if level:
            chosen.append((reviews[pk], level, reason))
    if not chosen:
        messages.error(request, _("Chưa chọn mức xếp loại nào."))
        return redirect("appraisal", campaign.pk, body.pk)
    try:
        with transaction.atomic():
            for review, level, reason in chosen:
                try:
                    services.rating_record(actor=request.user, review=review, stage=RatingStage.APPRAISAL, level=level,
                                           reason=reason, body=advisory or body)
                except ValidationError as exc:
                    raise ValidationError([f"{review}: {m}" for m in exc.messages])
    except ValidationError as exc:
        _fail(request, exc)
        return _appraisal_page(request, campaign, body, advisory, posted=posted)
    messages.success(request, _("Đã thẩm định %(n)d trường hợp.") % {"n": len(chosen)})
    return redirect("appraisal", campaign.pk, body.pk)
