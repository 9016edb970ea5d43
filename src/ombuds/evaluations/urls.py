from django.urls import path

from . import views

urlpatterns = [
    path("systems/<int:pk>/evaluations/", views.evaluation_list, name="evaluation_list"),
    path("systems/<int:pk>/evaluations/upload/", views.evaluation_upload, name="evaluation_upload"),
    path("systems/<int:pk>/evaluations/run/", views.evaluation_run, name="evaluation_run"),
    path(
        "systems/<int:pk>/evaluations/peer-review/",
        views.peer_review_create,
        name="peer_review_create",
    ),
    path(
        "systems/<int:pk>/evaluations/<int:ev>/",
        views.evaluation_detail,
        name="evaluation_detail",
    ),
    path(
        "systems/<int:pk>/evaluations/<int:ev>/status/",
        views.evaluation_status,
        name="evaluation_status",
    ),
    path(
        "systems/<int:pk>/evaluations/<int:ev>/result.json",
        views.evaluation_download,
        name="evaluation_download",
    ),
    path(
        "systems/<int:pk>/evaluations/<int:ev>/characteristics/",
        views.evaluation_characteristics,
        name="evaluation_characteristics",
    ),
    path(
        "systems/<int:pk>/evaluations/<int:ev>/response/",
        views.findings_response,
        name="findings_response",
    ),
    path(
        "systems/<int:pk>/protected-characteristics/",
        views.protected_characteristics,
        name="protected_characteristics",
    ),
]
