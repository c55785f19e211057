"""Test helpers shared by every app: a small tree with a cast of users across two branches
(healthchecks' alice/bob/charlie pattern, extended to a tree).

    TU  Thành ủy Thử nghiệm (provincial)
    ├── QA  Quận ủy A (district)            alice: staff   · grace: committee
    │   ├── BTC-A  Ban Tổ chức Quận ủy A (advisory)
    │   └── PX  Đảng bộ phường X (grassroots)   bob: viewer
    │       ├── C1  Chi bộ khu vực 1 (cell)  members: dave (linked user), An, Bình
    │       └── C2  Chi bộ khu vực 2 (cell)  members: Cường
    └── QB  Quận ủy B (district)            carol: committee
        └── XY  Đảng bộ xã Y (grassroots)
            └── C3  Chi bộ 3 (cell)          members: Dũng
    admin: superuser · eve: no grant, no member (the outsider)
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from kiemdiem.organisations import services
from kiemdiem.organisations.choices import GrantRole, OrgKind, PositionRole
from kiemdiem.organisations.models import Member, Organisation

D = datetime.date
PASSWORD = "mat-khau-thu-nghiem-123"


@dataclass
class Cast:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        for table in ("users", "orgs", "members"):
            values = self.__dict__.get(table, {})
            if name in values:
                return values[name]
        raise AttributeError(name)


def make_org(code, name, kind, parent=None, founded=D(2000, 1, 1)):
    return services.organisation_create(actor=None, code=code, name=name, kind=kind, parent=parent, founded=founded)


def make_member(org, code, full_name, **extra):
    fields = dict(gender="male", birth_date=D(1980, 5, 1), admitted_on=D(2005, 3, 1), official_on=D(2006, 3, 1))
    fields.update(extra)
    return services.member_create(actor=None, organisation=org, code=code, full_name=full_name, **fields)


def build_cast() -> Cast:
    User = get_user_model()
    c = Cast()
    o = c.orgs
    o["TU"] = make_org("TU", "Thành ủy Thử nghiệm", OrgKind.PROVINCIAL)
    o["QA"] = make_org("QA", "Quận ủy A", OrgKind.DISTRICT, o["TU"])
    o["BTCA"] = make_org("BTC-A", "Ban Tổ chức Quận ủy A", OrgKind.ADVISORY, o["QA"])
    o["PX"] = make_org("PX", "Đảng bộ phường X", OrgKind.GRASSROOTS, o["QA"])
    o["C1"] = make_org("C1", "Chi bộ khu vực 1", OrgKind.CELL, o["PX"])
    o["C2"] = make_org("C2", "Chi bộ khu vực 2", OrgKind.CELL, o["PX"])
    o["QB"] = make_org("QB", "Quận ủy B", OrgKind.DISTRICT, o["TU"])
    o["XY"] = make_org("XY", "Đảng bộ xã Y", OrgKind.GRASSROOTS, o["QB"])
    o["C3"] = make_org("C3", "Chi bộ 3", OrgKind.CELL, o["XY"])

    m = c.members
    m["dave"] = make_member(o["C1"], "DV-001", "Trần Văn Đức")
    m["an"] = make_member(o["C1"], "DV-002", "Nguyễn Thị An", gender="female")
    m["binh"] = make_member(o["C1"], "DV-003", "Lê Văn Bình")
    m["cuong"] = make_member(o["C2"], "DV-004", "Phạm Văn Cường")
    m["dung"] = make_member(o["C3"], "DV-005", "Hoàng Văn Dũng")
    services.position_assign(actor=None, member=m["an"], organisation=o["C1"], role=PositionRole.SECRETARY, start=D(2020, 1, 1))

    def user(name, **kw):
        u = User.objects.create_user(username=name, password=PASSWORD, **kw)
        c.users[name] = u
        return u

    user("admin", is_superuser=True, is_staff=True)
    for name, org, role in (
        ("alice", "QA", GrantRole.STAFF),
        ("grace", "QA", GrantRole.COMMITTEE),
        ("bob", "PX", GrantRole.VIEWER),
        ("carol", "QB", GrantRole.COMMITTEE),
    ):
        services.grant_role(actor=None, user=user(name), organisation=o[org], role=role)
    dave = user("dave")
    Member.objects.filter(pk=m["dave"].pk).update(user=dave)
    m["dave"].refresh_from_db()
    user("eve")
    return c
