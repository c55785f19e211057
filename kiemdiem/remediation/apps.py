from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "kiemdiem.remediation"
    label = "remediation"
    verbose_name = _("Khắc phục hạn chế, sinh hoạt, đảng phí")

    def ready(self):
        from kiemdiem.reviews import gates

        from . import services

        if services.items_from_final_review not in gates.ON_FINAL:
            gates.ON_FINAL.append(services.items_from_final_review)
        if services.open_items_into_section_three not in gates.ON_LAUNCH:
            gates.ON_LAUNCH.append(services.open_items_into_section_three)
