"""Drives the background-job tests from outside the pytest process (tests/ops/test_jobs_*.py):
every call is a separate process under the environment the test gives it (DATABASE_URL,
CELERY_BROKER_URL, CELERY_QUEUE, KIEMDIEM_DATA_DIR), like a web process submitting jobs to
real Celery workers. Prints one JSON object.

    python tests/ops/driver.py setup
    python tests/ops/driver.py submit-import MEMBERS CELLS
    python tests/ops/driver.py submit-launch
    python tests/ops/driver.py status JOB_ID
    python tests/ops/driver.py recover JOB_ID
    python tests/ops/driver.py counts
    python tests/ops/driver.py relaunch-inline CAMPAIGN_ID
"""
from __future__ import annotations

import datetime
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from kiemdiem.core import jobs  # noqa: E402
from kiemdiem.core.models import Job  # noqa: E402

ADMIN = "ops-admin"
TAG = "[ops-test]"


def admin():
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=ADMIN, defaults={"is_superuser": True, "is_staff": True})
    return user


def setup() -> dict:
    return {"admin": admin().pk}


def submit_import(members: int, cells: int) -> dict:
    from kiemdiem.organisations.jobs import start_import, store_upload

    spec = importlib.util.spec_from_file_location("bench_import", REPO / "bench" / "import_members.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "members.xlsx"
        bench.write_workbook(path, members, cells)
        with open(path, "rb") as f:
            stored = store_upload(iter(lambda: f.read(1 << 20), b""), ".xlsx")
    job = start_import(user=admin(), stored=stored, filename="members.xlsx")
    return {"job": job.pk, "status": job.status}


def submit_launch() -> dict:
    from kiemdiem.campaigns import services
    from kiemdiem.campaigns.choices import CampaignKind, Stage
    from kiemdiem.campaigns.views import start_launch
    from kiemdiem.organisations.models import Organisation

    D = datetime.date
    issuer = Organisation.objects.get(code="B-TINH")
    campaign = services.campaign_create(
        actor=admin(), issuer=issuer, title=f"{TAG} {Job.objects.count()}", kind=CampaignKind.ANNUAL, year=2025,
        period_start=D(2025, 1, 1), period_end=D(2025, 12, 31), plan_number="KH-OPS",
        deadlines={Stage.DRAFTS: D(2025, 12, 10), Stage.MEETINGS: D(2026, 1, 15)},
    )
    job = start_launch(admin(), campaign)
    return {"job": job.pk, "campaign": campaign.pk}


def status(job_id: int) -> dict:
    job = Job.objects.get(pk=job_id)
    return {"status": job.status, "done": job.done, "total": job.total, "message": job.message,
            "result": job.result, "held": jobs.is_held(job_id)}


def recover(job_id: int) -> dict:
    return {"requeued": jobs.recover_stale(job_ids=[job_id])}


def counts() -> dict:
    from kiemdiem.organisations.models import Member, Organisation
    from kiemdiem.reviews.models import Review

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM (SELECT 1 FROM reviews_review WHERE member_id IS NOT NULL"
                    " GROUP BY campaign_id, member_id HAVING COUNT(*) > 1) d")
        dup_reviews = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM (SELECT 1 FROM organisations_member GROUP BY code HAVING COUNT(*) > 1) d")
        dup_members = cur.fetchone()[0]
    per_campaign = {}
    for cid in Review.objects.values_list("campaign_id", flat=True).distinct():
        per_campaign[str(cid)] = Review.objects.filter(campaign_id=cid).count()
    return {"members": Member.objects.count(), "orgs": Organisation.objects.count(), "reviews": per_campaign,
            "dup_reviews": dup_reviews, "dup_members": dup_members}


def relaunch_inline(campaign_id: int) -> dict:
    from kiemdiem.campaigns.models import Campaign
    from kiemdiem.reviews.launch import launch

    counts = launch(actor=admin(), campaign=Campaign.objects.get(pk=campaign_id))
    return {"created": counts}


COMMANDS = {"setup": setup, "submit-import": submit_import, "submit-launch": submit_launch, "status": status,
            "recover": recover, "counts": counts, "relaunch-inline": relaunch_inline}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(COMMANDS[name](*map(int, args)), default=str, ensure_ascii=False))
