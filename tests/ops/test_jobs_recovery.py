"""Re-running background jobs (core/jobs.py) without a broker: `kiemdiem recover_jobs`, the
advisory lock that keeps a job from running twice at once (PostgreSQL), and the periodic tasks
celery beat runs (kiemdiem/celery_app.py)."""
import datetime
import io
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from kiemdiem.core import jobs
from kiemdiem.core.models import Job
from kiemdiem.core.tasks import daily_reminders_task, recover_jobs_task

RUNS = []


@jobs.job("ops.test-count")
def _count(job_obj):
    RUNS.append(job_obj.pk)
    return {"runs": len(RUNS)}


def _stale(status=Job.Status.RUNNING, minutes=30) -> Job:
    job = Job.objects.create(kind="ops.test-count", status=status)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))
    return job


@pytest.fixture(autouse=True)
def _clear():
    RUNS.clear()


def test_recover_jobs_reruns_a_job_a_dead_worker_left_running(db):
    job = _stale()
    out = io.StringIO()
    call_command("recover_jobs", "--job", str(job.pk), stdout=out)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and RUNS == [job.pk]
    assert str(job.pk) in out.getvalue()
    call_command("recover_jobs", "--job", str(job.pk), stdout=io.StringIO())  # done: nothing to do
    assert RUNS == [job.pk]


def test_a_done_job_is_not_run_again(db):
    job = Job.objects.create(kind="ops.test-count", status=Job.Status.DONE)
    jobs.run_job(job.pk)
    assert RUNS == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_postgresql_recovers_only_stale_unheld_jobs(db):
    old, recent = _stale(), _stale(minutes=1)
    queued = _stale(status=Job.Status.QUEUED)
    held = _stale()
    other = connections.create_connection("default")  # another live worker running `held`
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [jobs._LOCK_SPACE, held.pk])
        assert jobs.is_held(held.pk) and not jobs.is_held(old.pk)
        jobs.run_job(held.pk)  # a redelivered message while the job runs elsewhere: skipped
        assert RUNS == []
        assert recover_jobs_task(older_than_minutes=10) == [old.pk, queued.pk]
        assert sorted(RUNS) == [old.pk, queued.pk]
        assert Job.objects.get(pk=recent.pk).status == Job.Status.RUNNING  # too young to call stale
        assert Job.objects.get(pk=held.pk).status == Job.Status.RUNNING
    finally:
        other.close()  # the "worker" dies: its lock goes with it (once its backend has exited)
    for _ in range(100):
        if not jobs.is_held(held.pk):
            break
        time.sleep(0.05)
    assert not jobs.is_held(held.pk)
    assert jobs.recover_stale(older_than=datetime.timedelta(minutes=10)) == [held.pk]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_sqlite_recovers_only_jobs_named(db):
    job = _stale()
    assert jobs.recover_stale(older_than=datetime.timedelta(minutes=10)) == []  # cannot tell dead from alive
    assert jobs.recover_stale(job_ids=[job.pk]) == [job.pk]


def test_daily_reminders_task_runs_every_reminder_command(cast):
    from kiemdiem.campaigns import services
    from kiemdiem.campaigns.choices import CampaignKind, Stage
    from kiemdiem.reviews.launch import launch

    D = datetime.date
    campaign = services.campaign_create(
        actor=cast.admin, issuer=cast.TU, title="Kiểm điểm 2025", kind=CampaignKind.ANNUAL, year=2025,
        period_start=D(2025, 1, 1), period_end=D(2025, 12, 31),
        deadlines={Stage.DRAFTS: D(2025, 1, 10), Stage.MEETINGS: D(2025, 1, 20)},
    )
    launch(actor=cast.admin, campaign=campaign)
    result = daily_reminders_task()
    assert result == {"campaigns": 1, "errors": 0}
