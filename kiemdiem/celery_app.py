"""Celery application; used only when CELERY_BROKER_URL is set (see core.jobs)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
app = Celery("kiemdiem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["kiemdiem.core"])
