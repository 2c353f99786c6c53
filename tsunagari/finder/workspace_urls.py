"""The finder's page in the workspace, added to workspace.urls (its namespace and the permission matrix)."""

from django.urls import path

from . import views

urlpatterns = [path("finder/", views.need_chart, name="finder-stats")]
