from django.urls import path

from . import report, views

urlpatterns = [
    path("systems/<int:pk>/assessments/", views.assessment_list, name="assessment_list"),
    path("systems/<int:pk>/pilot/", views.pilot_plan, name="pilot_plan"),
    path("systems/<int:pk>/report/", report.system_report, name="system_report"),
    path("systems/<int:pk>/report.pdf", report.system_report_pdf, name="system_report_pdf"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<int:pk>/answer/<str:section>/",
        views.assessment_answer,
        name="assessment_answer",
    ),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path(
        "assessments/<int:pk>/new-version/",
        views.assessment_new_version,
        name="assessment_new_version",
    ),
    path("assessments/<int:pk>/review/", views.assessment_review, name="assessment_review"),
    path("assessments/<int:pk>/sign/", views.assessment_signoff, name="assessment_signoff"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/risks/new/", views.risk_add, name="risk_add"),
    path("assessments/<int:pk>/risks/<int:risk>/remove/", views.risk_remove, name="risk_remove"),
    path("assessments/<int:pk>/engagements/new/", views.engagement_add, name="engagement_add"),
    path(
        "assessments/<int:pk>/conditions/<int:condition>/met/",
        views.condition_meet,
        name="condition_meet",
    ),
    path("agencies/<slug:slug>/approval-policy/", views.approval_policy, name="approval_policy"),
]
