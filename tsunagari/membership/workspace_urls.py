"""Membership pages of the workspace, under the "workspace" namespace (tsunagari.urls) (so that they share its namespace,
its two-factor rule and the permission matrix's check that every workspace URL is covered)."""

from django.urls import path

from . import views

urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/export.csv", views.members_export, name="members-export"),
    path("members/print/", views.members_print, name="members-print"),
    path("members/applications/", views.applications, name="members-applications"),
    path("members/applications/<uuid:application_id>/", views.application_detail, name="members-application"),
    path(
        "members/applications/<uuid:application_id>/approve/",
        views.application_approve,
        name="members-application-approve",
    ),
    path(
        "members/applications/<uuid:application_id>/decline/",
        views.application_decline,
        name="members-application-decline",
    ),
    path("members/agreements/", views.agreements, name="members-agreements"),
    path("members/agreements/new/", views.agreement_new, name="members-agreement-new"),
    path("members/agreements/<uuid:agreement_id>/edit/", views.agreement_edit, name="members-agreement-edit"),
    path(
        "members/agreements/<uuid:agreement_id>/document/",
        views.agreement_document,
        name="members-agreement-document",
    ),
    path("members/<uuid:member_id>/", views.member_detail, name="members-detail"),
    path("members/<uuid:member_id>/trust/", views.member_trust, name="members-trust"),
    path("listings/", views.listings_home, name="listings"),
    path("listings/new/", views.listing_new, name="listings-new"),
    path("listings/settings/", views.listing_settings, name="listings-settings"),
    path("listings/changes/<uuid:change_id>/", views.listing_change, name="listings-change"),
    path("listings/changes/<uuid:change_id>/approve/", views.listing_change_approve, name="listings-change-approve"),
    path("listings/changes/<uuid:change_id>/reject/", views.listing_change_reject, name="listings-change-reject"),
    path("listings/<uuid:service_id>/edit/", views.listing_edit, name="listings-edit"),
    path("reports/", views.reports, name="reports"),
    path("reports/<uuid:report_id>/close/", views.report_close, name="reports-close"),
    path("reports/<uuid:report_id>/ask/", views.report_ask, name="reports-ask"),
]
