"""Binding findings cap the level at every stage: the meeting's vote and ballots, the
appraisal, the decision and the self-proposal; nothing gets past them, superusers included.
Advisory findings ask for a written reason and keep it."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import services
from kiemdiem.ratings.models import Ballot, Rating
from kiemdiem.reviews import services as review_services
from kiemdiem.reviews.models import Review

from .test_flow import setup  # noqa: F401  (fixture)

D = datetime.date


def _reprimand(cast, member):
    discipline_record(actor=None, member=member, form="reprimand", deciding_body=cast.PX,
                      decision_number="05-QĐ/ĐU", decided_on=D(2025, 5, 1))


def _open_member_vote(cast, setup, member, method):
    campaign, collective, meeting, members = setup
    services.attendance_record(actor=cast.alice, meeting=meeting, rows=[(m, True, "") for m in members.values()])
    services.vote_close(actor=cast.alice, vote=services.vote_open(actor=cast.alice, meeting=meeting, subject=collective,
                                                                  method="hands"), counts={"HTTNV": 3})
    an_review = Review.objects.get(campaign=campaign, member=cast.members["an"])
    if member != cast.members["an"]:
        services.vote_close(actor=cast.alice, vote=services.vote_open(actor=cast.alice, meeting=meeting, subject=an_review,
                                                                      method="hands"), counts={"HTTNV": 3})
    subject = Review.objects.get(campaign=campaign, member=member)
    return subject, services.vote_open(actor=cast.alice, meeting=meeting, subject=subject, method=method)


def test_hand_counts_above_the_cap_are_refused(cast, setup):
    dave = cast.members["dave"]
    _reprimand(cast, dave)
    subject, vote = _open_member_vote(cast, setup, dave, "hands")
    with pytest.raises(ValidationError, match="mức cao nhất quy định cho phép là “Không hoàn thành nhiệm vụ”"):
        services.vote_close(actor=cast.admin, vote=vote, counts={"HTTNV": 3})
    vote.refresh_from_db()
    assert vote.status == "open" and not Rating.objects.filter(review=subject).exists()
    services.vote_close(actor=cast.alice, vote=vote, counts={"KHTNV": 3})
    assert Rating.objects.get(review=subject, stage="unit").level == "KHTNV"


def test_ballots_above_the_cap_are_not_offered_nor_accepted(cast, setup, client_for):
    dave = cast.members["dave"]
    subject, vote = _open_member_vote(cast, setup, dave, "secret")
    _reprimand(cast, dave)
    with pytest.raises(ValidationError, match="vượt mức cao nhất"):
        services.ballot_cast(voter=cast.members["an"], vote=vote, level="HTTNV")
    voter = client_for(cast.dave)
    voter.post(reverse("ballot", args=[vote.meeting_id]), {"vote": vote.pk, "level": "HTXSNV"})
    assert not Ballot.objects.filter(vote=vote).exists()
    page = voter.get(reverse("ballot", args=[vote.meeting_id])).content.decode()
    form = page[page.index(f'name="vote" value="{vote.pk}"'):]
    form = form[:form.index("</form>")]
    assert 'value="KHTNV"' in form and 'value="HTTNV"' not in form and 'value="HTXSNV"' not in form
    services.ballot_cast(voter=cast.members["an"], vote=vote, level="KHTNV")


def test_a_secret_vote_closed_after_the_cap_fell_records_the_cap_and_says_why(cast, setup):
    binh = cast.members["binh"]
    subject, vote = _open_member_vote(cast, setup, binh, "secret")
    for member in setup[3].values():
        services.ballot_cast(voter=member, vote=vote, level="HTTNV")
    _reprimand(cast, binh)  # the discipline is recorded while the ballot box is open
    services.vote_close(actor=cast.alice, vote=vote)
    vote.refresh_from_db()
    assert vote.result_level == "HTTNV"  # the minutes keep what the members voted
    rating = Rating.objects.get(review=subject, stage="unit")
    assert rating.level == "KHTNV" and "kỷ luật" in rating.reason and "Không hoàn thành nhiệm vụ" in rating.reason


def test_superuser_and_any_reason_are_bound_at_every_stage(cast, setup):
    campaign = setup[0]
    dave = cast.members["dave"]
    _reprimand(cast, dave)
    review = Review.objects.select_related("campaign", "member").get(campaign=campaign, member=dave)
    for stage in ("unit", "appraisal", "decision"):
        for reason in ("", "Đồng chí có nhiều đóng góp"):
            with pytest.raises(services.RatingRefused) as exc:
                services.rating_record(actor=cast.admin, review=review, stage=stage, level="HTNV", reason=reason)
            [refused] = exc.value.refusals
            assert refused["max_level"] == "KHTNV" and refused["binding"] and "kỷ luật" in " ".join(refused["reasons"])
    assert not Rating.objects.filter(review=review).exists()


def test_an_advisory_finding_needs_a_reason_and_keeps_it(cast, setup, settings):
    settings.KIEMDIEM_ADVISORY_RULES = {"qd366-2025": ["disciplined"]}
    campaign = setup[0]
    dave = cast.members["dave"]
    _reprimand(cast, dave)
    review = Review.objects.select_related("campaign", "member").get(campaign=campaign, member=dave)
    with pytest.raises(services.RatingRefused) as exc:
        services.rating_record(actor=cast.grace, review=review, stage="appraisal", level="HTNV")
    assert exc.value.refusals[0]["binding"] is False and "cần ghi rõ lý do" in exc.value.messages[0]
    rating = services.rating_record(actor=cast.grace, review=review, stage="appraisal", level="HTNV", reason="Đã xem xét")
    assert rating.reason == "Đã xem xét" and rating.warnings[0]["binding"] is False


def test_the_self_proposal_cannot_exceed_the_binding_cap(cast, setup):
    campaign = setup[0]
    review = Review.objects.select_related("campaign").get(campaign=campaign, member=cast.members["an"])
    Review.objects.filter(pk=review.pk).update(self_score_common=20, self_score_tasks=40, proposed_level="HTTNV")
    review.refresh_from_db()
    problems = review_services.submit_problems(review)
    assert any("Mức tự đề xuất vượt mức cao nhất" in p and "Hoàn thành nhiệm vụ" in p for p in problems)  # 60 points
    Review.objects.filter(pk=review.pk).update(proposed_level="HTNV")
    review.refresh_from_db()
    assert not any("Mức tự đề xuất" in p for p in review_services.submit_problems(review))


def test_the_api_answers_422_with_the_cap_for_ballots_and_counts_above_it(cast, setup):
    from .test_api import Api

    dave = cast.members["dave"]
    subject, vote = _open_member_vote(cast, setup, dave, "secret")
    _reprimand(cast, dave)
    resp = Api(cast.dave).call("POST", f"/votes/{vote.pk}/ballots", {"level": "HTTNV"})
    assert resp.status_code == 422
    [refused] = resp.json()["refusals"]
    assert refused["max_level"] == "KHTNV" and refused["binding"] and any("kỷ luật" in r for r in refused["cap_reasons"])
    assert not Ballot.objects.filter(vote=vote).exists()
    # hand counts above the cap, through the API
    other = Review.objects.get(campaign=setup[0], member=cast.members["binh"])
    _reprimand(cast, cast.members["binh"])
    hands = services.vote_open(actor=cast.alice, meeting=vote.meeting, subject=other, method="hands")
    resp = Api(cast.alice).call("POST", f"/votes/{hands.pk}/close", {"counts": {"HTTNV": 3}})
    assert resp.status_code == 422 and resp.json()["refusals"][0]["max_level"] == "KHTNV"
