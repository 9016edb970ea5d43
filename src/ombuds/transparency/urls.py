from django.urls import path

from . import public_views, views

CONSULTATION = "systems/<int:pk>/consultations/<int:consultation>/"
PUBLIC_CONSULTATION = "public/systems/<int:system_id>/consultations/<int:consultation>/"

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
    # Staff: consultations, moderation, opt-out requests, errors reported, the AI policy.
    path("systems/<int:pk>/consultations/", views.consultation_list, name="consultation_list"),
    path(
        "systems/<int:pk>/consultations/new/",
        views.consultation_create,
        name="consultation_create",
    ),
    path(CONSULTATION, views.consultation_detail, name="consultation_detail"),
    path(CONSULTATION + "edit/", views.consultation_edit, name="consultation_edit"),
    path(CONSULTATION + "close/", views.consultation_close, name="consultation_close"),
    path(CONSULTATION + "documents/", views.consultation_document, name="consultation_document"),
    path(
        CONSULTATION + "documents/<int:document>/",
        views.consultation_document_download,
        name="consultation_document_download",
    ),
    path(
        CONSULTATION + "documents/<int:document>/remove/",
        views.consultation_document_remove,
        name="consultation_document_remove",
    ),
    path(CONSULTATION + "response/", views.consultation_response, name="consultation_response"),
    path(
        CONSULTATION + "comments/<int:comment>/moderate/",
        views.comment_moderate,
        name="comment_moderate",
    ),
    path(
        CONSULTATION + "comments/<int:comment>/unpublish/",
        views.comment_unpublish,
        name="comment_unpublish",
    ),
    path(
        "agencies/<slug:slug>/consultations/moderation/",
        views.moderation_queue,
        name="moderation_queue",
    ),
    path("agencies/<slug:slug>/opt-out-requests/", views.optout_queue, name="optout_queue"),
    path(
        "systems/<int:pk>/opt-out-requests/<int:optout>/",
        views.optout_detail,
        name="optout_detail",
    ),
    path("agencies/<slug:slug>/record-errors/", views.record_error_list, name="record_error_list"),
    path(
        "systems/<int:pk>/record-errors/<int:recorderror>/",
        views.record_error_detail,
        name="record_error_detail",
    ),
    path("agencies/<slug:slug>/ai-policy/", views.agency_policy, name="agency_policy"),
    # Public.
    path("public/", public_views.register, name="public_register"),
    path("public/register.json", public_views.register_json, name="public_register_json"),
    path("public/register.csv", public_views.register_csv, name="public_register_csv"),
    path("public/feed.atom", public_views.feed, name="public_feed"),
    path("public/systems/<int:system_id>/", public_views.system_page, name="public_system"),
    path(
        "public/systems/<int:system_id>/record-error/",
        public_views.record_error,
        name="public_record_error",
    ),
    path(
        "public/systems/<int:system_id>/opt-out/",
        public_views.optout_request,
        name="public_optout",
    ),
    path(PUBLIC_CONSULTATION, public_views.consultation_page, name="public_consultation"),
    path(
        PUBLIC_CONSULTATION + "documents/<int:document>/",
        public_views.consultation_document,
        name="public_consultation_document",
    ),
    path(
        "public/record-errors/<str:error_ref>/<str:error_token>/",
        public_views.record_error_status,
        name="public_record_error_status",
    ),
    path(
        "public/opt-out/<str:optout_ref>/<str:optout_token>/",
        public_views.optout_status,
        name="public_optout_status",
    ),
    path("public/agencies/<slug:slug>/", public_views.agency_page, name="public_agency"),
]
