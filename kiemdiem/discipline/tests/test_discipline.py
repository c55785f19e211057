import datetime

import pytest
from django.core.exceptions import ValidationError

from kiemdiem.discipline.services import discipline_record
from kiemdiem.organisations.models import Member
from kiemdiem.testing import make_member

D = datetime.date


def test_forms_depend_on_the_subject(cast):
    probationary = make_member(cast.C2, "DV-040", "Trịnh Văn Dự", status="probationary", admitted_on=D(2025, 3, 1), official_on=None)
    with pytest.raises(ValidationError, match="không áp dụng"):
        discipline_record(actor=None, member=probationary, form="dismissal", deciding_body=cast.PX,
                          decision_number="01-QĐ/ĐU", decided_on=D(2025, 6, 1))
    with pytest.raises(ValidationError, match="không áp dụng"):
        discipline_record(actor=None, organisation=cast.C2, form="expulsion", deciding_body=cast.PX,
                          decision_number="02-QĐ/ĐU", decided_on=D(2025, 6, 1))
    discipline_record(actor=None, organisation=cast.C2, form="warning", deciding_body=cast.PX,
                      decision_number="03-QĐ/ĐU", decided_on=D(2025, 6, 1))
    with pytest.raises(ValidationError, match="Cấp quyết định"):
        discipline_record(actor=None, member=cast.members["dung"], form="reprimand", deciding_body=cast.QA,
                          decision_number="04-QĐ/QU", decided_on=D(2025, 6, 1))


def test_expulsion_ends_the_membership_and_keeps_history(cast):
    binh = cast.members["binh"]
    discipline_record(actor=cast.alice, member=binh, form="expulsion", deciding_body=cast.QA,
                      decision_number="15-QĐ/QU", decided_on=D(2025, 9, 1), violation_on=D(2023, 1, 1))
    binh = Member.objects.get(pk=binh.pk)
    assert binh.status == "expelled" and binh.left_on == D(2025, 9, 1)
    assert list(binh.memberships.values_list("end", flat=True)) == [D(2025, 9, 1)]
