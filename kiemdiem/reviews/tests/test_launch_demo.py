"""Acceptance: an annual campaign over the demo Yên Lạc tree (seed_demo)."""
import datetime

from django.core.management import call_command
from django.db.models import Exists, OuterRef, Q

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.organisations.choices import ACTIVE_STATUSES, OUTSIDE_POLITICAL_SYSTEM, OrgKind
from kiemdiem.organisations.models import Member, Organisation, Position
from kiemdiem.reviews.choices import Form
from kiemdiem.reviews.launch import launch, months_before
from kiemdiem.reviews.models import Ineligibility, Review

D = datetime.date


def test_annual_campaign_over_yen_lac(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    yen_lac = Organisation.objects.get(code="VP-YL")
    year = datetime.date.today().year
    end = D(year, 12, 31)
    campaign = campaign_services.campaign_create(
        actor=None, issuer=yen_lac, title=f"Kiểm điểm, đánh giá, xếp loại năm {year}", kind="annual", year=year,
        period_start=D(year, 1, 1), period_end=end, plan_number="Kế hoạch số 25-KH/HU",
    )
    counts = launch(actor=None, campaign=campaign)

    members = Member.objects.filter(organisation__path__startswith=yen_lac.path, status__in=ACTIVE_STATUSES)
    ineligible_q = Q(exempt_since__lte=end) | Q(suspended_since__lte=end) | Q(admitted_on__gt=months_before(end, 6))
    eligible = members.exclude(ineligible_q)
    # one review per eligible member, none for the others
    assert counts["individual"] == eligible.count() > 6_000
    assert set(Review.objects.filter(campaign=campaign, member__isnull=False).values_list("member_id", flat=True)) == set(
        eligible.values_list("pk", flat=True))
    # the form follows the person: 2A leaders, 2C outside the political system, 2B otherwise
    leader = Position.objects.filter(member=OuterRef("pk"), start__lte=end).filter(Q(end__isnull=True) | Q(end__gt=end))
    expected = {}
    for pk, is_leader, occupation in eligible.annotate(lead=Exists(leader)).values_list("pk", "lead", "occupation"):
        expected[pk] = Form.LEADER if is_leader else Form.OUTSIDE if occupation in OUTSIDE_POLITICAL_SYSTEM else Form.MEMBER
    actual = dict(Review.objects.filter(campaign=campaign, member__isnull=False).values_list("member_id", "form"))
    assert actual == expected
    assert {Form.LEADER, Form.MEMBER, Form.OUTSIDE} <= set(actual.values())
    # the ineligible are listed, each with its reason
    listed = dict(Ineligibility.objects.filter(campaign=campaign).values_list("member_id", "reason"))
    assert set(listed) == set(members.filter(ineligible_q).values_list("pk", flat=True))
    assert listed and set(listed.values()) <= {"exempt", "suspended", "too_new"}
    # one collective review per organisation in scope (advisory bodies excepted)
    orgs = Organisation.objects.filter(path__startswith=yen_lac.path, dissolved__isnull=True).exclude(kind=OrgKind.ADVISORY)
    assert counts["collective"] == orgs.count()
    # a second launch creates nothing new
    again = launch(actor=None, campaign=campaign)
    assert again["individual"] == again["collective"] == again["ineligible"] == 0
