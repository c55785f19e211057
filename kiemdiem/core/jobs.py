"""Background jobs with progress.

`enqueue()` stores a Job row and runs its function in one of three ways (settings
KIEMDIEM_JOB_RUNNER): "celery" when a broker is configured (production), "thread" for the
embedded `make run`, "inline" for tests and command-line use. A job function receives the Job
and reports progress through `report()`; it must be safe to run again after a crash (job
functions are idempotent: they match existing rows by code instead of adding duplicates).

Crash recovery: on PostgreSQL a running job holds a session advisory lock on its id, which the
server releases when the worker's connection dies. run_job() therefore skips a job another live
process is running, and re-runs one left "running" by a dead worker. With Celery the task is
acknowledged late (a SIGKILLed worker's message is delivered again); `kiemdiem recover_jobs`
(also a celery beat task every 5 minutes) queues again whatever is still stuck.
"""
from __future__ import annotations

import logging
import threading
import traceback
from contextlib import contextmanager
from typing import Callable

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
_REGISTRY: dict[str, Callable[[Job], dict]] = {}
_LOCK_SPACE = 0x6B64  # first key of the advisory locks on jobs ("kd")


def job(kind: str):
    """Register a job function under `kind`."""

    def decorator(func):
        _REGISTRY[kind] = func
        return func

    return decorator


def report(job_obj: Job, done: int, total: int | None = None, message: str | None = None) -> None:
    """Save progress without touching other fields (cheap enough to call every few hundred rows)."""
    fields = {"done": done}
    job_obj.done = done
    if total is not None:
        fields["total"] = job_obj.total = total
    if message is not None:
        fields["message"] = job_obj.message = message[:300]
    Job.objects.filter(pk=job_obj.pk).update(**fields)


@contextmanager
def _claim(job_id: int):
    """Yields False when another live process is running the job (PostgreSQL: it holds the
    job's advisory lock; the lock dies with its connection, so a dead worker holds nothing).
    On SQLite there are no such locks: yields True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_SPACE, int(job_id)])
        got = cur.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            try:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_SPACE, int(job_id)])
            except DatabaseError:  # connection lost: the server has released the lock already
                log.warning("could not release the lock of job %s", job_id)


def is_held(job_id: int) -> bool:
    """Whether a live process is running the job now (PostgreSQL only; False elsewhere)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
            [_LOCK_SPACE, int(job_id)],
        )
        return cur.fetchone()[0]


def run_job(job_id: int) -> None:
    """Execute a stored job. Any exception marks it failed with the message kept. A job already
    done, or being run by another live process, is left alone; one left "running" by a dead
    worker runs again from the start (job functions are idempotent)."""
    with _claim(job_id) as mine:
        if not mine:
            log.info("job %s is running elsewhere; skipped", job_id)
            return
        _run_claimed(job_id)


def _run_claimed(job_id: int) -> None:
    job_obj = Job.objects.get(pk=job_id)
    if job_obj.status == Job.Status.DONE:
        return
    if job_obj.status == Job.Status.RUNNING:
        log.warning("job %s was left running (worker died?); running it again", job_id)
    func = _REGISTRY[job_obj.kind]
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job_obj.status = Job.Status.RUNNING
    try:
        result = func(job_obj) or {}
    except Exception as exc:  # the job's own errors are reported to the user on its page
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            message=str(exc)[:300],
            result={"error": str(exc), "trace": traceback.format_exc()[-2000:]},
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, result=result, finished_at=timezone.now(), done=job_obj.total or job_obj.done
    )


def _run_in_thread(job_id: int) -> None:
    def target():
        try:
            run_job(job_id)
        finally:
            close_old_connections()

    threading.Thread(target=target, name=f"job-{job_id}", daemon=True).start()


def enqueue(kind: str, *, created_by=None, params: dict | None = None, total: int = 0, org_path: str = "") -> Job:
    if kind not in _REGISTRY:
        raise KeyError(kind)
    job_obj = Job.objects.create(
        kind=kind, params=params or {}, total=total, created_by=created_by, org_path=org_path
    )
    _dispatch(job_obj.pk)
    if settings.KIEMDIEM_JOB_RUNNER == "inline":
        job_obj.refresh_from_db()
    return job_obj


def _dispatch(job_id: int) -> None:
    runner = settings.KIEMDIEM_JOB_RUNNER
    if runner == "inline":
        run_job(job_id)
    elif runner == "celery":
        from .tasks import run_job_task

        transaction.on_commit(lambda: run_job_task.delay(job_id))
    else:
        transaction.on_commit(lambda: _run_in_thread(job_id))


def recover_stale(*, older_than=None, job_ids=None) -> list[int]:
    """Queue again (by the configured runner) the jobs that are "queued" or "running" since
    before `older_than` ago (default 10 minutes) and that no live process is running: those a
    dead worker left behind, or whose broker message was lost. Returns their ids. Harmless for a
    job whose message is merely waiting in the queue: whichever run comes second finds it done
    or locked and does nothing. On SQLite (no locks to tell) only explicit `job_ids` are run."""
    import datetime

    qs = Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    if job_ids:
        qs = qs.filter(pk__in=job_ids)
    else:
        if connection.vendor != "postgresql":
            return []
        cutoff = timezone.now() - (older_than if older_than is not None else datetime.timedelta(minutes=10))
        qs = qs.filter(created_at__lt=cutoff)
    ids = [pk for pk in qs.order_by("pk").values_list("pk", flat=True) if not is_held(pk)]
    for pk in ids:
        _dispatch(pk)
    return ids
