"""Remediation items and their plans, followed to completion.

Gates: no action starts without a plan; "done" needs evidence on every action; closing an item
needs the committee's effectiveness check. Open items flow into the next review's section III."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit
from kiemdiem.core.text import nfc, unaccent

from .choices import OPEN_STATES, ActionState, ItemState
from .models import RemediationAction, RemediationItem

SIMILAR = 0.7  # word overlap above which a shortcoming repeats an earlier one (issue 8 refines)


def _tokens(text: str) -> set[str]:
    return {w for w in unaccent(text).replace(",", " ").replace(".", " ").split() if len(w) > 1}


def similarity(a: str, b: str) -> float:
    """Overlap coefficient of the unaccented words: a rephrased repeat ("Còn chậm đóng đảng
    phí" after "Chậm đóng đảng phí nhiều tháng") scores high though one text is longer."""
    ta, tb = _tokens(a), _tokens(b)
    if len(ta) < 2 or len(tb) < 2:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _audit(actor, action, item: RemediationItem, **kw):
    audit.record(actor=actor, action=action, obj=item, org_path=item.org_path, **kw)


def items_from_final_review(*, actor, review) -> list[RemediationItem]:
    """ON_FINAL hook: each shortcoming of a final report becomes an item owned by its subject;
    one that repeats a shortcoming recorded for the same subject in an earlier period is
    flagged long-standing (tồn tại kéo dài)."""
    shortcomings = list(review.shortcomings.filter(remediation__isnull=True))
    if not shortcomings:
        return []
    owner = {"member_id": review.member_id} if review.member_id else {"organisation_id": review.subject_org_id}
    earlier = list(
        RemediationItem.objects.filter(**owner).exclude(review=review)
        .filter(review__campaign__period_end__lt=review.campaign.period_end).only("pk", "text")
    )
    items = []
    for s in shortcomings:
        match = max(earlier, key=lambda e: similarity(e.text, s.text), default=None)
        repeat = match if match is not None and similarity(match.text, s.text) >= SIMILAR else None
        items.append(RemediationItem(shortcoming=s, review=review, org_path=review.org_path, text=s.text,
                                     long_standing=repeat is not None, repeats=repeat, **owner))
    RemediationItem.objects.bulk_create(items)
    audit.record(actor=actor, action="remediation.items_created", obj=review, org_path=review.org_path,
                 changes={"items": len(items), "long_standing": sum(i.long_standing for i in items)})
    return items


def open_items_into_section_three(*, actor, campaign) -> dict:
    """ON_LAUNCH hook: items still open for a subject flow into its new review's section III,
    whichever earlier review recorded them."""
    placeholders = ", ".join(["%s"] * len(OPEN_STATES))
    total = 0
    with connection.cursor() as cur:
        for subject, owner in (("member_id", "member_id"), ("subject_org_id", "organisation_id")):
            cur.execute(
                f"""INSERT INTO reviews_priorshortcoming (review_id, source_id, state, comment)
                SELECT r.id, i.shortcoming_id, '', ''
                FROM reviews_review r JOIN remediation_remediationitem i ON i.{owner} = r.{subject}
                WHERE r.campaign_id = %s AND r.{subject} IS NOT NULL AND i.review_id <> r.id
                  AND i.state IN ({placeholders})
                ON CONFLICT DO NOTHING""",
                [campaign.pk, *sorted(OPEN_STATES)],
            )
            total += cur.rowcount
    return {"open_items_carried": total}


@transaction.atomic
def action_add(*, actor, item: RemediationItem, what: str, who: str, deadline: datetime.date,
               expected_evidence: str = "") -> RemediationAction:
    if item.state == ItemState.VERIFIED:
        raise ValidationError(_("Hạn chế đã được đánh giá khắc phục có hiệu quả."))
    what, who = nfc(what), nfc(who)
    if not what or not who:
        raise ValidationError(_("Cần ghi rõ nội dung và người thực hiện."))
    action = RemediationAction.objects.create(item=item, what=what, who=who, deadline=deadline,
                                              expected_evidence=nfc(expected_evidence))
    if item.state in (ItemState.NEW, ItemState.REOPENED):
        item.state = ItemState.PLANNED
        item.save(update_fields=["state"])
    _audit(actor, "remediation.action_add", item, changes={"action": action.pk, "deadline": deadline.isoformat()})
    return action


@transaction.atomic
def action_start(*, actor, action: RemediationAction) -> RemediationAction:
    item = action.item
    if item.state not in (ItemState.PLANNED, ItemState.IN_PROGRESS):
        raise ValidationError(_("Chưa có kế hoạch khắc phục; không thể bắt đầu thực hiện."))
    action.state = ActionState.DOING
    action.save(update_fields=["state"])
    if item.state == ItemState.PLANNED:
        item.state = ItemState.IN_PROGRESS
        item.save(update_fields=["state"])
    _audit(actor, "remediation.action_start", item, changes={"action": action.pk})
    return action


@transaction.atomic
def action_complete(*, actor, action: RemediationAction, note: str = "", link: str = "", file=None) -> RemediationAction:
    """Done needs evidence: a note, a file or a link."""
    if action.item.state not in (ItemState.PLANNED, ItemState.IN_PROGRESS):
        raise ValidationError(_("Chưa có kế hoạch khắc phục; không thể ghi nhận hoàn thành."))
    action.evidence_note = nfc(note) or action.evidence_note
    action.evidence_link = link or action.evidence_link
    if file is not None:
        action.evidence_file = file
    if not action.has_evidence:
        raise ValidationError(_("Cần có minh chứng (ghi chú, tệp hoặc đường dẫn) để ghi nhận hoàn thành."))
    action.state, action.done_at = ActionState.DONE, timezone.now()
    action.save()
    item = action.item
    if not item.actions.exclude(state=ActionState.DONE).exists():
        item.state = ItemState.DONE
        item.save(update_fields=["state"])
    elif item.state == ItemState.PLANNED:
        item.state = ItemState.IN_PROGRESS
        item.save(update_fields=["state"])
    _audit(actor, "remediation.action_done", item, changes={"action": action.pk})
    return action


@transaction.atomic
def item_verify(*, actor, item: RemediationItem, effective: bool, note: str) -> RemediationItem:
    """The committee's effectiveness check closes the item, or reopens it."""
    if item.state != ItemState.DONE:
        raise ValidationError(_("Chỉ đánh giá hiệu quả khi mọi biện pháp đã hoàn thành."))
    if not nfc(note):
        raise ValidationError(_("Cần ghi nhận xét về hiệu quả khắc phục."))
    item.state = ItemState.VERIFIED if effective else ItemState.REOPENED
    item.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    item.verification_note = nfc(note)
    item.closed_at = timezone.now() if effective else None
    item.save()
    _audit(actor, "remediation.verify", item, changes={"effective": effective}, reason=nfc(note))
    return item


# --- attendance, dues, study, commitments ----------------------------------------------------

@transaction.atomic
def cell_meeting_record(*, actor, organisation, held_on: datetime.date, kind: str, rows, title: str = ""):
    """Record a cell meeting and each member's attendance (present / excused / unexcused)."""
    from kiemdiem.organisations.models import Member

    from .choices import AttendanceStatus
    from .models import CellMeeting, MeetingAttendance

    members = set(Member.objects.filter(organisation=organisation).values_list("pk", flat=True))
    for member, status in rows:
        if member.pk not in members:
            raise ValidationError(_("%(name)s không sinh hoạt tại chi bộ này.") % {"name": member.full_name})
        if status not in AttendanceStatus.values:
            raise ValidationError(_("Tình trạng dự họp không hợp lệ."))
    meeting, _created = CellMeeting.objects.get_or_create(organisation=organisation, held_on=held_on, kind=kind,
                                                          defaults={"title": nfc(title)})
    MeetingAttendance.objects.filter(meeting=meeting).delete()
    MeetingAttendance.objects.bulk_create([MeetingAttendance(meeting=meeting, member=m, status=s) for m, s in rows])
    audit.record(actor=actor, action="cell_meeting.record", obj=organisation, org_path=organisation.path,
                 changes={"held_on": held_on.isoformat(), "rows": len(rows)})
    return meeting


@transaction.atomic
def dues_record(*, actor, member, month: datetime.date, amount: int, paid_on: datetime.date):
    from .models import DuesPayment

    if amount <= 0:
        raise ValidationError(_("Số tiền đảng phí phải lớn hơn 0."))
    row, _created = DuesPayment.objects.update_or_create(
        member=member, month=month.replace(day=1), defaults={"amount": amount, "paid_on": paid_on}
    )
    audit.record(actor=actor, action="dues.record", obj=member, org_path=member.organisation.path,
                 changes={"month": month.replace(day=1).isoformat(), "amount": amount})
    return row


# --- removal from the list (xóa tên) -----------------------------------------------------------

@transaction.atomic
def removal_refresh(*, actor, organisation, year: int, today: datetime.date | None = None) -> int:
    """Store the candidates of a subtree for a year (evidence refreshed; decided cases kept)."""
    from kiemdiem.organisations.models import Member

    from .removal import candidates, store

    members = Member.objects.filter(organisation__path__startswith=organisation.path)
    return store(candidates(members, year, today), year)  # bulk: a province in a few statements


@transaction.atomic
def removal_propose(*, actor, case, cell, reason: str):
    from .choices import RemovalState

    if case.state != RemovalState.CANDIDATE:
        raise ValidationError(_("Trường hợp này đã được đề nghị hoặc xử lý."))
    if case.member.organisation_id != cell.pk:
        raise ValidationError(_("Chỉ chi bộ nơi đảng viên sinh hoạt mới đề nghị xóa tên."))
    case.state, case.proposed_by, case.reason = RemovalState.PROPOSED, cell, nfc(reason)
    case.save()
    audit.record(actor=actor, action="removal.propose", obj=case.member, org_path=case.org_path, reason=nfc(reason))
    return case


@transaction.atomic
def removal_decide(*, actor, case, body, remove: bool, decision_number: str, decided_on: datetime.date):
    """The competent committee decides; removal updates the member's status and closes the
    membership, keeping the history."""
    from kiemdiem.organisations.choices import PartyStatus
    from kiemdiem.organisations.models import Member, Membership

    from .choices import RemovalState

    if case.state != RemovalState.PROPOSED:
        raise ValidationError(_("Chi bộ chưa đề nghị xóa tên trường hợp này."))
    if not case.org_path.startswith(body.path) or case.org_path == body.path:
        raise ValidationError(_("Cấp quyết định phải là cấp ủy cấp trên của chi bộ."))
    if remove and not nfc(decision_number):
        raise ValidationError(_("Cần ghi số quyết định xóa tên."))
    member = case.member
    case.state = RemovalState.DECIDED if remove else RemovalState.DISMISSED
    case.decided_by, case.decision_number, case.decided_on = body, nfc(decision_number), decided_on
    case.status_before = member.status
    case.save()
    if remove:
        Membership.objects.filter(member=member, end__isnull=True).update(end=decided_on)
        Member.objects.filter(pk=member.pk).update(status=PartyStatus.REMOVED, left_on=decided_on)
    audit.record(actor=actor, action="removal.decide", obj=member, org_path=case.org_path,
                 changes={"remove": remove, "decision": nfc(decision_number)})
    return case


def removal_counts(root_path: str, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Removals decided in a period by status before removal ("9 dự bị, 4 chính thức")."""
    from django.db.models import Count

    from .choices import RemovalState
    from .models import RemovalCase

    rows = (RemovalCase.objects.filter(org_path__startswith=root_path, state=RemovalState.DECIDED,
                                       decided_on__gte=start, decided_on__lte=end)
            .values_list("status_before").annotate(n=Count("member_id", distinct=True)).order_by())
    return dict(rows)
