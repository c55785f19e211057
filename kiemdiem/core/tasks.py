"""Celery tasks. Bound to the project's Celery app (kiemdiem.celery_app) so that a web process
that only imports this module sends to the configured broker, not to Celery's default one.

A worker: `celery -A kiemdiem.celery_app worker` (see docs/deployment.md).
"""
from kiemdiem.celery_app import app


@app.task(name="kiemdiem.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job_task(job_id: int) -> None:
    """Run a stored Job. acks_late + reject_on_worker_lost: if the worker dies mid-job the message
    goes back to the queue; run_job() skips a job another live worker holds and re-runs a job a
    dead worker left "running" (job functions are idempotent)."""
    from .jobs import run_job

    run_job(job_id)


@app.task(name="kiemdiem.recover_jobs")
def recover_jobs_task(older_than_minutes: int = 10) -> list[int]:
    """Periodic (celery beat): queue again the jobs a dead worker left behind."""
    import datetime

    from .jobs import recover_stale

    return recover_stale(older_than=datetime.timedelta(minutes=older_than_minutes))


@app.task(name="kiemdiem.daily_reminders")
def daily_reminders_task() -> dict:
    """Periodic (celery beat, once a day): the reminder commands for every launched campaign.
    Each command reminds nobody twice on the same day, so running it again is harmless."""
    import io
    import logging

    from django.core.management import call_command

    from kiemdiem.campaigns.choices import CampaignStatus
    from kiemdiem.campaigns.models import Campaign

    log = logging.getLogger(__name__)
    done = {"campaigns": 0, "errors": 0}
    runs = [("send_remediation_reminders", {})]
    for pk in Campaign.objects.filter(status=CampaignStatus.LAUNCHED).values_list("pk", flat=True):
        runs += [("send_reminders", {"campaign": pk}), ("send_feedback_reminders", {"campaign": pk})]
        done["campaigns"] += 1
    for command, options in runs:
        try:
            call_command(command, stdout=io.StringIO(), **options)
        except Exception:  # one campaign's failure must not stop the others' reminders
            log.exception("%s %s failed", command, options)
            done["errors"] += 1
    return done
