"""Case pages under the "workspace" namespace (tsunagari.urls); every one is in the permission matrix."""

from django.urls import path

from . import meeting_views, views

urlpatterns = [
    path("cases/", views.person_list, name="cases"),
    path("cases/persons/new/", views.person_new, name="case-person-new"),
    path("cases/persons/<int:person_id>/", views.person_detail, name="case-person"),
    path("cases/persons/<int:person_id>/edit/", views.person_edit, name="case-person-edit"),
    path("cases/persons/<int:person_id>/erase/", views.person_erase, name="case-person-erase"),
    path("cases/persons/<int:person_id>/requests/new/", views.request_new, name="case-request-new"),
    path("cases/requests/", views.request_list, name="case-requests"),
    path("cases/requests/<int:person_request_id>/answer/", views.request_answer, name="case-request-answer"),
    path("cases/persons/<int:person_id>/consents/new/", views.consent_new, name="case-consent-new"),
    path("cases/persons/<int:person_id>/referrals/new/", views.referral_new, name="case-referral-new"),
    path("cases/persons/<int:person_id>/disclosure/", views.person_disclosure, name="case-person-disclosure"),
    path("cases/persons/<int:person_id>/attachments/", views.attachment_upload, name="case-attachment-upload"),
    path("cases/attachments/<int:attachment_id>/", views.attachment_download, name="case-attachment"),
    path("cases/referrals/<int:referral_id>/", views.referral_detail, name="case-referral"),
    path("cases/referrals/<int:referral_id>/move/", views.referral_move, name="case-referral-move"),
    path("cases/meetings/", meeting_views.meeting_list, name="case-meetings"),
    path("cases/meetings/new/", meeting_views.meeting_new, name="case-meeting-new"),
    path("cases/meetings/<int:meeting_id>/", meeting_views.meeting_detail, name="case-meeting"),
    path("cases/meetings/<int:meeting_id>/persons/", meeting_views.meeting_person_add, name="case-meeting-person"),
    path(
        "cases/meetings/<int:meeting_id>/participants/",
        meeting_views.meeting_participant_add,
        name="case-meeting-participant",
    ),
    path("cases/meetings/<int:meeting_id>/record/", meeting_views.meeting_record, name="case-meeting-record"),
    path(
        "cases/meetings/<int:meeting_id>/attendance/", meeting_views.meeting_attendance, name="case-meeting-attendance"
    ),
    path(
        "cases/meetings/<int:meeting_id>/documents/",
        meeting_views.meeting_document_upload,
        name="case-meeting-document-upload",
    ),
    path("cases/meetings/documents/<int:document_id>/", meeting_views.meeting_document, name="case-meeting-document"),
    path("cases/meetings/<int:meeting_id>/tasks/", meeting_views.meeting_task_add, name="case-meeting-task"),
    path("cases/tasks/<int:task_id>/done/", meeting_views.task_done, name="case-task-done"),
    path("cases/notifications/", views.notification_list, name="case-notifications"),
    path("cases/notifications/read/", views.notifications_read, name="case-notifications-read"),
    # Last in the walk over every case URL (tests/cases/walk.py): it withdraws the walk's consent.
    path("cases/consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="case-consent-withdraw"),
    path("figures/", views.figures_page, name="figures"),
]
