import datetime

from kiemdiem.discipline.services import discipline_record
from kiemdiem.ratings import services as rating_services
from kiemdiem.ratings.models import Rating
from kiemdiem.reports import statistics
from kiemdiem.reviews.choices import Status
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.reviews.tests.test_launch import annual

D = datetime.date


def test_summary_numbers_match_direct_counts(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    members = list(Review.objects.filter(campaign=campaign, member__organisation__path__startswith=cast.PX.path).order_by("member__code"))
    Review.objects.filter(pk__in=[r.pk for r in members]).update(self_score_common=29, self_score_tasks=66)
    for r in members:
        r.refresh_from_db()
    levels = ["HTTNV", "HTTNV", "HTTNV", "HTNV"]
    rating_services.decide(actor=cast.grace, body=cast.PX, decisions=[(r, lvl, "") for r, lvl in zip(members, levels)])
    cells = [Review.objects.get(campaign=campaign, subject_org=o) for o in (cast.C1, cast.C2)]
    rating_services.decide(actor=cast.grace, body=cast.PX, decisions=[(cells[0], "HTTNV", ""), (cells[1], "HTNV", "")])
    Review.objects.filter(campaign=campaign, org_path__startswith=cast.C1.path).update(status=Status.FINAL)
    discipline_record(actor=None, member=cast.members["cuong"], form="warning", deciding_body=cast.PX,
                      decision_number="7-QĐ/ĐU", decided_on=D(2025, 4, 1))

    data = statistics.summary(campaign, cast.PX)
    direct = Rating.objects.filter(stage="decision", cancelled_at__isnull=True, review__member__isnull=False).count()
    assert data["members"].total == direct == 4
    assert data["members"].by_level == {"HTTNV": 3, "HTNV": 1}
    assert data["cells"].total == 2 and data["cells"].percent("HTTNV") == 50.0
    assert data["completion"]["children"] == 2 and data["completion"]["children_complete"] == 1
    assert data["discipline"] == {"warning": 1}
    text = statistics.sentences(data)
    assert text[0] == "1/2 chi, đảng bộ trực thuộc hoàn thành việc kiểm điểm."
    assert "75% đảng viên hoàn thành tốt nhiệm vụ trở lên, trong đó 0% hoàn thành xuất sắc nhiệm vụ." in text
    assert "Thi hành kỷ luật 1 đảng viên, trong đó khai trừ 0 trường hợp." in text
    assert "Có 0% chi bộ hoàn thành xuất sắc nhiệm vụ, 50% hoàn thành tốt nhiệm vụ, không có chi bộ không hoàn thành nhiệm vụ." in text
    assert not any("học tập" in t for t in text)  # no study data: no sentence about it


def test_rollup_per_child_and_for_the_whole_country(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    members = {r.member.code: r for r in Review.objects.filter(campaign=campaign, member__isnull=False).select_related("member")}
    levels = {"DV-001": "HTTNV", "DV-002": "HTXSNV", "DV-003": "HTNV", "DV-004": "HTTNV", "DV-005": "KHTNV"}
    for code, level in levels.items():
        r = members[code]
        Rating.objects.create(review=r, stage="decision", profile_key=campaign.rules_profile, level=level, org_path=r.org_path)
    cell = Review.objects.get(campaign=campaign, subject_org=cast.C1)
    Rating.objects.create(review=cell, stage="decision", profile_key=campaign.rules_profile, level="HTTNV", org_path=cell.org_path)
    Rating.objects.create(review=members["DV-004"], stage="decision", profile_key=campaign.rules_profile, level="HTXSNV",
                          org_path=members["DV-004"].org_path, cancelled_at=datetime.datetime(2025, 12, 1, tzinfo=datetime.timezone.utc))
    Review.objects.filter(campaign=campaign, org_path__startswith=cast.QB.path).update(status=Status.FINAL)

    by_district = statistics.rollup(campaign, cast.TU)
    assert set(by_district) == {cast.QA.pk, cast.QB.pk}
    qa, qb = by_district[cast.QA.pk], by_district[cast.QB.pk]
    assert qa["members"].by_level == {"HTTNV": 2, "HTXSNV": 1, "HTNV": 1} and qa["members"].total == 4
    assert qa["organisations"].by_level == {"HTTNV": 1}
    assert qb["members"].by_level == {"KHTNV": 1} and qb["organisations"].total == 0
    direct_qb = Review.objects.filter(campaign=campaign, org_path__startswith=cast.QB.path).count()
    assert qb["reviews"] == qb["done"] == direct_qb and qb["complete"] and not qa["complete"]
    # the root's own review is not any child's
    assert sum(e["reviews"] for e in by_district.values()) == Review.objects.filter(campaign=campaign).exclude(subject_org=cast.TU).count()
    by_cell = statistics.rollup(campaign, cast.PX)
    assert {k: v["members"].total for k, v in by_cell.items()} == {cast.C1.pk: 3, cast.C2.pk: 1}
    country = statistics.rollup([campaign])
    assert list(country) == [cast.TU.pk] and country[cast.TU.pk]["members"].total == 5
    assert country[cast.TU.pk]["reviews"] == Review.objects.filter(campaign=campaign).count()


def test_review_figures_agree_with_the_separate_functions(cast):
    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    for i, r in enumerate(Review.objects.filter(campaign=campaign).order_by("pk")):
        if i % 4 != 3:  # some reviews without a decision
            Rating.objects.create(review=r, stage="decision", profile_key=campaign.rules_profile,
                                  level=["HTXSNV", "HTTNV", "HTNV"][i % 3], org_path=r.org_path)
        Review.objects.filter(pk=r.pk).update(status=[Status.FINAL, Status.DRAFT, Status.ACCEPTED][i % 3])
    for root in (cast.TU, cast.QA, cast.PX, cast.C1):
        fig = statistics.review_figures(campaign, root)
        assert fig["completion"] == statistics.completion(campaign, root)
        assert fig["members"] == statistics.rating_distribution(campaign, root.path, members=True)
        assert fig["organisations"] == statistics.rating_distribution(campaign, root.path, members=False)
        assert fig["cells"] == statistics.rating_distribution(campaign, root.path, members=False, kinds={"cell", "grassroots_cell"})
    direct = Rating.objects.filter(review__campaign=campaign, review__member__isnull=False).count()
    assert statistics.review_figures(campaign, cast.TU)["members"].total == direct == 4


def _joined_rows(campaign, root_path):
    """decision_rows computed the long way: every live decision joined to its review."""
    from django.db.models import Count

    out = []
    for path, level, member_id, unit_kind, subject_kind, n in (
            Rating.objects.filter(review__campaign=campaign, stage="decision", cancelled_at__isnull=True,
                                  org_path__startswith=root_path)
            .values_list("org_path", "level", "review__member_id", "review__unit__kind", "review__subject_org__kind")
            .annotate(n=Count("id")).order_by()):
        member = member_id is not None
        out.append((path, level, member, unit_kind if member else None, None if member else subject_kind, n))
    rows = {}
    for path, level, member, unit_kind, subject_kind, n in out:
        key = (path, level, member, unit_kind, subject_kind)
        rows[key] = rows.get(key, 0) + n
    return sorted((*k, n) for k, n in rows.items())


def test_decision_rows_read_from_the_ratings_match_the_join(cast):
    """reports.selectors.decision_rows reads the ratings alone and takes the unit's kind from the
    collective review at the same path (or, without one, from the member reviews): the same rows
    as joining every decision to its review."""
    from kiemdiem.reports.selectors import decision_rows

    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    for i, r in enumerate(Review.objects.filter(campaign=campaign).order_by("pk")):
        Rating.objects.create(review=r, stage="decision", profile_key=campaign.rules_profile,
                              level=["HTXSNV", "HTTNV", "HTNV"][i % 3], org_path=r.org_path)
    for root in (cast.TU, cast.QA, cast.PX, cast.C1):
        assert sorted(decision_rows(campaign, root.path)) == _joined_rows(campaign, root.path)
    assert any(row[2] and row[3] == "cell" for row in decision_rows(campaign, cast.TU.path))
    # a cell whose collective review is gone: its members' unit kind comes from their reviews
    Review.objects.filter(campaign=campaign, subject_org=cast.C1).delete()
    assert sorted(decision_rows(campaign, cast.TU.path)) == _joined_rows(campaign, cast.TU.path)
    assert any(row[0] == cast.C1.path and row[2] and row[3] == "cell" for row in decision_rows(campaign, cast.TU.path))
