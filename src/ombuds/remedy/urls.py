from django.urls import path

from . import views

urlpatterns = [
    # Staff: per agency (a case of another agency is never found: 404).
    path("agencies/<slug:slug>/appeals/", views.appeal_list, name="appeal_list"),
    path("agencies/<slug:slug>/appeals/new/", views.appeal_create, name="appeal_create"),
    path("agencies/<slug:slug>/appeals/<int:case>/", views.appeal_detail, name="appeal_detail"),
    path(
        "agencies/<slug:slug>/appeals/<int:case>/step/",
        views.appeal_step,
        name="appeal_step",
    ),
    path(
        "agencies/<slug:slug>/appeals/<int:case>/link/",
        views.appeal_link,
        name="appeal_link",
    ),
    path(
        "agencies/<slug:slug>/appeals/<int:case>/letter/",
        views.appeal_letter,
        name="appeal_letter",
    ),
    path(
        "agencies/<slug:slug>/appeals/<int:case>/letter.pdf",
        views.appeal_letter_pdf,
        name="appeal_letter_pdf",
    ),
    path("agencies/<slug:slug>/notices/", views.notice_list, name="notice_list"),
    path(
        "agencies/<slug:slug>/notices/<int:notice>/",
        views.notice_letter,
        name="notice_letter",
    ),
    path(
        "agencies/<slug:slug>/notices/<int:notice>/letter.pdf",
        views.notice_letter_pdf,
        name="notice_letter_pdf",
    ),
    path("agencies/<slug:slug>/remedy-policy/", views.remedy_policy, name="remedy_policy"),
    path("systems/<int:pk>/notices/upload/", views.notice_batch, name="notice_batch"),
    path("systems/<int:pk>/appeal-route/", views.appeal_route, name="appeal_route"),
    path(
        "systems/<int:pk>/appeal-statistics/",
        views.appeal_statistics,
        name="appeal_statistics",
    ),
    # Public: no account, no language prefix, no JavaScript needed.
    path("public/appeal/", views.public_appeal, name="public_appeal"),
    path(
        "public/appeal/<str:appeal_ref>/<str:appeal_token>/",
        views.public_appeal_track,
        name="public_appeal_track",
    ),
]
