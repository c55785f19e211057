"""Background jobs with progress.

`enqueue()` stores a Job row and runs its function in one of three ways (settings
KIEMDIEM_JOB_RUNNER): "celery" when a broker is configured (production), "thread" for the
embedded `make run`, "inline" for tests and command-line use. A job function receives the Job
and reports progress through `report()`; it must be safe to run again after a crash (job
functions are idempotent: they match existing rows by code instead of adding duplicates).
"""
from __future__ import annotations

import logging
import threading
import traceback
from typing import Callable

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
_REGISTRY: dict[str, Callable[[Job], dict]] = {}


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


def run_job(job_id: int) -> None:
    """Execute a stored job. Any exception marks it failed with the message kept."""
    job_obj = Job.objects.get(pk=job_id)
    if job_obj.status == Job.Status.DONE:
        return
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
    runner = settings.KIEMDIEM_JOB_RUNNER
    if runner == "inline":
        run_job(job_obj.pk)
        job_obj.refresh_from_db()
    elif runner == "celery":
        from .tasks import run_job_task

        transaction.on_commit(lambda: run_job_task.delay(job_obj.pk))
    else:
        transaction.on_commit(lambda: _run_in_thread(job_obj.pk))
    return job_obj
