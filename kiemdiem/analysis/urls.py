from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/<int:campaign_id>/analysis/", views.analysis_campaign, name="analysis_campaign"),
    path("campaigns/<int:campaign_id>/analysis/run/", views.analysis_run, name="analysis_run"),
    path("campaigns/<int:campaign_id>/analysis/<int:org_id>/", views.analysis_campaign_org, name="analysis_campaign_org"),
    path("campaigns/<int:campaign_id>/analysis/<int:org_id>/themes/", views.analysis_themes, name="analysis_themes"),
    path("analysis/reviews/<int:review_id>/", views.analysis_review, name="analysis_review"),
    path("analysis/flags/<int:flag_id>/dismiss/", views.analysis_flag_dismiss, name="analysis_flag_dismiss"),
    path("analysis/flags/<int:flag_id>/restore/", views.analysis_flag_restore, name="analysis_flag_restore"),
    path("org/<int:org_id>/analysis/phrases/", views.analysis_phrases, name="analysis_phrases"),
    path("analysis/phrases/<int:phrase_id>/delete/", views.analysis_phrase_delete, name="analysis_phrase_delete"),
]
