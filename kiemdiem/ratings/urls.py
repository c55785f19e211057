from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<int:review_id>/meeting/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:meeting_id>/contributions/", views.meeting_contribution, name="meeting_contribution"),
    path("meetings/<int:meeting_id>/conclusions/", views.meeting_conclusions, name="meeting_conclusions"),
    path("meetings/<int:meeting_id>/votes/", views.vote_open, name="vote_open"),
    path("meetings/<int:meeting_id>/minutes.docx", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/ballot/", views.ballot, name="ballot"),
    path("meetings/<int:meeting_id>/receipt/", views.receipt_check, name="receipt_check"),
    path("votes/<int:vote_id>/close/", views.vote_close, name="vote_close"),
    path("campaigns/<int:campaign_id>/calibration/<int:org_id>/", views.calibration, name="calibration"),
    path("campaigns/<int:campaign_id>/calibration/<int:org_id>/quota/", views.calibration_quota, name="calibration_quota"),
    path("ratings/<int:rating_id>/cancel/", views.rating_cancel, name="rating_cancel"),
    path("campaigns/<int:campaign_id>/appraisal/<int:org_id>/", views.appraisal, name="appraisal"),
]
