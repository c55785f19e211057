"""Background job registrations of this app (imported by AppConfig.ready).

"organisations.import" imports an uploaded XLSX/CSV file (see imports.py). The upload is
kept as MEDIA_ROOT/imports/<uuid>.<ext> until the job has read it. Files with more than
settings.KIEMDIEM_IMPORT_BACKGROUND_ROWS rows are queued; smaller ones run inside the
request. Either way there is a Job, so the user always lands on the same progress page.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.translation import gettext as _

from kiemdiem.core import jobs
from kiemdiem.core.models import Job

from . import imports

IMPORT_JOB = "organisations.import"
UPLOAD_DIR = "imports"


def _upload_root() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def store_upload(chunks: Iterable[bytes], suffix: str) -> str:
    """Write an uploaded file under MEDIA_ROOT/imports/ with a random name; returns its path
    relative to MEDIA_ROOT (what the job's params keep)."""
    root = _upload_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{suffix}"
    with open(root / name, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return f"{UPLOAD_DIR}/{name}"


def _stored_path(relative: str) -> Path:
    # Params come from our own view, but never let them point outside the upload folder.
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if path.parent != _upload_root().resolve():
        raise ValueError(f"not an import upload: {relative}")
    return path


def start_import(*, user, stored: str, filename: str, org=None) -> Job:
    """Create the import Job for a stored upload and run it: queued when the file is large,
    at once otherwise. Returns the Job (finished when it ran at once)."""
    path = _stored_path(stored)
    rows = imports.count_rows(path, filename)
    background = rows > settings.KIEMDIEM_IMPORT_BACKGROUND_ROWS
    params = {"file": stored, "filename": filename, "org_id": org.pk if org else None, "background": background}
    fields = {"created_by": user, "params": params, "total": 2 * rows, "org_path": org.path if org else ""}
    if background:
        return jobs.enqueue(IMPORT_JOB, **fields)
    job = Job.objects.create(kind=IMPORT_JOB, **fields)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    return job


class _JobProgress:
    """Writes an import's progress onto its Job row.

    Before the write transaction this is plain jobs.report(). Inside it, a write through the
    same connection would stay invisible to the polling page until commit (and would lock the
    row), so on PostgreSQL progress goes through a second connection of its own, in
    autocommit. SQLite allows one writer at a time, so there progress is written inside the
    transaction and shows at commit; the "saving" message written just before stays on the
    page meanwhile."""

    def __init__(self, job: Job):
        self.job = job
        self._side = None

    def __call__(self, done: int, total: int, message: str, saving: bool) -> None:
        if saving and connection.in_atomic_block and connection.vendor == "postgresql":
            self.job.done, self.job.total, self.job.message = done, total, message[:300]
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, message = %s WHERE id = %s",
                    [done, total, self.job.message, self.job.pk],
                )
        else:
            jobs.report(self.job, done, total, message)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()


@jobs.job(IMPORT_JOB)
def run_import(job: Job) -> dict:
    """Import the stored upload as the user who sent it; the upload is deleted afterwards.
    With errors in the file nothing is saved and the errors are the result; an exception
    rolls everything back and the job is marked failed."""
    if job.created_by is None:
        raise RuntimeError(_("Người gửi tệp không còn trong hệ thống; không nhập."))
    path = _stored_path(job.params["file"])
    progress = _JobProgress(job)
    try:
        result = imports.import_file(
            path, actor=job.created_by, filename=job.params.get("filename") or path.name, progress=progress
        )
    finally:
        progress.close()
        path.unlink(missing_ok=True)
    return result.as_dict()
