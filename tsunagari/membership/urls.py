"""Public membership pages under /<platform_slug>/ (included before the portal's own URLs)."""

from django.urls import path

from . import public

app_name = "membership"
urlpatterns = [
    path("join/", public.join, name="join"),
    path("join/thanks/", public.join_thanks, name="join-thanks"),
    path("members/", public.member_list, name="members"),
    path("members/print/", public.member_list_print, name="members-print"),
    path("services/<uuid:service_id>/report/", public.report_problem, name="report"),
]
