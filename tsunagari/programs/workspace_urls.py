"""Event and training pages, under the "workspace" namespace (tsunagari.urls) (its namespace, its two-factor rule, the permission matrix)."""

from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.events, name="events"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/calendar.ics", views.calendar_ics, name="events-ics"),
    path("events/<int:event_id>/", views.event_detail, name="event"),
    path("events/<int:event_id>/edit/", views.event_edit, name="event-edit"),
    path("events/<int:event_id>/event.ics", views.event_ics, name="event-ics"),
    path("events/<int:event_id>/register/", views.event_register, name="event-register"),
    path("events/<int:event_id>/unregister/", views.event_unregister, name="event-unregister"),
    path("events/<int:event_id>/registrations/new/", views.registration_add, name="event-registration-add"),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/cancel/",
        views.registration_cancel,
        name="event-registration-cancel",
    ),
    path(
        "events/<int:event_id>/registrations.csv",
        views.event_registrations_export,
        name="event-registrations-export",
    ),
    path("events/<int:event_id>/attendance/", views.event_attendance, name="event-attendance"),
    path("events/<int:event_id>/documents/", views.document_upload, name="event-document-upload"),
    path("events/documents/<int:document_id>/", views.document, name="event-document"),
    path("events/documents/<int:document_id>/delete/", views.document_delete, name="event-document-delete"),
    path("training/", views.training, name="training"),
    path("training/new/", views.training_new, name="training-new"),
    path("training/<int:record_id>/delete/", views.training_delete, name="training-delete"),
    path("training/export.csv", views.training_export, name="training-export"),
]
