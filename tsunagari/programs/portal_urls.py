"""/<platform_slug>/events/…: public events on the portal (included before the portal's own URLs)."""

from django.urls import path

from . import portal

app_name = "events"
urlpatterns = [
    path("", portal.event_list, name="list"),
    path("calendar.ics", portal.calendar_ics, name="calendar"),
    path("<int:event_id>/", portal.event_detail, name="detail"),
    path("<int:event_id>/event.ics", portal.event_ics, name="ics"),
    path("registration/<str:token>/", portal.registration, name="registration"),
]
