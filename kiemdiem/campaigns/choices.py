from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    ANNUAL = "annual", _("Hằng năm")
    QUARTERLY = "quarterly", _("Hằng quý")
    END_OF_TERM = "end_of_term", _("Cuối nhiệm kỳ")
    THEMATIC = "thematic", _("Chuyên đề")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    LAUNCHED = "launched", _("Đã triển khai")
    CLOSED = "closed", _("Đã kết thúc")


class Stage(models.TextChoices):
    """The stages of a review round, in order, each with its own deadline."""

    FEEDBACK = "feedback", _("Thu thập góp ý")
    DRAFTS = "drafts", _("Gửi dự thảo báo cáo")
    MEETINGS = "meetings", _("Tổ chức hội nghị kiểm điểm")
    PROPOSED = "proposed", _("Đề xuất xếp loại")
    DECIDED = "decided", _("Quyết định xếp loại")
    ANNOUNCED = "announced", _("Thông báo kết quả")


class FocusKind(models.TextChoices):
    CONTENT = "content", _("Nội dung tự soi, tự sửa")
    PROBLEM_AREA = "problem_area", _("Nhóm vấn đề")


# Rules profiles are supplied by the ratings issue; the campaign stores the key.
RULES_PROFILES = [
    ("qd366-2025", _("Quy định 366-QĐ/TW (2025)")),
    ("qd124-2023", _("Quy định 124-QĐ/TW (2023)")),
    ("legacy-tsvm", _("Trước 2018 (trong sạch vững mạnh)")),
]
