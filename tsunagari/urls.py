"""URLs: the national root, the admin, the API, and one portal per platform under /<slug>/."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from tsunagari.membership import public as membership_public
from tsunagari.portal import views as portal_views

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
    path("confirm/<str:token>/", membership_public.confirm, name="membership-confirm"),
    path("", portal_views.national_home, name="national-home"),
    path("<slug:platform_slug>/chat/", include("tsunagari.finder.urls")),
    path("<slug:platform_slug>/line/webhook", include("tsunagari.channels.line.urls")),
    path("<slug:platform_slug>/api/", include(("tsunagari.api.urls", "api"), namespace="platform-api")),
    path("<slug:platform_slug>/workspace/", include("tsunagari.workspace.urls")),
    # Public events (list, registration, iCalendar) before the portal's own pages.
    path("<slug:platform_slug>/events/", include("tsunagari.programs.portal_urls")),
    # Membership's public pages (join, members, report a problem) before the portal's own.
    path("<slug:platform_slug>/", include("tsunagari.membership.urls")),
    path("<slug:platform_slug>/", include("tsunagari.portal.urls")),
]
