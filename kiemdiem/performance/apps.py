from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "kiemdiem.performance"
    label = "performance"
    verbose_name = _("Kết quả thực hiện nhiệm vụ")

    def ready(self):
        from kiemdiem.reviews import gates

        from .views import register_panel

        if register_panel not in gates.EDITOR_PANELS:
            gates.EDITOR_PANELS.append(register_panel)
