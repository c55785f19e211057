from django.urls import path

from . import views

urlpatterns = [
    path("members/<int:member_id>/tasks/", views.register_member, name="task_register_member"),
    path("members/<int:member_id>/tasks/declaration/", views.declaration_member, name="task_declaration_member"),
    path("org/<int:org_id>/tasks/", views.register_org, name="task_register_org"),
    path("org/<int:org_id>/tasks/declaration/", views.declaration_org, name="task_declaration_org"),
    path("org/<int:org_id>/tasks/import/", views.task_import, name="task_import"),
    path("tasks/import/template.xlsx", views.import_template, name="task_import_template"),
    path("tasks/<int:task_id>/update/", views.task_update, name="task_update"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
    path("org/<int:org_id>/confidence-votes/", views.confidence_votes, name="confidence_votes"),
]
