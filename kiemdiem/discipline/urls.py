from django.urls import path

from . import views

urlpatterns = [
    path("organisations/<int:org_id>/discipline/", views.discipline_list, name="discipline_list"),
    path("organisations/<int:org_id>/discipline/new/", views.discipline_create, name="discipline_create"),
    path("organisations/<int:org_id>/conclusions/", views.conclusion_list, name="conclusion_list"),
    path("organisations/<int:org_id>/conclusions/new/", views.conclusion_create, name="conclusion_create"),
    path("organisations/<int:org_id>/conclusions/<int:conclusion_id>/cancel/", views.conclusion_cancel_view,
         name="conclusion_cancel"),
]
