"""Survey pages, under the "workspace" namespace (tsunagari.urls): its two-factor rule, the permission matrix."""

from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_new, name="survey-new"),
    path("surveys/references/", views.reference_list, name="survey-references"),
    path("surveys/references/new/", views.reference_new, name="survey-reference-new"),
    path("surveys/references/import/", views.reference_import, name="survey-reference-import"),
    path("surveys/references/<int:reference_id>/withdraw/", views.reference_withdraw, name="survey-reference-withdraw"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/edit/", views.survey_edit, name="survey-edit"),
    path("surveys/<int:survey_id>/instrument/", views.survey_instrument, name="survey-instrument"),
    path("surveys/<int:survey_id>/xlsform/", views.survey_xlsform, name="survey-xlsform"),
    path("surveys/<int:survey_id>/questions/new/", views.question_new, name="survey-question-new"),
    path("surveys/questions/<int:question_id>/delete/", views.question_delete, name="survey-question-delete"),
    path("surveys/<int:survey_id>/invitations/", views.invitations, name="survey-invitations"),
    path("surveys/<int:survey_id>/invitations.csv", views.invitations_export, name="survey-invitations-export"),
    path("surveys/<int:survey_id>/letters/", views.letters, name="survey-letters"),
    path("surveys/<int:survey_id>/entry/", views.paper_entry, name="survey-entry"),
    path("surveys/<int:survey_id>/import/", views.responses_import, name="survey-import"),
    path("surveys/<int:survey_id>/weighting/", views.survey_weighting, name="survey-weighting"),
    path("surveys/<int:survey_id>/weighting/design/", views.survey_design, name="survey-design"),
    path("surveys/<int:survey_id>/weighting/import/", views.survey_weighting_import, name="survey-weighting-import"),
    path("surveys/<int:survey_id>/report/", views.survey_report, name="survey-report"),
    path("surveys/<int:survey_id>/report.pdf", views.report_pdf, name="survey-report-pdf"),
    path("surveys/<int:survey_id>/report.xlsx", views.report_xlsx, name="survey-report-xlsx"),
    path("surveys/<int:survey_id>/results.csv", views.open_data, {"fmt": "csv"}, name="survey-open-data-csv"),
    path("surveys/<int:survey_id>/results.json", views.open_data, {"fmt": "json"}, name="survey-open-data-json"),
    path("surveys/<int:survey_id>/answers.csv", views.microdata, name="survey-microdata"),
]
