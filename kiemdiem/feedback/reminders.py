"""Reminders to feedback sources that are behind: requests past their due date and still
unanswered. In-app for sources with an account (the named member's user, or the staff of the
source organisation), e-mail to a named source's address."""
from __future__ import annotations

import datetime

from django.core.mail import send_mass_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core.models import Notification
from kiemdiem.organisations.models import RoleGrant

from .choices import RequestStatus
from .models import FeedbackRequest


def overdue_requests(campaign, root_path: str, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return FeedbackRequest.objects.filter(review__campaign=campaign, review__org_path__startswith=root_path,
                                          status=RequestStatus.REQUESTED, due__lt=today)


def send(*, campaign, root_path: str, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    requests = list(overdue_requests(campaign, root_path, today).select_related("review__member", "review__subject_org",
                                                                                 "source_member"))
    by_org: dict[int, int] = {}
    notes, mails = [], []
    for r in requests:
        text = _("Quá hạn góp ý (%(d)s) cho: %(s)s") % {"d": r.due.strftime("%d/%m/%Y"), "s": r.review}
        if r.source_member_id and r.source_member.user_id:
            notes.append(Notification(user_id=r.source_member.user_id, text=text, url="/feedback/mine/"))
        elif r.source_org_id:
            by_org[r.source_org_id] = by_org.get(r.source_org_id, 0) + 1
        if r.source_email:
            mails.append((_("Nhắc góp ý kiểm điểm"), text, None, [r.source_email]))
    for org_id, user_id in RoleGrant.objects.filter(organisation_id__in=by_org, role__in=["staff", "committee"]).values_list(
        "organisation_id", "user_id"
    ):
        notes.append(Notification(user_id=user_id, url="/feedback/mine/",
                                  text=_("%(n)d đề nghị góp ý đã quá hạn.") % {"n": by_org[org_id]}))
    # at most once a day: nothing the same user was told in the last 20 hours is sent again
    already = set(Notification.objects.filter(created_at__gte=timezone.now() - datetime.timedelta(hours=20), user_id__in={n.user_id for n in notes})
                  .values_list("user_id", "text"))
    fresh = [n for n in notes if (n.user_id, n.text) not in already]
    Notification.objects.bulk_create(fresh)
    if mails:
        send_mass_mail(mails, fail_silently=True)
    return {"overdue": len(requests), "notified": len(fresh), "mailed": len(mails)}
