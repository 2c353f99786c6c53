"""Councils pages under the "workspace" namespace (tsunagari.urls); every one is in the permission matrix."""

from django.urls import path

from . import views

urlpatterns = [
    path("councils/", views.council_list, name="councils"),
    path("councils/new/", views.council_new, name="council-new"),
    path("councils/<int:council_id>/", views.council_detail, name="council"),
    path("councils/<int:council_id>/edit/", views.council_edit, name="council-edit"),
    path("councils/<int:council_id>/members/", views.council_member_add, name="council-member-add"),
    path(
        "councils/<int:council_id>/members/<int:member_id>/remove/",
        views.council_member_remove,
        name="council-member-remove",
    ),
    path("supporters/", views.supporter_list, name="supporters"),
    path("supporters/<int:supporter_id>/end/", views.supporter_end, name="supporter-end"),
    path("pledge/", views.pledge, name="pledge"),
    path("pledge/<int:council_id>/sign/", views.pledge_sign, name="pledge-sign"),
    path("concerns/report/", views.concern_report, name="concern-report"),
    path("concerns/report/sent/", views.concern_report_sent, name="concern-report-sent"),
    path("concerns/", views.concern_queue, name="concerns"),
    path("concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path("concerns/<int:concern_id>/move/", views.concern_move, name="concern-move"),
    # The organisation a concern was handed to (a case page, not triage).
    path("concerns/handed/<int:concern_id>/", views.concern_handed, name="concern-handed"),
]
