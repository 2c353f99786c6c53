"""/<platform_slug>/surveys/…: the respondent's pages (included before the portal's own URLs)."""

from django.urls import path

from . import portal

app_name = "surveys"
urlpatterns = [
    path("", portal.enter_code, name="code"),
    path("t/<str:token>/", portal.invitation, name="invitation"),
    path("o/<str:key>/", portal.open_link, name="open"),
    path("r/<str:code>/", portal.resume, name="resume"),
]
