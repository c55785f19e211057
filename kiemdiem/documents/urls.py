from django.urls import path

from . import views

urlpatterns = [
    path("documents/organisations/<int:org_id>/campaigns/<int:campaign_id>/report/", views.report_draft, name="documents_report"),
    path("documents/organisations/<int:org_id>/campaigns/<int:campaign_id>/report.docx", views.report_docx,
         name="documents_report_docx"),
    path("documents/organisations/<int:org_id>/campaigns/<int:campaign_id>/report.pdf", views.report_pdf,
         name="documents_report_pdf"),
    path("documents/organisations/<int:org_id>/campaigns/<int:campaign_id>/report.xlsx", views.report_xlsx,
         name="documents_report_xlsx"),
    path("documents/organisations/<int:org_id>/issued/", views.issued_documents, name="documents_issued"),
    path("documents/organisations/<int:org_id>/term-report.docx", views.term_report_docx, name="documents_term_report"),
    path("documents/members/<int:member_id>/records/", views.member_records, name="documents_member_records"),
    path("documents/members/<int:member_id>/records.zip", views.member_records_zip, name="documents_member_records_zip"),
]
