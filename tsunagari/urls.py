"""URLs: the national root, the admin, the API, and one portal per platform under /<slug>/."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from tsunagari.cases import workspace_urls as cases_workspace
from tsunagari.councils import workspace_urls as councils_workspace
from tsunagari.finder import workspace_urls as finder_workspace
from tsunagari.knowhow import workspace_urls as knowhow_workspace
from tsunagari.membership import public as membership_public
from tsunagari.membership import workspace_urls as membership_workspace
from tsunagari.notices import workspace_urls as notices_workspace
from tsunagari.portal import views as portal_views
from tsunagari.programs import workspace_urls as programs_workspace
from tsunagari.reporting import workspace_urls as reporting_workspace
from tsunagari.surveys import workspace_urls as surveys_workspace
from tsunagari.workspace import urls as workspace_own

# /<platform>/workspace/…: the workspace's own pages and those of every app built on it, in one
# namespace (its two-factor rule and the permission matrix in tests/workspace cover them all).
WORKSPACE_PATTERNS = [
    *workspace_own.urlpatterns,  # home, people, organisation staff, the audit log
    *membership_workspace.urlpatterns,  # members, agreements, listings, problem reports
    *notices_workspace.urlpatterns,  # notices and working groups
    *programs_workspace.urlpatterns,  # events and training
    *knowhow_workspace.urlpatterns,  # the know-how library
    *finder_workspace.urlpatterns,  # what residents ask about (aggregate counts)
    *cases_workspace.urlpatterns,  # joint support: persons and referrals (organisations holding them)
    *surveys_workspace.urlpatterns,  # surveys: questionnaires, invitations, paper answers, reports
    *reporting_workspace.urlpatterns,  # the programme's yearly plan and report
    *councils_workspace.urlpatterns,  # councils register, pledges, supporters' concerns and their triage
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # Ours first: invitations and the signed-in home; then allauth (sign-in, reset, MFA).
    path("accounts/", include("tsunagari.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include(("tsunagari.api.urls", "api"))),
    path("healthz", portal_views.healthz, name="healthz"),
    # The language switch is a preference, not an action on anyone's data: without CSRF, so that
    # no page needs a token just for it and residents' results pages can be cached (portal/pagecache.py).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The prefecture and national picture for observers, and its open data.
    path("reporting/", include("tsunagari.reporting.urls")),
    path("confirm/<str:token>/", membership_public.confirm, name="membership-confirm"),
    path("", portal_views.national_home, name="national-home"),
    path("clear-history/", portal_views.clear_history, name="clear-history"),
    path("<slug:platform_slug>/chat/", include("tsunagari.finder.urls")),
    path("<slug:platform_slug>/line/webhook", include("tsunagari.channels.line.urls")),
    path("<slug:platform_slug>/api/", include(("tsunagari.api.urls", "api"), namespace="platform-api")),
    path("<slug:platform_slug>/workspace/", include((WORKSPACE_PATTERNS, "workspace"))),
    # Public events (list, registration, iCalendar) before the portal's own pages.
    path("<slug:platform_slug>/events/", include("tsunagari.programs.portal_urls")),
    # Survey respondents' pages (anonymous questionnaires) before the portal's own.
    path("<slug:platform_slug>/surveys/", include("tsunagari.surveys.portal_urls")),
    # The announced regional councils and their members (the law asks them to be public).
    path("<slug:platform_slug>/councils/", include("tsunagari.councils.portal_urls")),
    # Membership's public pages (join, members, report a problem) before the portal's own.
    path("<slug:platform_slug>/", include("tsunagari.membership.urls")),
    path("<slug:platform_slug>/", include("tsunagari.portal.urls")),
]

# Our own 403, 404 and 500 pages (portal/errors.py): Japanese, in the site's frame, with a way back.
handler403 = "tsunagari.portal.errors.forbidden"
handler404 = "tsunagari.portal.errors.not_found"
handler500 = "tsunagari.portal.errors.server_error"
