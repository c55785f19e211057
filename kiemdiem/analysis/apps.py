from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "kiemdiem.analysis"
    verbose_name = "Phân tích chất lượng bản kiểm điểm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import engine  # noqa: F401  (registers the background job)
