"""The plan and report pages in the workspace, under the "workspace" namespace (tsunagari.urls; the permission matrix)."""

from django.urls import path

from . import views

urlpatterns = [
    path("reporting/", views.home, name="reporting"),
    path("reporting/usage/", views.usage, name="reporting-usage"),
    path("reporting/<int:year>/", views.year_page, name="reporting-year"),
    path("reporting/<int:year>/texts/", views.texts, name="reporting-texts"),
    path("reporting/<int:year>/evidence/", views.evidence_upload, name="reporting-evidence-upload"),
    path("reporting/evidence/<int:evidence_id>/", views.evidence, name="reporting-evidence"),
    path("reporting/evidence/<int:evidence_id>/delete/", views.evidence_delete, name="reporting-evidence-delete"),
    # Activities, budget lines, KPIs and milestones (views.ROW_MODELS), after the evidence's own paths.
    path("reporting/<int:year>/<str:kind>/new/", views.row_new, name="reporting-row-new"),
    path("reporting/<str:kind>/<int:row_id>/edit/", views.row_edit, name="reporting-row-edit"),
    path("reporting/<str:kind>/<int:row_id>/delete/", views.row_delete, name="reporting-row-delete"),
    path("reporting/<int:year>/report/", views.report_html, name="reporting-report"),
    path("reporting/<int:year>/report.pdf", views.report_pdf, name="reporting-report-pdf"),
    path("reporting/<int:year>/report.xlsx", views.report_xlsx, name="reporting-report-xlsx"),
]
