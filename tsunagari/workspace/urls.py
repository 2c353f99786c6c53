"""The workspace's own pages under /<platform_slug>/workspace/ (home, people, organisation staff).

Every page goes through workspace.access.workspace_view. The apps built on the workspace
(membership, notices, programs, know-how, finder) keep their pages in their own `workspace_urls`;
tsunagari.urls puts them all under the one "workspace" namespace, so that the workspace never
imports the apps built on it.
"""

from django.urls import path

from . import audit, views

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/invitations/<int:invitation_id>/revoke/", views.revoke_invitation, name="revoke-invitation"),
    path("people/roles/<int:membership_id>/remove/", views.remove_role, name="remove-role"),
    # A member organisation's administrator and their staff (not /<platform>/staff/, the coordinators' listings page).
    path("organisation/", views.staff, name="organisation-staff"),
    path("organisation/invite/", views.staff_invite, name="organisation-invite"),
    path(
        "organisation/invitations/<int:invitation_id>/revoke/",
        views.staff_revoke_invitation,
        name="organisation-revoke-invitation",
    ),
    path("organisation/roles/<int:membership_id>/remove/", views.staff_remove_role, name="organisation-remove-role"),
    path("audit/", audit.event_list, name="audit"),
    path("audit/export.csv", audit.export_csv, name="audit-export"),
]
