from django.urls import path

from . import views

urlpatterns = [
    path("remediation/mine/", views.my_items, name="remediation_mine"),
    path("remediation/items/<int:item_id>/", views.item_detail, name="remediation_item"),
    path("remediation/items/<int:item_id>/actions/", views.action_add, name="remediation_action_add"),
    path("remediation/items/<int:item_id>/verify/", views.item_verify, name="remediation_verify"),
    path("remediation/actions/<int:action_id>/start/", views.action_start, name="remediation_action_start"),
    path("remediation/actions/<int:action_id>/complete/", views.action_complete, name="remediation_action_complete"),
    path("remediation/actions/<int:action_id>/evidence/", views.action_evidence, name="remediation_evidence"),
    path("remediation/org/<int:org_id>/", views.org_dashboard, name="remediation_org"),
    path("remediation/org/<int:org_id>/remind/", views.org_remind, name="remediation_remind"),
    path("remediation/org/<int:org_id>/attendance/", views.cell_attendance, name="remediation_attendance"),
    path("remediation/org/<int:org_id>/dues/", views.cell_dues, name="remediation_dues"),
    path("remediation/org/<int:org_id>/import/<str:kind>/", views.cell_import, name="remediation_import"),
    path("remediation/import/<str:kind>/template.xlsx", views.import_template, name="remediation_import_template"),
    path("remediation/org/<int:org_id>/removal/", views.removal_list, name="remediation_removal"),
    path("remediation/org/<int:org_id>/removal/refresh/", views.removal_refresh, name="remediation_removal_refresh"),
    path("remediation/removal/<int:case_id>/propose/", views.removal_propose, name="remediation_removal_propose"),
    path("remediation/removal/<int:case_id>/decide/", views.removal_decide, name="remediation_removal_decide"),
    path("remediation/org/<int:org_id>/study/", views.study, name="remediation_study"),
    path("remediation/org/<int:org_id>/commitments/", views.commitment_add, name="remediation_commitment"),
]
