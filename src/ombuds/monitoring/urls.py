from django.urls import path

from . import views

urlpatterns = [
    path("monitoring/", views.overview, name="monitoring_overview"),
    path("systems/<int:pk>/monitoring/", views.system_monitoring, name="system_monitoring"),
    path("systems/<int:pk>/monitoring/sources/new/", views.source_create, name="source_create"),
    path("systems/<int:pk>/monitoring/monitors/new/", views.monitor_create, name="monitor_create"),
    path(
        "systems/<int:pk>/monitoring/monitors/<int:monitor>/",
        views.monitor_detail,
        name="monitor_detail",
    ),
    path(
        "systems/<int:pk>/monitoring/monitors/<int:monitor>/runs.json",
        views.monitor_json,
        name="monitor_json",
    ),
    path(
        "systems/<int:pk>/monitoring/monitors/<int:monitor>/run/",
        views.monitor_run_now,
        name="monitor_run_now",
    ),
    path(
        "systems/<int:pk>/monitoring/alerts/<int:alert>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("systems/<int:pk>/suspend/", views.system_suspend, name="system_suspend"),
]
