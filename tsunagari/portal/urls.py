from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.platform_home, name="home"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/print/", views.service_print, name="service-print"),
    path("programmes/", views.programmes, name="programmes"),
    path("search/", views.search, name="search"),
    path("search/filters/", views.search_filters, name="search_filters"),
    path("map/", views.map_page, name="map"),
    path("map.json", views.map_data, name="map-data"),
    path("qr.svg", views.qr_code, name="qr"),
    path("staff/", views.staff_home, name="staff"),
]
