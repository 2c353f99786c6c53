"""/reporting/…: the prefecture and national views and the open data (observers; read-only)."""

from django.urls import path

from . import oversight_views as views

app_name = "reporting"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("prefectures/<str:code>/", views.prefecture, name="prefecture"),
    path("open-data.csv", views.open_data_csv, name="open-data-csv"),
    path("open-data.json", views.open_data_json, name="open-data-json"),
    path("open-data.schema.json", views.open_data_schema_view, name="open-data-schema"),
]
