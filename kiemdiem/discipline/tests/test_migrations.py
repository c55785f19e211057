"""Migration 0003: disciplines recorded as softened before the evidence was required keep the
flag and get a placeholder that says no evidence was recorded (then 0004's constraint holds)."""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kiemdiem.discipline.choices import LEGACY_EVIDENCE
from kiemdiem.discipline.models import Discipline
from kiemdiem.testing import make_member, make_org


@pytest.mark.django_db(transaction=True)
def test_old_softened_disciplines_get_the_placeholder():
    from kiemdiem.organisations.choices import OrgKind

    executor = MigrationExecutor(connection)
    executor.migrate([("discipline", "0001_initial")])
    old = executor.loader.project_state([("discipline", "0001_initial")]).apps.get_model("discipline", "Discipline")
    org = make_org("PX", "Đảng bộ phường X", OrgKind.GRASSROOTS)
    cell = make_org("C1", "Chi bộ 1", OrgKind.CELL, org)
    member = make_member(cell, "DV-1", "Nguyễn Văn A")
    common = dict(member_id=member.pk, unit_id=cell.pk, org_path=cell.path, form="reprimand", deciding_body_id=org.pk,
                  decided_on=datetime.date(2024, 6, 1))
    softened = old.objects.create(**common, decision_number="1-QĐ/ĐU", self_detected_fixed=True).pk
    plain = old.objects.create(**common, decision_number="2-QĐ/ĐU").pk
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {d.pk: d for d in Discipline.objects.all()}
    assert rows[softened].self_detected_fixed and rows[softened].self_fix_evidence == LEGACY_EVIDENCE
    assert not rows[plain].self_detected_fixed and rows[plain].self_fix_evidence == ""
