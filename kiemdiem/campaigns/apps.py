from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "kiemdiem.campaigns"
    label = "campaigns"
    verbose_name = _("Đợt kiểm điểm")

    def ready(self):
        from . import jobs  # noqa: F401  registers the launch job
