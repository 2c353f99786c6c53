from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.platform_home, name="home"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("staff/", views.staff_home, name="staff"),
]
