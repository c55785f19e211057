from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "kiemdiem.organisations"
    label = "organisations"
    verbose_name = _("Tổ chức và đảng viên")

    def ready(self):
        from . import jobs  # noqa: F401  registers the import job
