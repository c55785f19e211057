from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    PROVINCIAL = "provincial", _("Tỉnh ủy, Thành ủy")
    DISTRICT = "district", _("Huyện ủy, Quận ủy")
    GRASSROOTS = "grassroots", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    INTERMEDIATE = "intermediate", _("Đảng ủy bộ phận")
    CELL = "cell", _("Chi bộ")
    ADVISORY = "advisory", _("Cơ quan tham mưu, giúp việc")


# Kinds whose members sit directly in them (a member's official organisation is one of these).
MEMBER_HOLDING_KINDS = {OrgKind.CELL, OrgKind.GRASSROOTS_CELL}
# Kinds that have a committee (cấp ủy) and can decide for units below.
COMMITTEE_KINDS = {OrgKind.PROVINCIAL, OrgKind.DISTRICT, OrgKind.GRASSROOTS, OrgKind.INTERMEDIATE}


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class PartyStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Dự bị")
    OFFICIAL = "official", _("Chính thức")
    REMOVED = "removed", _("Đã xóa tên")
    EXPELLED = "expelled", _("Đã khai trừ")
    DECEASED = "deceased", _("Đã từ trần")


ACTIVE_STATUSES = (PartyStatus.PROBATIONARY, PartyStatus.OFFICIAL)


class Occupation(models.TextChoices):
    POLITICAL_SYSTEM = "political_system", _("Trong hệ thống chính trị")
    RETIRED = "retired", _("Nghỉ hưu")
    STUDENT = "student", _("Học sinh, sinh viên")
    PRIVATE_BUSINESS = "private_business", _("Doanh nghiệp, kinh doanh tư nhân")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    OTHER = "other", _("Khác")


# 2C form is for members outside the political system (domain.md section 4).
OUTSIDE_POLITICAL_SYSTEM = {Occupation.RETIRED, Occupation.STUDENT, Occupation.PRIVATE_BUSINESS}


class MembershipKind(models.TextChoices):
    OFFICIAL = "official", _("Sinh hoạt chính thức")
    TEMPORARY = "temporary", _("Sinh hoạt tạm thời")


class PositionRole(models.TextChoices):
    SECRETARY = "secretary", _("Bí thư")
    DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
    STANDING_MEMBER = "standing_member", _("Ủy viên Ban Thường vụ")
    COMMITTEE_MEMBER = "committee_member", _("Cấp ủy viên")
    HEAD_OF_BODY = "head_of_body", _("Trưởng ban, Chủ nhiệm")
    DEPUTY_HEAD_OF_BODY = "deputy_head_of_body", _("Phó trưởng ban, Phó chủ nhiệm")


LEADERSHIP_ROLES = set(PositionRole)  # every position above counts as a leadership post (2A)
# Order in which position holders are reviewed: head before deputies before members.
ROLE_ORDER = {
    PositionRole.SECRETARY: 0,
    PositionRole.HEAD_OF_BODY: 0,
    PositionRole.DEPUTY_SECRETARY: 1,
    PositionRole.DEPUTY_HEAD_OF_BODY: 1,
    PositionRole.STANDING_MEMBER: 2,
    PositionRole.COMMITTEE_MEMBER: 3,
}


class GrantRole(models.TextChoices):
    VIEWER = "viewer", _("Xem")
    STAFF = "staff", _("Cán bộ nghiệp vụ")
    COMMITTEE = "committee", _("Cấp ủy (quyết định)")


class OrgEventKind(models.TextChoices):
    CREATE = "create", _("Thành lập")
    RENAME = "rename", _("Đổi tên")
    MOVE = "move", _("Chuyển trực thuộc")
    MERGE = "merge", _("Hợp nhất")
    DISSOLVE = "dissolve", _("Giải thể")
