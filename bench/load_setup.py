"""Prepare a database for the load test (bench/load_test.sh): a launched campaign over the
largest province in it, `--members` member accounts linked to members of that province who have
a draft self-review in the campaign, and `--staff` staff accounts on the province. Idempotent:
run again, it reuses what it made. Writes the accounts to --out as JSON for bench/locustfile.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd_load .venv/bin/python bench/load_setup.py --out /tmp/load.json
    .venv/bin/python bench/load_setup.py --check-acks /tmp/acks.csv     # after the PG-restart run

The database is expected to hold a province-sized tree (`kiemdiem seed_synthetic --members
165000 --provinces 1`); the campaign is titled "[load] …" so it is easy to find and remove.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from kiemdiem.campaigns import services as campaign_services  # noqa: E402
from kiemdiem.campaigns.choices import CampaignKind, CampaignStatus, Stage  # noqa: E402
from kiemdiem.campaigns.models import Campaign  # noqa: E402
from kiemdiem.organisations import services as org_services  # noqa: E402
from kiemdiem.organisations.choices import GrantRole  # noqa: E402
from kiemdiem.organisations.models import Member, Organisation  # noqa: E402
from kiemdiem.reviews.launch import launch  # noqa: E402
from kiemdiem.reviews.models import Review  # noqa: E402

TAG = "[load]"
PASSWORD = "tai-thu-kiemdiem-2025"
D = datetime.date


def province() -> Organisation:
    roots = Organisation.objects.filter(parent__isnull=True)
    best, size = None, -1
    for root in roots:
        n = Member.objects.filter(organisation__path__startswith=root.path).count()
        if n > size:
            best, size = root, n
    if best is None or size == 0:
        sys.exit("no members in this database: seed it first (kiemdiem seed_synthetic --members 165000 --provinces 1)")
    return best


def campaign_for(root: Organisation) -> Campaign:
    campaign = Campaign.objects.filter(issuer=root, title__startswith=TAG).first()
    if campaign is None:
        campaign = campaign_services.campaign_create(
            actor=None, issuer=root, title=f"{TAG} Kiểm điểm năm 2025 — {root.name}", kind=CampaignKind.ANNUAL,
            year=2025, period_start=D(2025, 1, 1), period_end=D(2025, 12, 31), plan_number="KH-LOAD",
            deadlines={Stage.DRAFTS: D(2025, 12, 10), Stage.MEETINGS: D(2026, 1, 15)},
        )
    if campaign.status != CampaignStatus.LAUNCHED:
        counts = launch(actor=None, campaign=campaign)
        print(f"launched {campaign.pk}: {counts}", file=sys.stderr)
    return campaign


def accounts(root: Organisation, campaign: Campaign, members: int, staff: int) -> dict:
    User = get_user_model()
    password = make_password(PASSWORD)
    out = {"password": PASSWORD, "campaign": campaign.pk, "province": root.pk, "members": [], "staff": []}
    existing = {u.username: u for u in User.objects.filter(username__startswith="load-")}
    # members: spread over the province (every 97th draft individual review)
    reviews = list(
        Review.objects.filter(campaign=campaign, member__isnull=False, status="draft")
        .order_by("id").values_list("id", "member_id")[: members * 97: 97]
    )
    for i, (review_id, member_id) in enumerate(reviews[:members]):
        name = f"load-m{i:03d}"
        user = existing.get(name) or User.objects.create(username=name, password=password)
        Member.objects.filter(user=user).exclude(pk=member_id).update(user=None)
        Member.objects.filter(pk=member_id).update(user=user)
        out["members"].append({"username": name, "review": review_id})
    for i in range(staff):
        name = f"load-s{i:02d}"
        user = existing.get(name) or User.objects.create(username=name, password=password)
        if not user.role_grants.filter(organisation=root, role=GrantRole.STAFF).exists():
            org_services.grant_role(actor=None, user=user, organisation=root, role=GrantRole.STAFF)
        out["staff"].append({"username": name})
    # a few districts too, so staff also open a level below the province
    out["districts"] = list(root.children.annotate(n=Count("id")).values_list("id", flat=True)[:10])
    return out


def check_acks(path: Path) -> int:
    """Every save the app acknowledged (302 after POST, recorded by the locustfile) must be in the
    database: the review's version history holds the text with its marker, and the review's
    version is at least the acknowledged one. Prints the counts; exit status 1 if any is lost."""
    rows = list(csv.reader(path.open()))
    lost = []
    with connection.cursor() as cur:
        for review_id, version, marker in rows:
            cur.execute(
                "SELECT EXISTS (SELECT 1 FROM reviews_reviewversion WHERE review_id = %s AND NOT conflict"
                " AND content::text LIKE %s), (SELECT version FROM reviews_review WHERE id = %s)",
                [int(review_id), f"%{marker}%", int(review_id)],
            )
            found, current = cur.fetchone()
            if not found or current is None or current < int(version):
                lost.append((review_id, version, marker, found, current))
    print(f"acknowledged saves: {len(rows)}, found in the database: {len(rows) - len(lost)}, lost: {len(lost)}")
    for row in lost[:20]:
        print("  LOST", row)
    return 1 if lost or not rows else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--check-acks", type=Path, metavar="CSV")
    args = parser.parse_args()
    if args.check_acks:
        sys.exit(check_acks(args.check_acks))
    root = province()
    campaign = campaign_for(root)
    data = accounts(root, campaign, args.members, args.staff)
    args.out.write_text(json.dumps(data, indent=1))
    print(f"province {root.code} ({root.pk}), campaign {campaign.pk}: {len(data['members'])} members, "
          f"{len(data['staff'])} staff -> {args.out}")


if __name__ == "__main__":
    main()
