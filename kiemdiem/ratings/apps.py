from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "kiemdiem.ratings"
    label = "ratings"
    verbose_name = _("Đánh giá, xếp loại")

    def ready(self):
        from kiemdiem.reviews import gates

        from . import services

        if services.proposal_gate not in gates.SUBMIT_GATES:
            gates.SUBMIT_GATES.append(services.proposal_gate)
