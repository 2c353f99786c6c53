"""The finder's pages in the workspace, under the "workspace" namespace (tsunagari.urls; the permission matrix)."""

from django.urls import path

from . import views

urlpatterns = [
    path("finder/", views.need_chart, name="finder-stats"),
    path("finder/texts/", views.saved_texts, name="finder-texts"),
]
