from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "kiemdiem.ratings"
    label = "ratings"
    verbose_name = _("Đánh giá, xếp loại")
