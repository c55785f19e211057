from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "kiemdiem.feedback"
    label = "feedback"
    verbose_name = _("Góp ý")

    def ready(self):
        from kiemdiem.reviews import gates

        from . import services

        if services.unanswered_points_gate not in gates.SUBMIT_GATES:
            gates.SUBMIT_GATES.append(services.unanswered_points_gate)
        if services.residence_requests_on_launch not in gates.ON_LAUNCH:
            gates.ON_LAUNCH.append(services.residence_requests_on_launch)
