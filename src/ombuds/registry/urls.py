from django.urls import path
from django.views.generic import RedirectView

from ombuds.core.permissions import access

from . import views

urlpatterns = [
    path("", access("public")(RedirectView.as_view(pattern_name="dashboard")), name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("systems/", views.system_list, name="system_list"),
    path("systems/new/", views.system_create, name="system_create"),
    path("systems/<int:pk>/", views.system_detail, name="system_detail"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system_edit"),
    path("systems/<int:pk>/transition/", views.system_transition, name="system_transition"),
    path("systems/<int:pk>/classify/", views.system_classify, name="system_classify"),
    path("systems/<int:pk>/cards/<str:kind>/", views.card_edit, name="card_edit"),
    path(
        "systems/<int:pk>/attachments/<int:att>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("systems/<int:pk>/history/", views.system_history, name="system_history"),
    path("systems/<int:pk>/gate/", views.system_gate, name="system_gate"),
    path("systems/<int:pk>/onboard/", views.system_onboard, name="system_onboard"),
    path("systems/<int:pk>/gate/confirm/", views.system_confirm_gate, name="system_confirm_gate"),
    path("systems/<int:pk>/waivers/new/", views.waiver_create, name="waiver_create"),
    path(
        "systems/<int:pk>/waivers/<int:waiver>/revoke/", views.waiver_revoke, name="waiver_revoke"
    ),
    path("systems/<int:pk>/crosswalk/", views.system_crosswalk, name="system_crosswalk"),
    path(
        "systems/<int:pk>/decommissioning/",
        views.system_decommissioning,
        name="system_decommissioning",
    ),
    path(
        "systems/<int:pk>/material-change/",
        views.system_material_change,
        name="system_material_change",
    ),
]
