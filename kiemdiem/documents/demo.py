"""Results for the demo Yên Lạc tree (after `seed_demo`), shaped like seed 002's figures, so the
summary report has something to say: an annual campaign issued by Huyện ủy Yên Lạc, launched
and finished in every unit (61/61), cells rated 49% HTXSNV and the rest HTTNV (no weak cell),
members about 90% HTTNV or better with 12% HTXSNV, 61 members disciplined (4 expelled, all
rated KHTNV), 9 probationary and 4 official members removed from the list. Everybody touched
is a generated person with a fictional name (the article names nobody in Yên Lạc).

Ratings are written as recorded decisions (as an import of a past year would be), not through
the calibration screen; the report only reads them."""
from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.campaigns.models import Campaign
from kiemdiem.discipline.services import discipline_record
from kiemdiem.organisations.choices import MEMBER_HOLDING_KINDS, PartyStatus
from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.ratings.models import Rating
from kiemdiem.remediation.choices import RemovalGround, RemovalState
from kiemdiem.remediation.models import RemovalCase
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review

D = datetime.date
SEED = 2019


@transaction.atomic
def seed_yen_lac_results(year: int | None = None) -> Campaign:
    yl = Organisation.objects.get(code="VP-YL")
    year = year or timezone.localdate().year - 1
    start, end = D(year, 1, 1), D(year, 12, 31)
    campaign = campaign_services.campaign_create(
        actor=None, issuer=yl, title=f"Kiểm điểm, đánh giá, xếp loại năm {year}", kind="annual", year=year,
        period_start=start, period_end=end, plan_number="Kế hoạch số 25-KH/HU")
    launch(actor=None, campaign=campaign)
    rng = random.Random(SEED)
    people = list(Review.objects.filter(campaign=campaign, member__isnull=False)
                  .values_list("pk", "org_path", "member_id", "member__status").order_by("pk"))
    rng.shuffle(people)

    # removals: 9 probationary, 4 official (probationary members need not have a review)
    removed, taken = [], set()
    for status, n in ((PartyStatus.PROBATIONARY, 9), (PartyStatus.OFFICIAL, 4)):
        rows = list(Member.objects.filter(organisation__path__startswith=yl.path, status=status)
                    .values_list("pk", "organisation__path").order_by("code"))
        rng.shuffle(rows)
        removed += [(None, path, member_id, status) for member_id, path in rows[:n]]
    gone = {r[2] for r in removed}
    taken = {p[0] for p in people if p[2] in gone}
    day = D(year, 10, 15)
    RemovalCase.objects.bulk_create([
        RemovalCase(member_id=member_id, year=year, ground=RemovalGround.ABSENCE_OR_DUES, org_path=path,
                    state=RemovalState.DECIDED, decided_by=yl, decision_number=f"{k}-QĐ/HU", decided_on=day,
                    status_before=status, reason="Bỏ sinh hoạt, không đóng đảng phí 3 tháng trong năm")
        for k, (_pk, path, member_id, status) in enumerate(removed, 101)])
    Member.objects.filter(pk__in=[r[2] for r in removed]).update(status=PartyStatus.REMOVED, left_on=day)

    # discipline: 61 official members, 4 of them expelled; all rated KHTNV
    disciplined = [p for p in people if p[0] not in taken and p[3] == PartyStatus.OFFICIAL][:61]
    taken |= {p[0] for p in disciplined}
    members = Member.objects.in_bulk([p[2] for p in disciplined])
    for k, (_pk, _path, member_id, _s) in enumerate(disciplined):
        form = "expulsion" if k < 4 else ("warning" if k % 3 == 0 else "reprimand")
        discipline_record(actor=None, member=members[member_id], form=form, deciding_body=yl,
                          decision_number=f"{201 + k}-QĐ/HU", decided_on=D(year, 3 + k % 9, 10),
                          summary="Vi phạm quy định về những điều đảng viên không được làm")

    rated = [p for p in people if p[0] not in taken]
    total = len(rated) + len(disciplined)
    excellent = total * 12 // 100
    good = total * 895 // 1000 - excellent  # "gần 90%" good or better
    levels = ["HTXSNV"] * excellent + ["HTTNV"] * good
    levels += ["HTNV"] * (len(rated) - len(levels))
    ratings = [Rating(review_id=pk, stage="decision", profile_key=campaign.rules_profile, level=level, body=yl, org_path=path)
               for (pk, path, _m, _s), level in zip(rated, levels)]
    ratings += [Rating(review_id=pk, stage="decision", profile_key=campaign.rules_profile, level="KHTNV", body=yl,
                       org_path=path) for pk, path, _m, _s in disciplined]

    # organisations: cells 49% HTXSNV, the rest HTTNV; grassroots committees HTTNV
    cells = list(Review.objects.filter(campaign=campaign, subject_org__kind__in=MEMBER_HOLDING_KINDS)
                 .values_list("pk", "org_path").order_by("org_path"))
    n_excellent = round(len(cells) * 0.49)
    ratings += [Rating(review_id=pk, stage="decision", profile_key=campaign.rules_profile,
                       level="HTXSNV" if i < n_excellent else "HTTNV", body=yl, org_path=path)
                for i, (pk, path) in enumerate(cells)]
    others = (Review.objects.filter(campaign=campaign, subject_org__isnull=False).exclude(subject_org=yl)
              .exclude(subject_org__kind__in=MEMBER_HOLDING_KINDS).values_list("pk", "org_path"))
    ratings += [Rating(review_id=pk, stage="decision", profile_key=campaign.rules_profile, level="HTTNV", body=yl,
                       org_path=path) for pk, path in others]
    Rating.objects.bulk_create(ratings, batch_size=2000)
    Review.objects.filter(campaign=campaign).update(status=Status.FINAL)
    return campaign
