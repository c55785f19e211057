from django.urls import include, path

from kiemdiem.api import api

urlpatterns = [
    path("", include("kiemdiem.core.urls")),
    path("", include("kiemdiem.organisations.urls")),
    path("", include("kiemdiem.campaigns.urls")),
    path("", include("kiemdiem.reviews.urls")),
    path("", include("kiemdiem.feedback.urls")),
    path("", include("kiemdiem.remediation.urls")),
    path("", include("kiemdiem.ratings.urls")),
    path("", include("kiemdiem.discipline.urls")),
    path("", include("kiemdiem.performance.urls")),
    path("", include("kiemdiem.analysis.urls")),
    path("", include("kiemdiem.documents.urls")),
    path("", include("kiemdiem.reports.urls")),
    path("", include("kiemdiem.reports.analytics_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
