from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("Đang thực hiện")
    ON_TIME = "on_time", _("Hoàn thành đúng tiến độ")
    BEYOND = "beyond", _("Hoàn thành vượt yêu cầu")  # on time and beyond what was required
    LATE = "late", _("Hoàn thành chậm tiến độ")
    NOT_DONE = "not_done", _("Không hoàn thành")


# finished with a result: these need the completion date
COMPLETED = {TaskStatus.ON_TIME, TaskStatus.BEYOND, TaskStatus.LATE}
# completed no later than the deadline
IN_TIME = {TaskStatus.ON_TIME, TaskStatus.BEYOND}
