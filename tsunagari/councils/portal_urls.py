"""/<platform_slug>/councils/: the public list of announced regional councils and their members."""

from django.urls import path

from . import portal

app_name = "councils"
urlpatterns = [
    path("", portal.council_list, name="list"),
]
