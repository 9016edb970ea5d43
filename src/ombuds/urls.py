from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from ombuds.api.api import api
from ombuds.core import views as core_views
from ombuds.core.permissions import access

auth = [
    path(
        "login/",
        access("public")(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", access("public")(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/change/",
        access("login")(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/change/done/",
        access("login")(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        access("public")(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        access("public")(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        access("public")(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        access("public")(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", access("public")(set_language), name="set_language"),
    path("accounts/", include(auth)),
    path("agencies/<slug:slug>/", core_views.agency_home, name="agency_home"),
    path("agencies/<slug:slug>/branding/", core_views.branding, name="branding"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("ombuds.assessments.urls")),
    path("", include("ombuds.evaluations.urls")),
    path("", include("ombuds.monitoring.urls")),
    path("", include("ombuds.feedback.urls")),
    path("", include("ombuds.transparency.urls")),
    path("", include("ombuds.transparency.export_urls")),
    path("", include("ombuds.people.urls")),
    path("", include("ombuds.remedy.urls")),
    path("", include("ombuds.procurement.urls")),
    path("", include("ombuds.registry.urls")),
]
