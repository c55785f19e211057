"""Reminders before remediation deadlines and escalation of overdue work to the superior."""
from __future__ import annotations

import datetime

from django.core.mail import send_mass_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core.models import Notification
from kiemdiem.organisations.models import RoleGrant

from .models import RemediationAction
from .selectors import due_soon, overdue_actions


def send(*, root_path: str, today: datetime.date | None = None) -> dict:
    """Remind owners of actions due within the reminder window (once per action per day) and
    tell the staff of the unit's parent organisation about overdue ones."""
    today = today or timezone.localdate()
    soon = list(due_soon(root_path, today).exclude(reminded_on=today).select_related("item", "item__member__user"))
    notes, mails = [], []
    for action in soon:
        member = action.item.member
        if member and member.user_id:
            text = _("Sắp đến hạn (%(d)s): %(what)s") % {"d": action.deadline.strftime("%d/%m/%Y"), "what": action.what[:150]}
            notes.append(Notification(user_id=member.user_id, text=text, url=f"/remediation/items/{action.item_id}/"))
            if member.email:
                mails.append((_("Nhắc hạn khắc phục hạn chế"), text, None, [member.email]))
    # escalation: overdue items reach the staff of the organisation above the owner's unit
    overdue = list(overdue_actions(root_path, today).select_related("item"))
    parents = {}
    for action in overdue:
        parts = action.item.org_path[:-1].split(".")
        if len(parts) > 1:
            parents.setdefault(int(parts[-2]), []).append(action)
    grants = RoleGrant.objects.filter(organisation_id__in=parents, role__in=["staff", "committee"]).values_list(
        "organisation_id", "user_id"
    )
    for org_id, user_id in grants:
        n = len(parents[org_id])
        notes.append(Notification(user_id=user_id, text=_("%(n)d biện pháp khắc phục quá hạn ở đơn vị trực thuộc.") % {"n": n},
                                  url=f"/remediation/org/{org_id}/"))
    Notification.objects.bulk_create(notes)
    RemediationAction.objects.filter(pk__in=[a.pk for a in soon]).update(reminded_on=today)
    if mails:
        send_mass_mail(mails, fail_silently=True)
    return {"reminded": len(soon), "escalated": len(grants), "overdue": len(overdue)}
