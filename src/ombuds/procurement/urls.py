from django.urls import path

from . import views

P = "agencies/<slug:slug>/procurements/<int:procurement>/"

urlpatterns = [
    path("agencies/<slug:slug>/vendors/", views.vendor_list, name="vendor_list"),
    path("agencies/<slug:slug>/procurements/", views.procurement_list, name="procurement_list"),
    path(P, views.procurement_detail, name="procurement_detail"),
    path(P + "stage/", views.procurement_stage, name="procurement_stage"),
    path(P + "bids/", views.bid_add, name="procurement_bid_add"),
    path(P + "bids/<int:bid>/award/", views.bid_award, name="procurement_award"),
    path(
        P + "bids/<int:bid>/due-diligence/", views.due_diligence, name="procurement_due_diligence"
    ),
    path(
        P + "bids/<int:bid>/due-diligence/send/",
        views.due_diligence_send,
        name="procurement_due_diligence_send",
    ),
    path(
        P + "bids/<int:bid>/due-diligence/answers/<int:answer>/",
        views.answer_review,
        name="procurement_answer_review",
    ),
    path(
        P + "bids/<int:bid>/evidence/<int:evidence>/",
        views.evidence_download,
        name="procurement_evidence",
    ),
    path(P + "bids/<int:bid>/cards/", views.card_import, name="procurement_card_import"),
    path(P + "bids/<int:bid>/claims/", views.claim_add, name="procurement_claim_add"),
    path(P + "claims/<int:claim>/", views.claim_detail, name="procurement_claim"),
    path(P + "claims/<int:claim>/verify/", views.claim_verify, name="procurement_claim_verify"),
    path(P + "claims/<int:claim>/accept/", views.claim_accept, name="procurement_claim_accept"),
    path(P + "datasets/", views.dataset_upload, name="procurement_dataset_upload"),
    path(P + "comparison/", views.comparison, name="procurement_comparison"),
    path(P + "clauses/", views.clauses, name="procurement_clauses"),
    path(P + "clauses/pack/", views.clause_pack, name="procurement_clause_pack"),
    path(P + "clauses/pack.md", views.clause_pack_markdown, name="procurement_clause_pack_md"),
    path(P + "clauses/pack.pdf", views.clause_pack_pdf, name="procurement_clause_pack_pdf"),
    path(P + "reviews/", views.reviews, name="procurement_reviews"),
    path(P + "reviews/<int:review>/", views.review_record, name="procurement_review_record"),
    path(
        "public/vendor-requests/<str:vendor_token>/",
        views.vendor_request,
        name="vendor_request",
    ),
]
