"""Celery application; used only when CELERY_BROKER_URL is set (see core.jobs).

    celery -A kiemdiem.celery_app worker --concurrency 2      # runs the background jobs
    celery -A kiemdiem.celery_app beat                        # periodic: reminders, stale jobs
"""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
app = Celery("kiemdiem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["kiemdiem.core"])
app.conf.beat_schedule = {
    # jobs left "queued"/"running" by a worker that died (SIGKILL, OOM, host reboot)
    "recover-stale-jobs": {"task": "kiemdiem.recover_jobs", "schedule": 300.0, "kwargs": {"older_than_minutes": 10}},
    # campaign, feedback and remediation reminders; each reminds nobody twice a day
    "daily-reminders": {"task": "kiemdiem.daily_reminders", "schedule": crontab(hour=7, minute=0)},
}
