from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.reports_home, name="reports_home"),
    path("reports/org/<int:org_id>/", views.statistics_page, name="report_statistics"),
    path("reports/org/<int:org_id>/campaign/<int:campaign_id>/", views.statistics_campaign, name="report_statistics_campaign"),
    path("reports/org/<int:org_id>/campaign/<int:campaign_id>/build/", views.statistics_build, name="report_build"),
    path("reports/org/<int:org_id>/campaign/<int:campaign_id>/progress/", views.statistics_progress, name="report_progress"),
    path("reports/org/<int:org_id>/campaign/<int:campaign_id>/list/<str:metric>/", views.statistics_list, name="report_list"),
]
