from django.urls import path

from . import views

urlpatterns = [
    path("reviews/mine/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:review_id>/", views.review_detail, name="review_detail"),
    path("reviews/<int:review_id>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:review_id>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:review_id>/return/", views.review_return, name="review_return"),
    path("reviews/<int:review_id>/accept/", views.review_accept, name="review_accept"),
    path("reviews/<int:review_id>/finalise/", views.review_finalise, name="review_finalise"),
    path("reviews/<int:review_id>/reopen/", views.review_reopen, name="review_reopen"),
    path("reviews/<int:review_id>/comments/", views.review_comment, name="review_comment"),
    path("reviews/<int:review_id>/prompts/", views.review_prompt, name="review_prompt"),
    path("reviews/<int:review_id>/schedule/", views.review_schedule, name="review_schedule"),
    path("reviews/<int:review_id>/versions/", views.review_versions, name="review_versions"),
    path("reviews/<int:review_id>/versions/compare/", views.review_compare, name="review_compare"),
    path("reviews/<int:review_id>/export.docx", views.review_export_docx, name="review_export_docx"),
]
