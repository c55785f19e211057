"""The people-and-organisations core.

The tree is a materialised path: `path` is the chain of ids from the root, each followed by a
dot ("12.340.5678."), so a subtree is one indexed prefix match (`path LIKE '12.340.%'`) on
SQLite and PostgreSQL alike. Restructuring changes paths, so every placement of a node in the
tree is also kept with its dates (`OrgPlacement`) and records that must not shift with later
moves keep a snapshot of the path they were made under (`Membership.org_path`).
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kiemdiem.core.text import name_sort_key, nfc, search_key

from .choices import (
    ACTIVE_STATUSES,
    Gender,
    GrantRole,
    MembershipKind,
    Occupation,
    OrgEventKind,
    OrgKind,
    PartyStatus,
    PositionRole,
)


class Organisation(models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("trực thuộc")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded = models.DateField(_("ngày thành lập"), default=datetime.date(1930, 2, 3))
    dissolved = models.DateField(_("ngày giải thể"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from", editable=False
    )
    search_key = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]
        # path has db_index=True: on PostgreSQL Django adds a varchar_pattern_ops twin, so
        # the prefix match uses an index under any collation.
        indexes = [models.Index(fields=["parent", "kind"])]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved is None

    def active_on(self, day: datetime.date) -> bool:
        return self.founded <= day and (self.dissolved is None or self.dissolved > day)

    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.split(".") if x][:-1]

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.code = nfc(self.code)
        self.search_key = search_key(self.name, self.code)
        super().save(*args, **kwargs)


class OrgPlacement(models.Model):
    """Where a node stood in the tree from one date to the next: the tree as of any date is
    the placements valid on it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="placements")
    parent = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["valid_from", "valid_to"]),
            models.Index(fields=["organisation", "valid_to"]),
        ]


class OrgEvent(models.Model):
    """An audited restructuring operation (create, rename, move, merge, dissolve)."""

    kind = models.CharField(max_length=10, choices=OrgEventKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="events")
    other = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_date = models.DateField()
    details = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on_date", "-id"]


class Member(models.Model):
    code = models.CharField(_("mã đảng viên"), max_length=40, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    gender = models.CharField(_("giới tính"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    citizen_id = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True, unique=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(_("tình trạng"), max_length=12, choices=PartyStatus.choices, default=PartyStatus.OFFICIAL)
    admitted_on = models.DateField(_("ngày vào Đảng"))
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    left_on = models.DateField(_("ngày ra khỏi Đảng"), null=True, blank=True)
    exempt_since = models.DateField(_("miễn công tác và sinh hoạt từ"), null=True, blank=True)
    suspended_since = models.DateField(_("đình chỉ sinh hoạt từ"), null=True, blank=True)
    occupation = models.CharField(_("đối tượng"), max_length=20, choices=Occupation.choices, default=Occupation.POLITICAL_SYSTEM)
    # The current official organisation (a cell), kept equal to the open official Membership
    # by the services; it makes scoping and counting a single join.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    search_key = models.CharField(max_length=255, editable=False, db_index=True)
    sort_key = models.CharField(max_length=255, editable=False)

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["sort_key"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def fill_keys(self):
        self.full_name = nfc(self.full_name)
        self.search_key = search_key(self.full_name, self.code)
        self.sort_key = name_sort_key(self.full_name)

    def save(self, *args, **kwargs):
        self.fill_keys()
        self.citizen_id = self.citizen_id or None
        super().save(*args, **kwargs)


class Membership(models.Model):
    """Where a member is (officially or temporarily) attached, from one date to the next.
    Transfers close one row and open another, so history is never rewritten."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    kind = models.CharField(max_length=10, choices=MembershipKind.choices, default=MembershipKind.OFFICIAL)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    org_path = models.CharField(max_length=255, editable=False)  # snapshot when made
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["organisation", "kind", "end"]), models.Index(fields=["member", "end"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(kind="official", end__isnull=True), name="one_open_official_membership"
            )
        ]


class ResidenceRegistration(models.Model):
    """Registration with the cell where the member lives (nơi cư trú), QĐ 213-QĐ/TW."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="residences")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="residents")
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["organisation", "end"])]


class Position(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="positions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="positions")
    role = models.CharField(_("chức vụ"), max_length=20, choices=PositionRole.choices)
    title = models.CharField(_("chức danh khác"), max_length=255, blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["organisation", "end"]), models.Index(fields=["member", "end"])]


class RoleGrant(models.Model):
    """A user's role on an organisation; it applies to the organisation's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=10, choices=GrantRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_role_grant")]
