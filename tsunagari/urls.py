"""URLs: the national root, the admin, the API, and one portal per platform under /<slug>/."""

from django.contrib import admin
from django.urls import include, path

from tsunagari.portal import views as portal_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # Ours first: invitations and the signed-in home; then allauth (sign-in, reset, MFA).
    path("accounts/", include("tsunagari.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include(("tsunagari.api.urls", "api"))),
    path("healthz", portal_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", portal_views.national_home, name="national-home"),
    path("<slug:platform_slug>/api/", include(("tsunagari.api.urls", "api"), namespace="platform-api")),
    path("<slug:platform_slug>/workspace/", include("tsunagari.workspace.urls")),
    path("<slug:platform_slug>/", include("tsunagari.portal.urls")),
]
