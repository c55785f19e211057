"""Deciding many subjects at once (`services.decide_all`, a province's calibration): the bulk
path (tuples, memoised checks, COPY on PostgreSQL) must save exactly what deciding one by one
saves, and refuse exactly what it refuses."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kiemdiem.core import audit
from kiemdiem.core.models import AuditEvent
from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import facts as facts_mod
from kiemdiem.ratings import services
from kiemdiem.ratings.models import Rating
from kiemdiem.ratings.rules import get_profile
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date
QD366 = get_profile("qd366-2025")


@pytest.fixture
def campaign(cast):
    c = annual(cast)
    launch(actor=cast.admin, campaign=c)
    # scores 28 + 65 = 93 for everyone: excellent by score
    Review.objects.filter(campaign=c, member__isnull=False).update(self_score_common=28, self_score_tasks=65)
    return c


def member_reviews(campaign):
    return list(Review.objects.filter(campaign=campaign, member__isnull=False).select_related("campaign", "member")
                .order_by("member__code"))


def test_bulk_decisions_go_to_the_body_the_tree_names_with_their_checks(cast, campaign, settings):
    settings.KIEMDIEM_ADVISORY_RULES = {"qd366-2025": ["disciplined"]}  # an advisory finding: a reason overrides it
    reviews = member_reviews(campaign)
    discipline_record(actor=None, member=reviews[0].member, form="reprimand", deciding_body=cast.PX,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))
    decisions = [(r.pk, "HTTNV", "Đã xem xét \\ kỹ" if i == 0 else "") for i, r in enumerate(reviews)]
    assert services.decide_all(actor=cast.grace, campaign=campaign, decisions=decisions) == len(reviews)

    orgs = facts_mod.orgs_for(reviews)
    facts = facts_mod.facts_for(reviews)
    saved = {r.review_id: r for r in Rating.objects.filter(stage="decision")}
    assert len(saved) == len(reviews)
    for r, (_pk, level, reason) in zip(reviews, decisions):
        rating = saved[r.pk]
        # what the one-by-one path computes for the same subject
        assert rating.body_id == facts_mod.deciding_body_id(r, orgs)
        assert rating.warnings == [v.as_dict() for v in QD366.check(facts[r.pk], level)]
        assert (rating.level, rating.reason, rating.previous_level) == (level, reason, "")
        assert rating.score == r.self_score_total and rating.org_path == r.org_path
        assert rating.profile_key == "qd366-2025" and rating.actor == cast.grace and rating.cancelled_at is None
    assert {saved[r.pk].body_id for r in reviews} == {cast.PX.pk, cast.XY.pk}
    assert "kỷ luật" in saved[reviews[0].pk].warnings[0]["reason"]  # kept with its reason
    # one audit row per deciding body, in the chain
    events = AuditEvent.objects.filter(action="rating.decision")
    assert {(e.org_path, e.changes["decisions"]) for e in events} == {
        (cast.PX.path, sum(1 for r in reviews if saved[r.pk].body_id == cast.PX.pk)),
        (cast.XY.path, sum(1 for r in reviews if saved[r.pk].body_id == cast.XY.pk)),
    }
    assert audit.verify_chain().ok


def test_redeciding_cancels_the_live_decisions_and_keeps_them(cast, campaign):
    reviews = member_reviews(campaign)
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in reviews])
    services.decide_all(actor=cast.grace, campaign=campaign,
                        decisions=[(r.pk, "HTNV", "Phúc tra" if i == 0 else "") for i, r in enumerate(reviews)])
    for i, r in enumerate(reviews):
        history = list(Rating.objects.filter(review=r, stage="decision").order_by("id"))
        assert [(h.level, h.cancelled_at is None) for h in history] == [("HTTNV", False), ("HTNV", True)]
        assert history[0].cancel_reason == ("Phúc tra" if i == 0 else "Thay bằng mức mới")
        assert history[1].previous_level == "HTTNV"
    assert sum(e.changes["replaced"] for e in AuditEvent.objects.filter(action="rating.decision")) == len(reviews)


@pytest.mark.parametrize("reasons", ["one", "several"])
def test_redeciding_a_whole_campaign_cancels_every_live_decision(cast, campaign, monkeypatch, reasons):
    """The path of a province (more ids than CHUNK, every live decision of the campaign
    replaced): one UPDATE over the campaign's live decisions when they share a cancel reason,
    by ids otherwise; either way each is cancelled with its time and reason, and kept."""
    monkeypatch.setattr(services, "CHUNK", 1)
    reviews = member_reviews(campaign)
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in reviews])
    first = {r.review_id: r.pk for r in Rating.objects.filter(stage="decision")}
    reason = (lambda i: "") if reasons == "one" else (lambda i: "Phúc tra" if i == 0 else "")
    services.decide_all(actor=cast.grace, campaign=campaign,
                        decisions=[(r.pk, "HTNV", reason(i)) for i, r in enumerate(reviews)])
    for i, r in enumerate(reviews):
        old = Rating.objects.get(pk=first[r.pk])
        assert old.cancelled_at is not None and old.level == "HTTNV"
        assert old.cancel_reason == (reason(i) or "Thay bằng mức mới")
        new = Rating.objects.get(review=r, stage="decision", cancelled_at__isnull=True)
        assert (new.level, new.previous_level) == ("HTNV", "HTTNV")
    # a part of the campaign only: the others' live decisions stay live
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in reviews[:2]])
    live = dict(Rating.objects.filter(stage="decision", cancelled_at__isnull=True).values_list("review_id", "level"))
    assert live == {r.pk: "HTTNV" if i < 2 else "HTNV" for i, r in enumerate(reviews)}


@pytest.mark.parametrize("chunk", [1, 2000])
def test_redeciding_refuses_when_a_replaced_decision_changed_meanwhile(cast, campaign, monkeypatch, chunk):
    """A live decision cancelled by someone else between the read and the cancelling UPDATE:
    nothing is saved (the counts differ), rather than a decision cancelled twice."""
    monkeypatch.setattr(services, "CHUNK", chunk)
    reviews = member_reviews(campaign)
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in reviews])
    read = services._live_decisions

    def read_then_cancel_one(*args):
        found = read(*args)
        Rating.objects.filter(review=reviews[0], cancelled_at__isnull=True).update(cancelled_at=timezone.now(),
                                                                                  cancel_reason="Mẫu 03")
        return found

    monkeypatch.setattr(services, "_live_decisions", read_then_cancel_one)
    with pytest.raises(ValidationError, match="vừa được thay đổi"):
        services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTNV", "") for r in reviews])
    assert set(Rating.objects.filter(stage="decision", cancelled_at__isnull=True).values_list("level", flat=True)) == {"HTTNV"}


def test_deleting_a_review_deletes_its_ratings(cast, campaign):
    """`Rating.review` has no database constraint (bulk decisions): Django's CASCADE deletes the
    ratings with their review, and with their campaign, on every database."""
    reviews = member_reviews(campaign)
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in reviews])
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTNV", "") for r in reviews])
    assert Rating.objects.filter(review=reviews[0]).count() == 2
    reviews[0].delete()
    assert not Rating.objects.filter(review_id=reviews[0].pk).exists()
    assert Rating.objects.filter(review__in=reviews[1:]).count() == 2 * (len(reviews) - 1)
    campaign.delete()
    assert not Rating.objects.exists()


def test_bulk_decisions_refuse_as_a_whole(cast, campaign):
    reviews = member_reviews(campaign)
    discipline_record(actor=None, member=reviews[0].member, form="reprimand", deciding_body=cast.PX,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))
    ok = [(r.pk, "HTTNV", "") for r in reviews[1:]]
    # a level a binding rule refuses, with or without a reason: the subject is named with the cap and why
    for reason in ("", "Đề nghị đặc biệt"):
        with pytest.raises(services.RatingRefused) as exc:
            services.decide_all(actor=cast.grace, campaign=campaign, decisions=ok + [(reviews[0].pk, "HTTNV", reason)])
        assert any(reviews[0].member.full_name in m and "kỷ luật" in m for m in exc.value.messages)
        assert [(r["review_id"], r["max_level"], r["binding"]) for r in exc.value.refusals] == [(reviews[0].pk, "KHTNV", True)]
    # quota: 4 good under PX allow no excellent
    with pytest.raises(ValidationError, match="quá nhiều"):
        services.decide_all(actor=cast.grace, campaign=campaign,
                            decisions=[(ok[0][0], "HTXSNV", "")] + ok[1:] + [(reviews[0].pk, "KHTNV", "")])
    with pytest.raises(ValidationError, match="không thuộc quy định"):
        services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(reviews[1].pk, "XYZ", "")])
    with pytest.raises(ValidationError, match="một lần"):
        services.decide_all(actor=cast.grace, campaign=campaign, decisions=[ok[0], ok[0]])
    other = annual(cast, year=2024)
    launch(actor=cast.admin, campaign=other)
    stranger = Review.objects.filter(campaign=other, member__isnull=False).first()
    with pytest.raises(ValidationError, match="không thuộc đợt"):
        services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(stranger.pk, "HTTNV", "")])
    assert not Rating.objects.filter(stage="decision").exists()  # nothing half-saved
    assert not AuditEvent.objects.filter(action="rating.decision").exists()


def test_decide_accepts_ids_and_returns_ratings_in_order(cast, campaign):
    reviews = [r for r in member_reviews(campaign) if r.org_path.startswith(cast.PX.path)]
    out = services.decide(actor=cast.grace, body=cast.PX, campaign=campaign,
                          decisions=[(r.pk, "HTTNV", "") for r in reversed(reviews)])
    assert [x.review_id for x in out] == [r.pk for r in reversed(reviews)]
    assert all(x.pk and x.body_id == cast.PX.pk for x in out)


def test_every_rating_carries_its_campaign_and_subject_kind(cast, campaign):
    """Statistics read `campaign` and `subject_kind` from the ratings alone (no join to the
    reviews), so every path that writes a rating must fill them: the bulk path (COPY on
    PostgreSQL), the one-by-one path, and `bulk_create` / `create` by other code."""
    reviews = member_reviews(campaign)
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in reviews])
    # the collective subjects under PX after their members: cells, then PX itself
    cells = Review.objects.filter(campaign=campaign, subject_org__in=[cast.C1, cast.C2])
    services.decide(actor=cast.grace, body=cast.PX, campaign=campaign, decisions=[(r, "HTTNV", "") for r in cells])
    one = reviews[0]
    services.rating_record(actor=cast.grace, review=one, stage="unit", level="HTTNV")
    other = Review.objects.get(campaign=campaign, subject_org=cast.XY)
    Rating.objects.bulk_create([Rating(review=other, stage="unit", profile_key="qd366-2025", level="HTTNV",
                                       org_path=other.org_path)])
    Rating.objects.create(review=other, stage="appraisal", profile_key="qd366-2025", level="HTNV", org_path=other.org_path)

    ratings = list(Rating.objects.select_related("review__subject_org"))
    assert len(ratings) == len(reviews) + 2 + 3
    for r in ratings:
        expected = "member" if r.review.member_id else r.review.subject_org.kind
        assert (r.campaign_id, r.subject_kind) == (campaign.pk, expected), r.review
    assert {r.subject_kind for r in ratings} == {"member", "cell", "grassroots"}
    # and the statistics count them from there
    from kiemdiem.reports import statistics

    figures = statistics.review_figures(campaign, cast.PX)
    assert figures["cells"].by_level == {"HTTNV": 2}
    assert figures["members"].total == sum(1 for r in reviews if r.org_path.startswith(cast.PX.path))


@pytest.mark.django_db(transaction=True)
def test_migration_fills_campaign_and_subject_kind_of_existing_ratings(cast, campaign):
    """ratings 0003 backfills the two columns from the reviews (PostgreSQL: UPDATE … FROM;
    SQLite: correlated subqueries)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    reviews = member_reviews(campaign)[:3]
    services.decide_all(actor=cast.grace, campaign=campaign, decisions=[(r.pk, "HTTNV", "") for r in reviews])
    cell = Review.objects.get(campaign=campaign, subject_org=cast.C3)
    Rating.objects.create(review=cell, stage="unit", profile_key="qd366-2025", level="HTTNV", org_path=cell.org_path)
    Rating.objects.update(subject_kind="")  # as before the migration
    executor = MigrationExecutor(connection)
    executor.migrate([("ratings", "0002_rating_bulk_friendly_keys")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("ratings", "0003_rating_campaign_subject_kind")])
    got = {(r.review_id, r.campaign_id, r.subject_kind) for r in Rating.objects.all()}
    assert got == {(r.pk, campaign.pk, "member") for r in reviews} | {(cell.pk, campaign.pk, "cell")}
