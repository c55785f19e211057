from django.urls import path

from . import import_views, views

urlpatterns = [
    path("org/", views.org_tree, name="org_tree"),
    path("org/<int:org_id>/", views.org_detail, name="org_detail"),
    path("org/<int:org_id>/children/", views.org_children, name="org_children"),
    path("org/<int:org_id>/members/", views.org_members, name="org_members"),
    path("org/<int:org_id>/history/", views.org_history, name="org_history"),
    path("org/<int:org_id>/restructure/<str:operation>/", views.org_restructure, name="org_restructure"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("org/<int:org_id>/import/", import_views.org_import, name="org_import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
]
