from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceType(models.TextChoices):
    SUPERIOR = "superior", _("Cấp ủy cấp trên")
    ADVISORY = "advisory", _("Cơ quan tham mưu, giúp việc")
    ORGANISATION = "organisation", _("Tổ chức khác (cùng cấp, cấp dưới)")
    PERSON = "person", _("Cá nhân (lão thành, cán bộ nghỉ hưu…)")
    WORKPLACE_CELL = "workplace_cell", _("Chi bộ nơi công tác")
    RESIDENCE_CELL = "residence_cell", _("Chi ủy nơi cư trú")
    PEERS = "peers", _("Đảng viên cùng chi bộ, cùng tập thể")
    PUBLIC = "public", _("Nhân dân (dư luận)")


# Institutional feedback is attributed; peer and public feedback is anonymous.
ANONYMOUS_SOURCES = {SourceType.PEERS, SourceType.PUBLIC}


class PointKind(models.TextChoices):
    STRENGTH = "strength", _("Ưu điểm")
    SHORTCOMING = "shortcoming", _("Hạn chế, khuyết điểm")
    SUGGESTION = "suggestion", _("Đề nghị")


class Absorption(models.TextChoices):
    PENDING = "pending", _("Chưa tiếp thu, giải trình")
    ACCEPTED = "accepted", _("Tiếp thu")
    ANSWERED = "answered", _("Giải trình")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Đã đề nghị")
    ANSWERED = "answered", _("Đã góp ý")
    CANCELLED = "cancelled", _("Đã hủy")


class CommentState(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    ACCEPTED = "accepted", _("Đã duyệt")
    REJECTED = "rejected", _("Không duyệt")
