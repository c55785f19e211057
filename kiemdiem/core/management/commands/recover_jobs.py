"""kiemdiem recover_jobs [--older-than-minutes 10] [--job ID ...]

Queue again the background jobs that a dead worker left "queued" or "running" (SIGKILL, out of
memory, a host reboot). On PostgreSQL a job still held by a live worker is never touched; job
functions are idempotent, so a re-run completes the work without duplicates. Safe to run from
cron; celery beat runs it every 5 minutes (kiemdiem.celery_app)."""
import datetime

from django.core.management.base import BaseCommand

from kiemdiem.core import jobs


class Command(BaseCommand):
    help = "Queue again the background jobs left unfinished by a worker that died."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=10,
                            help="only jobs created at least this long ago (default 10)")
        parser.add_argument("--job", type=int, action="append", default=[],
                            help="this job only (repeatable); also on SQLite, where liveness cannot be checked")

    def handle(self, *args, older_than_minutes, job, **options):
        ids = jobs.recover_stale(older_than=datetime.timedelta(minutes=older_than_minutes), job_ids=job or None)
        if ids:
            self.stdout.write("Đã đưa lại vào hàng đợi các công việc: " + ", ".join(map(str, ids)))
        else:
            self.stdout.write("Không có công việc nào bị bỏ dở.")
