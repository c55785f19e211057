"""Reminders (nhắc việc) to those behind the campaign's deadlines.

For every overdue review under `root` (selectors.overdue_q, by the launch-time path):
- an individual review: the member's linked user gets an in-app notification and one e-mail
  (to the member's e-mail, else the account's);
- a collective review: every user with a staff or committee grant on that unit gets one
  notification for the unit.
Nobody is reminded twice on the same day about the same review (same user, same link).
Set-based: one query for the overdue reviews, one for the grants, one for today's reminders,
bulk inserts, and the e-mails over one SMTP connection.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import get_connection, send_mass_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.core import audit
from kiemdiem.core.models import Notification
from kiemdiem.organisations.choices import GrantRole
from kiemdiem.organisations.models import Organisation, RoleGrant

from .models import Review
from .selectors import overdue_q

BATCH = 1000


def review_url(review_id: int) -> str:
    """The review page (routed by the reviews app as "review_detail")."""
    return f"/reviews/{review_id}/"


def launch_path(campaign: Campaign, org: Organisation) -> str:
    """The organisation's path when the campaign was launched (its collective review keeps it),
    so a unit moved since still finds its reviews; its current path if it has no review."""
    path = Review.objects.filter(campaign=campaign, subject_org=org, leadership="").values_list("org_path", flat=True).first()
    return path or org.path


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def send_reminders(*, actor, campaign: Campaign, root: Organisation, today: datetime.date | None = None) -> dict:
    """Remind those behind under `root`; returns counts of what was sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    root_path = launch_path(campaign, root)
    overdue = (
        Review.objects.filter(campaign=campaign, org_path__startswith=root_path)
        .filter(overdue_q(campaign, today))
        .order_by()
    )
    # already reminded today (user, url): one indexed range read
    sent_today = set(
        Notification.objects.filter(created_at__gte=_start_of_day(today), url__startswith="/reviews/")
        .values_list("user_id", "url")
    )
    base_url = getattr(settings, "KIEMDIEM_BASE_URL", "").rstrip("/")
    notes: list[Notification] = []
    mails: list[tuple] = []
    counts = {"overdue": 0, "notifications": 0, "emails": 0, "skipped": 0}

    def add(user_id: int, text: str, url: str) -> bool:
        if (user_id, url) in sent_today:
            counts["skipped"] += 1
            return False
        sent_today.add((user_id, url))
        notes.append(Notification(user_id=user_id, text=text, url=url, created_at=now))
        return True

    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Nhắc việc kiểm điểm: %(campaign)s") % {"campaign": campaign.title}
        # 1. individual reviews of members with an account
        rows = overdue.filter(member__isnull=False).values_list(
            "pk", "member__user_id", "member__email", "member__user__email", "member__full_name"
        )
        for review_id, user_id, member_email, user_email, name in rows.iterator(chunk_size=BATCH):
            counts["overdue"] += 1
            if not user_id:
                continue
            url = review_url(review_id)
            text = _("Báo cáo kiểm điểm của đồng chí trong đợt “%(campaign)s” đã quá hạn. Đề nghị đồng chí hoàn thành sớm.") % {
                "campaign": campaign.title}
            if add(user_id, text, url):
                email = member_email or user_email
                if email:
                    body = _("Kính gửi đồng chí %(name)s,\n\n%(text)s\n\nXem và hoàn thành báo cáo tại: %(url)s\n") % {
                        "name": name, "text": text, "url": base_url + url}
                    mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [email]))

        # 2. collective reviews: the unit's staff and committee users, one notification per unit
        collective = dict(
            overdue.filter(subject_org__isnull=False).values_list("subject_org_id", "pk").iterator(chunk_size=BATCH)
        )
        counts["overdue"] += len(collective)
        if collective:
            grants = (
                RoleGrant.objects.filter(
                    role__in=[GrantRole.STAFF, GrantRole.COMMITTEE], user__is_active=True,
                    organisation__in=overdue.filter(subject_org__isnull=False).values("subject_org_id"),
                )
                .values_list("user_id", "organisation_id", "organisation__name")
                .distinct()
                .order_by()
            )
            for user_id, org_id, org_name in grants.iterator(chunk_size=BATCH):
                text = _("Báo cáo kiểm điểm tập thể của %(unit)s trong đợt “%(campaign)s” đã quá hạn.") % {
                    "unit": org_name, "campaign": campaign.title}
                add(user_id, text, review_url(collective[org_id]))

    Notification.objects.bulk_create(notes, batch_size=BATCH)
    counts["notifications"] = len(notes)
    if mails:
        connection = get_connection(fail_silently=True)
        for i in range(0, len(mails), BATCH):
            counts["emails"] += send_mass_mail(mails[i:i + BATCH], fail_silently=True, connection=connection)
    audit.record(actor=actor, action="campaign.remind",
                 obj=campaign, org_path=root_path, changes={**counts, "root": root.pk, "day": today.isoformat()})
    return counts
