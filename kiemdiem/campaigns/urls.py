from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("org/<int:org_id>/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/launch/", views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:campaign_id>/ineligible/", views.campaign_ineligible, name="campaign_ineligible"),
    path("campaigns/<int:campaign_id>/progress/", views.campaign_progress, name="campaign_progress"),
    path("campaigns/<int:campaign_id>/progress/<int:org_id>/", views.campaign_progress_org, name="campaign_progress_org"),
    path("campaigns/<int:campaign_id>/progress/<int:org_id>/remind/", views.campaign_remind, name="campaign_remind"),
]
