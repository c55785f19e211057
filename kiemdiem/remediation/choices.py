from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemState(models.TextChoices):
    NEW = "new", _("Chưa có kế hoạch")
    PLANNED = "planned", _("Đã có kế hoạch")
    IN_PROGRESS = "in_progress", _("Đang khắc phục")
    DONE = "done", _("Đã khắc phục, chờ đánh giá")
    VERIFIED = "verified", _("Đã khắc phục có hiệu quả")
    REOPENED = "reopened", _("Chưa hiệu quả, khắc phục lại")


OPEN_STATES = {ItemState.NEW, ItemState.PLANNED, ItemState.IN_PROGRESS, ItemState.DONE, ItemState.REOPENED}


class ActionState(models.TextChoices):
    TODO = "todo", _("Chưa thực hiện")
    DOING = "doing", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    EXCUSED = "excused", _("Vắng có lý do")
    UNEXCUSED = "unexcused", _("Vắng không có lý do")


class CellMeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")


class RemovalGround(models.TextChoices):
    ABSENCE = "absence", _("Bỏ sinh hoạt không có lý do chính đáng 3 tháng trong năm")
    DUES = "dues", _("Không đóng đảng phí 3 tháng trong năm")
    ABSENCE_OR_DUES = "absence_or_dues", _("Bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm")
    TWO_YEARS = "two_years", _("Hai năm liền không hoàn thành nhiệm vụ hoặc vi phạm tư cách")
    PROBATION = "probation", _("Hết 12 tháng dự bị: xét công nhận chính thức hoặc xóa tên")


class RemovalState(models.TextChoices):
    CANDIDATE = "candidate", _("Thuộc diện xem xét")
    PROPOSED = "proposed", _("Chi bộ đề nghị xóa tên")
    DECIDED = "decided", _("Đã quyết định xóa tên")
    DISMISSED = "dismissed", _("Không xóa tên")
