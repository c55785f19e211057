from django.db import models
from django.utils.translation import gettext_lazy as _


class RatingStage(models.TextChoices):
    SELF = "self", _("Tự đánh giá, đề xuất")
    UNIT = "unit", _("Chi bộ, tập thể đề xuất")
    APPRAISAL = "appraisal", _("Cơ quan tham mưu thẩm định")
    DECISION = "decision", _("Cấp có thẩm quyền quyết định")


STAGE_ORDER = [RatingStage.SELF, RatingStage.UNIT, RatingStage.APPRAISAL, RatingStage.DECISION]


class VoteMethod(models.TextChoices):
    HANDS = "hands", _("Biểu quyết giơ tay")
    SECRET = "secret", _("Bỏ phiếu kín trực tuyến")
    PAPER = "paper", _("Bỏ phiếu kín bằng giấy")


class VoteStatus(models.TextChoices):
    OPEN = "open", _("Đang biểu quyết")
    CLOSED = "closed", _("Đã kết thúc")
