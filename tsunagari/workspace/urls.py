"""/<platform_slug>/workspace/…: every page here goes through workspace.access.workspace_view."""

from django.urls import path

from tsunagari.audit import views as audit_views

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/invitations/<int:invitation_id>/revoke/", views.revoke_invitation, name="revoke-invitation"),
    path("people/roles/<int:membership_id>/remove/", views.remove_role, name="remove-role"),
    path("audit/", audit_views.event_list, name="audit"),
    path("audit/export.csv", audit_views.export_csv, name="audit-export"),
]
