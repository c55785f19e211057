"""Writes to the organisation tree and the member register. Each service takes the acting
user, runs in one transaction, validates before it writes and records an audit event.

Errors meant for a person are raised as django ValidationError with a Vietnamese message.
"""
from __future__ import annotations

import datetime
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core import audit

from .choices import ACTIVE_STATUSES, MEMBER_HOLDING_KINDS, MembershipKind, OrgEventKind, OrgKind, PositionRole
from .models import (
    Member,
    Membership,
    OrgEvent,
    Organisation,
    OrgPlacement,
    Position,
    ResidenceRegistration,
    RoleGrant,
)

# Later apps register functions that move their open work from a merged organisation to its
# successor: func(*, actor, source, target, on_date). Kept explicit rather than in signals.
MERGE_HANDLERS: list[Callable] = []


def _today() -> datetime.date:
    return timezone.localdate()


def _child_path(parent: Organisation | None, pk: int) -> str:
    return f"{parent.path if parent else ''}{pk}."


# --- organisations -------------------------------------------------------------------------

@transaction.atomic
def organisation_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    founded: datetime.date | None = None,
) -> Organisation:
    if parent is not None and parent.dissolved is not None:
        raise ValidationError(_("Tổ chức cấp trên đã giải thể."))
    if parent is not None and parent.kind in MEMBER_HOLDING_KINDS and kind != OrgKind.ADVISORY:
        raise ValidationError(_("Chi bộ không thể có tổ chức trực thuộc."))
    org = Organisation(code=code, name=name, kind=kind, parent=parent, founded=founded or _today())
    org.path = "pending"
    org.full_clean(exclude=["path"])
    org.save()
    org.path = _child_path(parent, org.pk)
    org.depth = org.path.count(".") - 1
    Organisation.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
    OrgPlacement.objects.create(organisation=org, parent=parent, path=org.path, valid_from=org.founded)
    OrgEvent.objects.create(kind=OrgEventKind.CREATE, organisation=org, on_date=org.founded, actor=_user(actor))
    audit.record(actor=actor, action="organisation.create", obj=org, org_path=org.path, changes=audit.snapshot(org))
    return org


@transaction.atomic
def organisation_update(*, actor, org: Organisation, **fields) -> Organisation:
    allowed = {"name", "code", "kind", "founded"}
    if set(fields) - allowed:
        raise ValueError(f"not editable here: {set(fields) - allowed}")
    before = audit.snapshot(org, list(fields))
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()
    changes = audit.diff(before, audit.snapshot(org, list(fields)))
    if "name" in changes:
        OrgEvent.objects.create(
            kind=OrgEventKind.RENAME, organisation=org, on_date=_today(), details={"name": changes["name"]}, actor=_user(actor)
        )
    audit.record(actor=actor, action="organisation.update", obj=org, org_path=org.path, changes=changes)
    return org


def _repath_subtree(org: Organisation, new_parent: Organisation | None, on_date: datetime.date) -> str:
    """Change the paths of `org` and everything below it, closing and opening placements."""
    old_prefix = org.path
    new_prefix = _child_path(new_parent, org.pk)
    depth_delta = (new_prefix.count(".") - 1) - org.depth
    subtree = Organisation.objects.filter(path__startswith=old_prefix, dissolved__isnull=True)
    ids = list(subtree.values_list("pk", flat=True))
    OrgPlacement.objects.filter(organisation_id__in=ids, valid_to__isnull=True).update(valid_to=on_date)
    Organisation.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
        depth=F("depth") + depth_delta,
    )
    Organisation.objects.filter(pk=org.pk).update(parent=new_parent)
    placements = [
        OrgPlacement(organisation_id=pk, parent_id=parent_id, path=path, valid_from=on_date)
        for pk, parent_id, path in Organisation.objects.filter(pk__in=ids).values_list("pk", "parent_id", "path")
    ]
    OrgPlacement.objects.bulk_create(placements, batch_size=2000)
    org.refresh_from_db()
    return new_prefix


@transaction.atomic
def organisation_move(
    *, actor, org: Organisation, new_parent: Organisation, on_date: datetime.date | None = None, reason: str = ""
) -> Organisation:
    on_date = on_date or _today()
    if org.dissolved is not None:
        raise ValidationError(_("Tổ chức đã giải thể, không thể chuyển."))
    if new_parent.dissolved is not None:
        raise ValidationError(_("Tổ chức cấp trên mới đã giải thể."))
    if new_parent.path.startswith(org.path):
        raise ValidationError(_("Không thể chuyển một tổ chức vào chính nó hoặc tổ chức trực thuộc nó."))
    if new_parent.kind in MEMBER_HOLDING_KINDS:
        raise ValidationError(_("Chi bộ không thể có tổ chức trực thuộc."))
    if org.parent_id == new_parent.pk:
        raise ValidationError(_("Tổ chức đã trực thuộc tổ chức này."))
    old_parent, old_path = org.parent, org.path
    _repath_subtree(org, new_parent, on_date)
    OrgEvent.objects.create(
        kind=OrgEventKind.MOVE,
        organisation=org,
        other=new_parent,
        on_date=on_date,
        reason=reason,
        actor=_user(actor),
        details={"from_parent": old_parent.pk if old_parent else None, "from_path": old_path, "to_path": org.path},
    )
    audit.record(
        actor=actor,
        action="organisation.move",
        obj=org,
        org_path=org.path,
        reason=reason,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk], "path": [old_path, org.path]},
    )
    return org


def _close_org(org: Organisation, on_date: datetime.date) -> None:
    OrgPlacement.objects.filter(organisation=org, valid_to__isnull=True).update(valid_to=on_date)
    Position.objects.filter(organisation=org, end__isnull=True).update(end=on_date)
    RoleGrant.objects.filter(organisation=org).delete()


@transaction.atomic
def organisation_merge(
    *, actor, source: Organisation, target: Organisation, on_date: datetime.date | None = None, reason: str = ""
) -> Organisation:
    """Merge `source` into `target`: current members, residents and child organisations move
    to the target; past memberships stay with the source, which is closed on `on_date`."""
    on_date = on_date or _today()
    if source.pk == target.pk:
        raise ValidationError(_("Không thể hợp nhất một tổ chức vào chính nó."))
    if source.dissolved is not None or target.dissolved is not None:
        raise ValidationError(_("Cả hai tổ chức phải còn hoạt động."))
    if target.path.startswith(source.path):
        raise ValidationError(_("Không thể hợp nhất vào một tổ chức trực thuộc."))
    children = list(source.children.filter(dissolved__isnull=True))
    if children and target.kind in MEMBER_HOLDING_KINDS:
        raise ValidationError(_("Tổ chức có đơn vị trực thuộc không thể hợp nhất vào một chi bộ."))
    for child in children:
        _repath_subtree(child, target, on_date)

    moved = list(
        Membership.objects.filter(organisation=source, end__isnull=True).select_related("member")
    )
    Membership.objects.filter(pk__in=[m.pk for m in moved]).update(end=on_date)
    Membership.objects.bulk_create(
        [
            Membership(
                member_id=m.member_id, organisation=target, kind=m.kind, start=on_date, org_path=target.path,
                note=_("Chuyển do hợp nhất %(source)s") % {"source": source.name},
            )
            for m in moved
        ]
    )
    Member.objects.filter(organisation=source).update(organisation=target)
    residents = list(ResidenceRegistration.objects.filter(organisation=source, end__isnull=True))
    ResidenceRegistration.objects.filter(pk__in=[r.pk for r in residents]).update(end=on_date)
    ResidenceRegistration.objects.bulk_create(
        [ResidenceRegistration(member_id=r.member_id, organisation=target, address=r.address, start=on_date) for r in residents]
    )
    for handler in MERGE_HANDLERS:
        handler(actor=actor, source=source, target=target, on_date=on_date)
    _close_org(source, on_date)
    Organisation.objects.filter(pk=source.pk).update(dissolved=on_date, merged_into=target)
    source.refresh_from_db()
    OrgEvent.objects.create(
        kind=OrgEventKind.MERGE, organisation=source, other=target, on_date=on_date, reason=reason, actor=_user(actor),
        details={"members_moved": len(moved), "children_moved": [c.pk for c in children]},
    )
    audit.record(
        actor=actor, action="organisation.merge", obj=source, org_path=target.path, reason=reason,
        changes={"merged_into": [None, target.pk], "dissolved": [None, on_date.isoformat()], "members_moved": len(moved)},
    )
    return target


@transaction.atomic
def organisation_dissolve(*, actor, org: Organisation, on_date: datetime.date | None = None, reason: str = "") -> Organisation:
    on_date = on_date or _today()
    if org.dissolved is not None:
        raise ValidationError(_("Tổ chức đã giải thể."))
    active_children = org.children.filter(dissolved__isnull=True).exclude(kind=OrgKind.ADVISORY).count()
    if active_children:
        raise ValidationError(
            _("Còn %(n)d tổ chức trực thuộc đang hoạt động; hãy chuyển hoặc hợp nhất trước.") % {"n": active_children}
        )
    active_members = Member.objects.filter(organisation=org, status__in=ACTIVE_STATUSES).count()
    if active_members:
        raise ValidationError(
            _("Còn %(n)d đảng viên đang sinh hoạt; hãy chuyển sinh hoạt hoặc hợp nhất trước.") % {"n": active_members}
        )
    for body in org.children.filter(dissolved__isnull=True):  # attached advisory bodies go too
        _close_org(body, on_date)
        Organisation.objects.filter(pk=body.pk).update(dissolved=on_date)
    _close_org(org, on_date)
    Organisation.objects.filter(pk=org.pk).update(dissolved=on_date)
    org.refresh_from_db()
    OrgEvent.objects.create(kind=OrgEventKind.DISSOLVE, organisation=org, on_date=on_date, reason=reason, actor=_user(actor))
    audit.record(actor=actor, action="organisation.dissolve", obj=org, org_path=org.path, reason=reason,
                 changes={"dissolved": [None, on_date.isoformat()]})
    return org


# --- members -------------------------------------------------------------------------------

MEMBER_FIELDS = (
    "code", "full_name", "gender", "birth_date", "citizen_id", "phone", "email", "status", "admitted_on",
    "official_on", "left_on", "exempt_since", "suspended_since", "occupation",
)


def _check_member_org(org: Organisation) -> None:
    if org.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError(_("Đảng viên chỉ sinh hoạt ở chi bộ hoặc chi bộ cơ sở."))
    if org.dissolved is not None:
        raise ValidationError(_("Chi bộ đã giải thể."))


@transaction.atomic
def member_create(*, actor, organisation: Organisation, start: datetime.date | None = None, **fields) -> Member:
    _check_member_org(organisation)
    member = Member(organisation=organisation, **fields)
    member.fill_keys()
    member.full_clean()
    member.save()
    Membership.objects.create(
        member=member, organisation=organisation, kind=MembershipKind.OFFICIAL,
        start=start or member.admitted_on, org_path=organisation.path,
    )
    audit.record(actor=actor, action="member.create", obj=member, org_path=organisation.path,
                 changes=audit.snapshot(member, list(MEMBER_FIELDS)))
    return member


@transaction.atomic
def member_update(*, actor, member: Member, **fields) -> Member:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {unknown}")
    before = audit.snapshot(member, list(fields))
    for name, value in fields.items():
        setattr(member, name, value)
    member.fill_keys()
    member.full_clean()
    member.save()
    changes = audit.diff(before, audit.snapshot(member, list(fields)))
    if changes:
        audit.record(actor=actor, action="member.update", obj=member, org_path=member.organisation.path, changes=changes)
    return member


@transaction.atomic
def member_transfer(
    *, actor, member: Member, to: Organisation, on_date: datetime.date | None = None, note: str = ""
) -> Membership:
    """Move a member's official membership; the old row is closed, never rewritten."""
    on_date = on_date or _today()
    _check_member_org(to)
    if member.organisation_id == to.pk:
        raise ValidationError(_("Đảng viên đang sinh hoạt tại chi bộ này."))
    current = Membership.objects.filter(member=member, kind=MembershipKind.OFFICIAL, end__isnull=True).first()
    if current and on_date < current.start:
        raise ValidationError(_("Ngày chuyển không được trước ngày bắt đầu sinh hoạt hiện tại."))
    old_org = member.organisation
    if current:
        current.end = on_date
        current.save(update_fields=["end"])
    new = Membership.objects.create(
        member=member, organisation=to, kind=MembershipKind.OFFICIAL, start=on_date, org_path=to.path, note=note
    )
    member.organisation = to
    member.save(update_fields=["organisation"])
    audit.record(actor=actor, action="member.transfer", obj=member, org_path=to.path,
                 changes={"organisation": [old_org.pk, to.pk], "on_date": on_date.isoformat()}, reason=note)
    return new


@transaction.atomic
def member_attach_temporary(
    *, actor, member: Member, to: Organisation, start: datetime.date, end: datetime.date | None = None, note: str = ""
) -> Membership:
    _check_member_org(to)
    if end and end < start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    row = Membership.objects.create(
        member=member, organisation=to, kind=MembershipKind.TEMPORARY, start=start, end=end, org_path=to.path, note=note
    )
    audit.record(actor=actor, action="member.attach_temporary", obj=member, org_path=to.path,
                 changes={"organisation": to.pk, "start": start.isoformat()})
    return row


@transaction.atomic
def residence_register(
    *, actor, member: Member, organisation: Organisation, start: datetime.date, address: str = ""
) -> ResidenceRegistration:
    _check_member_org(organisation)
    ResidenceRegistration.objects.filter(member=member, end__isnull=True).update(end=start)
    row = ResidenceRegistration.objects.create(member=member, organisation=organisation, start=start, address=address)
    audit.record(actor=actor, action="member.residence", obj=member, org_path=member.organisation.path,
                 changes={"residence": organisation.pk, "start": start.isoformat()})
    return row


@transaction.atomic
def position_assign(
    *, actor, member: Member, organisation: Organisation, role: str, start: datetime.date, title: str = ""
) -> Position:
    if role not in PositionRole.values:
        raise ValidationError(_("Chức vụ không hợp lệ."))
    if role in (PositionRole.SECRETARY, PositionRole.HEAD_OF_BODY):
        # one head at a time: the previous one's term ends when the new one starts
        Position.objects.filter(organisation=organisation, role=role, end__isnull=True).update(end=start)
    row = Position.objects.create(member=member, organisation=organisation, role=role, start=start, title=title)
    audit.record(actor=actor, action="position.assign", obj=member, org_path=organisation.path,
                 changes={"organisation": organisation.pk, "role": role, "start": start.isoformat()})
    return row


@transaction.atomic
def position_end(*, actor, position: Position, end: datetime.date) -> Position:
    if end < position.start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    position.end = end
    position.save(update_fields=["end"])
    audit.record(actor=actor, action="position.end", obj=position.member, org_path=position.organisation.path,
                 changes={"position": position.pk, "end": end.isoformat()})
    return position


@transaction.atomic
def grant_role(*, actor, user, organisation: Organisation, role: str) -> RoleGrant:
    grant, _created = RoleGrant.objects.get_or_create(user=user, organisation=organisation, role=role)
    audit.record(actor=actor, action="grant.create", obj=organisation, org_path=organisation.path,
                 changes={"user": user.pk, "role": role})
    from .access import forget_scope

    forget_scope(user)
    return grant


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
