from django.urls import path

from . import views

urlpatterns = [
    # Staff: incidents.
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/reported/", views.incident_reported, name="incident_reported"),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident_close"),
    # Staff: reports from outside.
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/triage/", views.report_triage, name="report_triage"),
    path("reports/<int:pk>/incident/", views.report_incident, name="report_incident"),
    path(
        "agencies/<slug:slug>/report-settings/",
        views.feedback_settings,
        name="feedback_settings",
    ),
    # Public: no account, no language prefix, no JavaScript needed.
    path("public/report/", views.public_report, name="public_report"),
    path(
        "public/report/<str:reference>/",
        views.public_report_status,
        name="public_report_status",
    ),
    path(
        "public/report/<str:reference>/<str:token>/",
        views.public_report_status_token,
        name="public_report_status_token",
    ),
    path("public/disclosure-policy/", views.disclosure_policy, name="disclosure_policy"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]
