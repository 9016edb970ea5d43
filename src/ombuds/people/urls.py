from django.urls import path

from . import views

urlpatterns = [
    path("training/", views.my_training, name="my_training"),
    path("agencies/<slug:slug>/training/", views.agency_training, name="agency_training"),
    path("agencies/<slug:slug>/training/new/", views.module_new, name="module_new"),
    path("agencies/<slug:slug>/training/import/", views.training_import, name="training_import"),
    path(
        "agencies/<slug:slug>/training/modules/<str:module>/",
        views.module_detail,
        name="module_detail",
    ),
    path(
        "agencies/<slug:slug>/training/modules/<str:module>/check/",
        views.module_check,
        name="module_check",
    ),
    path(
        "agencies/<slug:slug>/training/modules/<str:module>/edit/",
        views.module_edit,
        name="module_edit",
    ),
    path("agencies/<slug:slug>/compliance/", views.compliance, name="people_compliance"),
    path(
        "agencies/<slug:slug>/compliance/certificates.csv",
        views.compliance_csv,
        name="people_compliance_csv",
    ),
    path("systems/<int:pk>/operators/", views.system_operators, name="system_operators"),
    path(
        "systems/<int:pk>/operators/<int:assignment>/end/",
        views.operator_end,
        name="operator_end",
    ),
    path("systems/<int:pk>/oversight/", views.oversight_edit, name="oversight_edit"),
]
