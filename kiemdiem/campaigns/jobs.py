"""Background job registrations of this app (imported by CampaignsConfig.ready)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from kiemdiem.core.jobs import job, report
from kiemdiem.core.models import Job


@job("campaigns.launch")
def launch_campaign(job_obj: Job) -> dict:
    """Launch (or re-launch: add members who joined since) a campaign. Idempotent: the set-based
    launch creates nothing that already exists, so a crashed job can simply run again."""
    from kiemdiem.reviews.launch import launch

    from .models import Campaign

    campaign = Campaign.objects.select_related("issuer").get(pk=job_obj.params["campaign_id"])
    report(job_obj, 0, 1, message=_("Đang tạo các bản kiểm điểm cho “%(title)s”…") % {"title": campaign.title})
    counts = launch(actor=job_obj.created_by, campaign=campaign)
    summary = _(
        "Đã tạo %(collective)d bản kiểm điểm tập thể và %(individual)d bản kiểm điểm cá nhân; "
        "%(ineligible)d đảng viên không thuộc diện kiểm điểm."
    ) % {"collective": counts.get("collective", 0), "individual": counts.get("individual", 0),
         "ineligible": counts.get("ineligible", 0)}
    report(job_obj, 1, 1, message=summary)
    return {"summary": summary, "counts": counts, "campaign_id": campaign.pk}


@job("campaigns.remind")
def remind(job_obj: Job) -> dict:
    """Reminders to those behind under one organisation (a province can mean 100,000 people)."""
    from kiemdiem.organisations.models import Organisation
    from kiemdiem.reviews.reminders import send_reminders

    from .models import Campaign

    campaign = Campaign.objects.prefetch_related("deadlines").get(pk=job_obj.params["campaign_id"])
    root = Organisation.objects.get(pk=job_obj.params["org_id"])
    report(job_obj, 0, 1, message=_("Đang gửi nhắc việc…"))
    counts = send_reminders(actor=job_obj.created_by, campaign=campaign, root=root)
    if counts["notifications"] or counts["emails"]:
        summary = _("Đã gửi %(n)d thông báo và %(m)d thư điện tử nhắc việc.") % {
            "n": counts["notifications"], "m": counts["emails"]}
    elif counts["skipped"]:
        summary = _("Những người chậm tiến độ đã được nhắc trong hôm nay.")
    else:
        summary = _("Không có ai cần nhắc việc.")
    report(job_obj, 1, 1, message=summary)
    return {"summary": summary, "counts": counts, "campaign_id": campaign.pk, "org_id": root.pk}
