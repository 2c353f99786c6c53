"""/<platform_slug>/workspace/…: every page here goes through workspace.access.workspace_view."""

from django.urls import path

from tsunagari.audit import views as audit_views
from tsunagari.finder import workspace_urls as finder_urls
from tsunagari.knowhow import workspace_urls as knowhow_urls
from tsunagari.membership import workspace_urls as membership_urls
from tsunagari.notices import workspace_urls as notices_urls
from tsunagari.programs import workspace_urls as programs_urls

from . import views

app_name = "workspace"
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
    path("audit/", audit_views.event_list, name="audit"),
    path("audit/export.csv", audit_views.export_csv, name="audit-export"),
]
# Members, agreements, listings and problem reports (tsunagari/membership).
urlpatterns += membership_urls.urlpatterns
# Notices and working groups, events and training, the know-how library (notices, programs, knowhow).
urlpatterns += notices_urls.urlpatterns
urlpatterns += programs_urls.urlpatterns
urlpatterns += knowhow_urls.urlpatterns
# What residents ask about: the finder's aggregate counts (tsunagari/finder).
urlpatterns += finder_urls.urlpatterns
