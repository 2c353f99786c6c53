"""Know-how library pages, under the "workspace" namespace (tsunagari.urls) (its namespace, its two-factor rule, the permission matrix)."""

from django.urls import path

from . import views

urlpatterns = [
    path("knowhow/", views.library, name="knowhow"),
    path("knowhow/new/", views.entry_new, name="knowhow-new"),
    path("knowhow/<int:entry_id>/", views.entry_detail, name="knowhow-entry"),
    path("knowhow/<int:entry_id>/edit/", views.entry_edit, name="knowhow-edit"),
    path("knowhow/<int:entry_id>/delete/", views.entry_delete, name="knowhow-delete"),
]
