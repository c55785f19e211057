from django.urls import path

from . import analytics_views as views

urlpatterns = [
    path("reports/analytics/<int:campaign_id>/<int:org_id>/inflation/", views.inflation, name="analytics_inflation"),
    path("reports/analytics/<int:campaign_id>/<int:org_id>/self-gap/", views.self_gap, name="analytics_self_gap"),
]
