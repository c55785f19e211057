from django.db import models
from django.utils.translation import gettext_lazy as _


class Form(models.TextChoices):
    COLLECTIVE = "01", _("Mẫu 01 (tập thể)")
    LEADER = "2A", _("Mẫu 2A (cán bộ lãnh đạo, quản lý)")
    MEMBER = "2B", _("Mẫu 2B (đảng viên không giữ chức vụ)")
    OUTSIDE = "2C", _("Mẫu 2C (đảng viên ngoài hệ thống chính trị)")
    QUARTERLY = "05", _("Mẫu 05 (tự đánh giá hằng quý)")


class Leadership(models.TextChoices):
    """Which collective a review is held in. "" is the party organisation itself (its Mẫu 01) or,
    for a person, their own cell; the others are the organisation's leadership collectives
    (Hướng dẫn 43-HD/BTCTW), each reviewed with its own Mẫu 01, and where its members review
    individually (Mẫu 2A) after it. Who sits in each is read from positions
    (`reviews.leadership.BODIES`, configurable by KIEMDIEM_LEADERSHIP_BODIES)."""

    ORGANISATION = "", _("Tổ chức đảng")
    COMMITTEE = "bch", _("Ban Chấp hành (cấp ủy)")
    STANDING = "btv", _("Ban Thường vụ")
    PERMANENT = "tt", _("Thường trực cấp ủy")


class Status(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Trả lại để bổ sung")
    RESUBMITTED = "resubmitted", _("Đã nộp lại")
    ACCEPTED = "accepted", _("Đã được chấp nhận")
    FINAL = "final", _("Hoàn thành")


EDITABLE = {Status.DRAFT, Status.RETURNED}
AWAITING_DECISION = {Status.SUBMITTED, Status.RESUBMITTED}
DONE = {Status.ACCEPTED, Status.FINAL}


class IneligibleReason(models.TextChoices):
    EXEMPT = "exempt", _("Được miễn công tác và sinh hoạt đảng")
    SUSPENDED = "suspended", _("Đang bị đình chỉ sinh hoạt")
    TOO_NEW = "too_new", _("Vào Đảng chưa đủ 6 tháng tính đến cuối kỳ")


class FixState(models.TextChoices):
    FIXED = "fixed", _("Đã khắc phục")
    IN_PROGRESS = "in_progress", _("Đang khắc phục")
    NOT_FIXED = "not_fixed", _("Chưa khắc phục")


# Sections of the forms (Hướng dẫn 43-HD/BTCTW, domain.md section 4). Each is free text;
# section II's shortcomings and section III's earlier shortcomings are also kept as items.
SECTIONS_COLLECTIVE = [
    ("I", _("I. Ưu điểm")),
    ("I.1", _("1. Thực hiện quy chế làm việc, nguyên tắc tập trung dân chủ")),
    ("I.2", _("2. Lãnh đạo thực hiện các chỉ tiêu, nhiệm vụ")),
    ("I.3", _("3. Công tác xây dựng Đảng, hệ thống chính trị")),
    ("I.4", _("4. Tổ chức thực hiện")),
    ("II", _("II. Hạn chế, khuyết điểm và nguyên nhân")),
    ("III", _("III. Kết quả khắc phục những hạn chế, khuyết điểm đã được cấp có thẩm quyền kết luận hoặc được chỉ ra ở các kỳ kiểm điểm trước")),
    ("IV", _("IV. Giải trình những vấn đề được gợi ý kiểm điểm")),
    ("V", _("V. Làm rõ trách nhiệm của tập thể, cá nhân đối với những hạn chế, khuyết điểm")),
    ("VI", _("VI. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm")),
]
SECTIONS_INDIVIDUAL = [
    ("I.1", _("1. Về tư tưởng chính trị; phẩm chất đạo đức, lối sống; ý thức tổ chức kỷ luật; tác phong, lề lối làm việc")),
    ("I.2", _("2. Về thực hiện chức trách, nhiệm vụ được giao")),
    ("I.3", _("3. Về thực hiện cam kết tu dưỡng, rèn luyện, phấn đấu hằng năm")),
    ("II", _("II. Hạn chế, khuyết điểm và nguyên nhân")),
    ("III", _("III. Kết quả khắc phục những hạn chế, khuyết điểm đã được cấp có thẩm quyền kết luận hoặc được chỉ ra ở các kỳ kiểm điểm trước")),
    ("IV", _("IV. Giải trình những vấn đề được gợi ý kiểm điểm")),
    ("V", _("V. Làm rõ trách nhiệm của cá nhân đối với những hạn chế, khuyết điểm của tập thể (nếu có)")),
    ("VI", _("VI. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm")),
]


# Kết luận 198-KL/TW: a short quarterly self-rating (the form's exact lines are unverified:
# domain.md §9); the quarter's tasks come from the task register, shown beside the form
SECTIONS_QUARTERLY = [
    ("Q.1", _("1. Kết quả thực hiện nhiệm vụ trong quý")),
    ("Q.2", _("2. Hạn chế, khuyết điểm và nguyên nhân")),
    ("Q.3", _("3. Nhiệm vụ, giải pháp trong quý tới")),
]


def sections_for(form: str):
    if form == Form.QUARTERLY:
        return SECTIONS_QUARTERLY
    return SECTIONS_COLLECTIVE if form == Form.COLLECTIVE else SECTIONS_INDIVIDUAL
