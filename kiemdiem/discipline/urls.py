from django.urls import path

from . import views

urlpatterns = [
    path("organisations/<int:org_id>/discipline/", views.discipline_list, name="discipline_list"),
    path("organisations/<int:org_id>/discipline/new/", views.discipline_create, name="discipline_create"),
]
