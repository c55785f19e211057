from django.urls import path

from . import views

urlpatterns = [
    # staff
    path("reviews/<int:review_id>/feedback/", views.feedback_review, name="feedback_review"),
    path("reviews/<int:review_id>/feedback/requests/", views.feedback_request_create, name="feedback_request_create"),
    path("reviews/<int:review_id>/feedback/override/", views.feedback_override, name="feedback_override"),
    path("feedback/requests/<int:request_id>/link/", views.feedback_issue_link, name="feedback_issue_link"),
    path("campaigns/<int:campaign_id>/feedback/", views.feedback_campaign, name="feedback_campaign"),
    path("campaigns/<int:campaign_id>/feedback/<int:org_id>/", views.feedback_campaign_org, name="feedback_campaign_org"),
    path("campaigns/<int:campaign_id>/feedback/<int:org_id>/bulk/", views.feedback_bulk, name="feedback_bulk"),
    # sources and peers
    path("feedback/mine/", views.feedback_mine, name="feedback_mine"),
    path("feedback/requests/<int:request_id>/respond/", views.feedback_respond, name="feedback_respond"),
    path("reviews/<int:review_id>/feedback/anonymous/", views.feedback_anonymous, name="feedback_anonymous"),
    path("feedback/link/<str:token>/", views.feedback_link, name="feedback_link"),
    # absorption
    path("reviews/<int:review_id>/feedback/points/", views.feedback_points, name="feedback_points"),
    path("feedback/points/<int:point_id>/absorb/", views.feedback_absorb, name="feedback_absorb"),
    # the public opinion channel
    path("org/<int:org_id>/public/", views.public_moderation, name="public_moderation"),
    path("org/<int:org_id>/public/settings/", views.public_page_settings, name="public_page_settings"),
    path("public/comments/<int:comment_id>/moderate/", views.public_moderate, name="public_moderate"),
    path("y-kien/<slug:slug>/", views.public_page, name="public_page"),
    path("y-kien/<slug:slug>/cam-on/", views.public_thanks, name="public_thanks"),
]
