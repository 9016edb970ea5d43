from django.urls import path

from . import public_views, views

urlpatterns = [
    path("systems/<int:pk>/public-record/", views.record_detail, name="public_record"),
    path("systems/<int:pk>/public-record/edit/", views.record_edit, name="public_record_edit"),
    path(
        "systems/<int:pk>/public-record/submit/", views.record_submit, name="public_record_submit"
    ),
    path(
        "systems/<int:pk>/public-record/publish/",
        views.record_publish,
        name="public_record_publish",
    ),
    path(
        "systems/<int:pk>/public-record/retract/",
        views.record_retract,
        name="public_record_retract",
    ),
    path(
        "systems/<int:pk>/public-record/withhold/",
        views.record_withhold,
        name="public_record_withhold",
    ),
    path("public/", public_views.register, name="public_register"),
    path("public/register.json", public_views.register_json, name="public_register_json"),
    path("public/register.csv", public_views.register_csv, name="public_register_csv"),
    path("public/feed.atom", public_views.feed, name="public_feed"),
    path("public/systems/<int:system_id>/", public_views.system_page, name="public_system"),
    path("public/agencies/<slug:slug>/", public_views.agency_page, name="public_agency"),
]
