from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kiemdiem.reports"
    label = "reports"
    verbose_name = _("Báo cáo, thống kê")

    def ready(self):
        from . import jobs  # noqa: F401  registers the statistics build job
