from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "kiemdiem.performance"
    label = "performance"
    verbose_name = _("Kết quả thực hiện nhiệm vụ")
