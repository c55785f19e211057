"""Results for the demo Yên Lạc tree (after `seed_demo`), shaped like seed 002's figures, so the
summary report has something to say: an annual campaign issued by Huyện ủy Yên Lạc, launched
and finished in every unit (61/61), members about 90% HTTNV or better with 12% HTXSNV, 61
members disciplined (4 expelled, all rated KHTNV), 9 probationary and 4 official members removed
from the list, no weak cell. Everybody touched is a generated person with a fictional name (the
article names nobody in Yên Lạc).

Every rating is decided through `ratings.services.decide_all` by the body the tree names, checked
by QĐ 366 and each body's quota, so `kiemdiem check_ratings` passes on the demo. Seed 002's
"49 % of cells TSVM" was a 2018 rating under the old "trong sạch vững mạnh" rules: under QĐ 366
the quota (HTXSNV ≤ 20 % of those rated HTTNV in each deciding body) allows about one cell in
six, which is what this campaign shows."""
from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.campaigns.models import Campaign
from kiemdiem.discipline.services import discipline_record
from kiemdiem.organisations.choices import MEMBER_HOLDING_KINDS, PartyStatus
from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.ratings import services as rating_services
from kiemdiem.ratings.facts import deciding_body_id, orgs_for
from kiemdiem.ratings.models import subject_kind
from kiemdiem.ratings.rules import get_profile
from kiemdiem.remediation.choices import RemovalGround, RemovalState
from kiemdiem.remediation.models import RemovalCase
from kiemdiem.reviews.choices import Form, Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review

D = datetime.date
SEED = 2019


def _quota_room(good_or_better: int) -> int:
    """The most HTXSNV among `good_or_better` subjects that keeps HTXSNV ≤ 20 % of HTTNV."""
    return max(k for k in range(good_or_better + 1) if k * 5 <= good_or_better - k)


def _excellent_room(n: int) -> int:
    return _quota_room(n)


@transaction.atomic
def seed_yen_lac_results(year: int | None = None) -> Campaign:
    yl = Organisation.objects.get(code="VP-YL")
    year = year or timezone.localdate().year - 1
    start, end = D(year, 1, 1), D(year, 12, 31)
    campaign = campaign_services.campaign_create(
        actor=None, issuer=yl, title=f"Kiểm điểm, đánh giá, xếp loại năm {year}", kind="annual", year=year,
        period_start=start, period_end=end, plan_number="Kế hoạch số 25-KH/HU")
    rng = random.Random(SEED)

    # removals during the year: 9 probationary, 4 official; not reviewed at the year's end
    removed = []
    for status, n in ((PartyStatus.PROBATIONARY, 9), (PartyStatus.OFFICIAL, 4)):
        rows = list(Member.objects.filter(organisation__path__startswith=yl.path, status=status)
                    .values_list("pk", "organisation__path").order_by("code"))
        rng.shuffle(rows)
        removed += [(None, path, member_id, status) for member_id, path in rows[:n]]
    day = D(year, 10, 15)
    RemovalCase.objects.bulk_create([
        RemovalCase(member_id=member_id, year=year, ground=RemovalGround.ABSENCE_OR_DUES, org_path=path,
                    state=RemovalState.DECIDED, decided_by=yl, decision_number=f"{k}-QĐ/HU", decided_on=day,
                    status_before=status, reason="Bỏ sinh hoạt, không đóng đảng phí 3 tháng trong năm")
        for k, (_pk, path, member_id, status) in enumerate(removed, 101)])
    Member.objects.filter(pk__in=[r[2] for r in removed]).update(status=PartyStatus.REMOVED, left_on=day)

    launch(actor=None, campaign=campaign)
    people = list(Review.objects.filter(campaign=campaign, member__isnull=False, leadership="")
                  .values_list("pk", "org_path", "member_id", "member__status").order_by("pk"))
    rng.shuffle(people)
    taken = set()

    # discipline: 61 official members without a leadership post, 4 of them expelled; all rated
    # KHTNV (a duty-related discipline is a binding trigger of QĐ 366)
    plain = set(Review.objects.filter(campaign=campaign, member__isnull=False, leadership="").exclude(form=Form.LEADER)
                .values_list("pk", flat=True))
    disciplined = [p for p in people if p[0] not in taken and p[3] == PartyStatus.OFFICIAL and p[0] in plain][:61]
    taken |= {p[0] for p in disciplined}
    members = Member.objects.in_bulk([p[2] for p in disciplined])
    for k, (_pk, _path, member_id, _s) in enumerate(disciplined):
        form = "expulsion" if k < 4 else ("warning" if k % 3 == 0 else "reprimand")
        discipline_record(actor=None, member=members[member_id], form=form, deciding_body=yl,
                          decision_number=f"{201 + k}-QĐ/HU", decided_on=D(year, 3 + k % 9, 10),
                          summary="Vi phạm quy định về những điều đảng viên không được làm")

    # decisions through the rating services, by the body the tree names (the grassroots
    # committee for its members and cells, the Huyện ủy for grassroots organisations), subordinates
    # first, every level checked by QĐ 366 and every body's quota (20 % of those rated HTTNV)
    # (leaders' reviews held in a leadership collective are not rated: each leader is rated once)
    reviews = list(Review.objects.filter(campaign=campaign).exclude(subject_org=yl)
                   .exclude(member__isnull=False, leadership__gt="").select_related("campaign", "subject_org"))
    orgs = orgs_for(reviews)
    body = {r.pk: deciding_body_id(r, orgs) for r in reviews}
    by_pk = {r.pk: r for r in reviews}
    blocked = {p[0] for p in disciplined}

    # members: about 90 % HTTNV or better, 12 % HTXSNV, within each body's quota
    groups = defaultdict(list)
    for pk, _path, _m, _s in people:
        if pk not in taken:
            groups[body[pk]].append(pk)
    decisions = [(pk, "KHTNV", "") for pk in sorted(blocked)]
    weak = defaultdict(int)
    for pk in blocked:
        weak[body[pk]] += 1
    for body_id, pks in groups.items():
        n = len(pks) + weak[body_id]  # the shares are of everyone the body rates
        good_or_better = min(len(pks), round(n * 0.895))
        excellent = min(round(n * 0.12), _quota_room(good_or_better))
        good = good_or_better - excellent
        decisions += [(pk, "HTXSNV" if i < excellent else "HTTNV" if i < excellent + good else "HTNV", "")
                      for i, pk in enumerate(pks)]
    rating_services.decide_all(actor=None, campaign=campaign, decisions=decisions)

    # organisations, deepest first: cells where no member was disciplined may be HTXSNV (as many
    # as each body's quota allows), the rest HTTNV; no weak cell
    disciplined_paths = {by_pk[pk].org_path for pk in blocked}
    qd366 = get_profile(campaign.rules_profile)
    collectives = [r for r in reviews if r.member_id is None]
    for depth in sorted({r.org_path.count(".") for r in collectives}, reverse=True):
        groups = defaultdict(list)  # each body's quota is counted within a group of comparable subjects
        for r in collectives:
            if r.org_path.count(".") == depth:
                groups[(body[r.pk], qd366.quota_group(subject_kind(None, r.subject_org.kind, r.leadership)))].append(r)
        decisions = []
        for rs in groups.values():
            eligible = [r for r in rs if r.subject_org.kind in MEMBER_HOLDING_KINDS and not r.leadership
                        and not any(p.startswith(r.org_path) for p in disciplined_paths)]
            excellent = {r.pk for r in eligible[:_excellent_room(len(rs))]}
            decisions += [(r.pk, "HTXSNV" if r.pk in excellent else "HTTNV", "") for r in rs]
        rating_services.decide_all(actor=None, campaign=campaign, decisions=decisions)
    Review.objects.filter(campaign=campaign).update(status=Status.FINAL)
    return campaign
