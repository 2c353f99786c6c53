"""Notice-board pages, under the "workspace" namespace (tsunagari.urls) (its namespace, its two-factor rule, the permission matrix)."""

from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.board, name="notices"),
    path("notices/new/", views.notice_new, name="notice-new"),
    path("notices/read-all/", views.read_all, name="notices-read-all"),
    path("notices/digest/", views.digest, name="notices-digest"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice"),
    path("notices/<int:notice_id>/edit/", views.notice_edit, name="notice-edit"),
    path("notices/<int:notice_id>/delete/", views.notice_delete, name="notice-delete"),
    path("notices/<int:notice_id>/pin/", views.notice_pin, name="notice-pin"),
    path("notices/<int:notice_id>/email/", views.notice_email, name="notice-email"),
    path("notices/<int:notice_id>/comments/", views.notice_comment, name="notice-comment"),
    path("notices/comments/<int:comment_id>/delete/", views.comment_delete, name="notice-comment-delete"),
    path("notices/attachments/<int:attachment_id>/", views.attachment, name="notice-attachment"),
    path("notices/groups/", views.groups, name="groups"),
    path("notices/groups/new/", views.group_new, name="group-new"),
    path("notices/groups/<int:group_id>/", views.group_detail, name="group"),
    path("notices/groups/<int:group_id>/edit/", views.group_edit, name="group-edit"),
]
