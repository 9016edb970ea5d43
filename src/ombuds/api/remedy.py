"""Remedy through the API: the agency's case system issues notices; staff enter appeals received
by telephone, post or in person and move cases through their steps. Thin calls into
remedy.services; bad input is 422 problem details naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from pydantic import Field

from ombuds.core.permissions import check_object
from ombuds.registry.models import AISystem
from ombuds.remedy import notices, services, stats
from ombuds.remedy.models import Appeal, Notice

from .problems import COMMON, errors, problem
from .registry import MAX_ID, SystemId, access

router = Router(tags=["remedy"])

NoticeId = Path(..., ge=1, le=MAX_ID, description="The notice's id.")
AppealId = Path(..., ge=1, le=MAX_ID, description="The appeal's id.")
Lang = Literal["en", "fr", "es"]
State = Literal[
    "received", "acknowledged", "in_review", "decided", "remedy_done", "closed", "withdrawn"
]


class NoticeIn(Schema):
    case_reference: str = Field(..., min_length=1, max_length=100)
    outcome: str = Field(..., min_length=1, max_length=500)
    factors: list[str] = Field(..., min_length=1, max_length=services.MAX_FACTORS)
    language: Lang = "en"
    decided_on: dt.date
    person_identifier: str = Field(
        ..., min_length=1, max_length=200, description="Hashed with a key; never stored."
    )
    decision_maker: str | None = Field(None, max_length=150, description="A username.")


class NoticeOut(Schema):
    id: int
    reference: str
    system_id: int
    case_reference: str
    outcome: str
    factors: list[str]
    language: str
    decided_on: dt.date
    appeal_by: dt.date
    template: str
    letter_html: str
    letter_url: str
    pdf_url: str


class AppealIn(Schema):
    channel: Literal["phone", "post", "in_person"]
    notice_reference: str | None = Field(None, max_length=40)
    grounds: str = Field(..., min_length=1, max_length=services.MAX_GROUNDS)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=40)
    contact_address: str | None = Field(None, max_length=1000)
    language: Lang = "en"
    group: str | None = Field(None, max_length=100)
    group_consent: bool = False


class EventOut(Schema):
    from_state: str
    to_state: str
    at: dt.datetime
    actor: str | None


class AppealOut(Schema):
    id: int
    reference: str
    system_id: int
    notice_reference: str | None
    channel: str
    state: State
    received_at: dt.datetime
    acknowledge_by: dt.date
    decide_by: dt.date
    reviewer: str | None
    outcome: str
    remedy_status: str
    remedy_kinds: list[str]
    remedy_done_on: dt.date | None
    overdue: bool
    events: list[EventOut]


class AppealCreated(AppealOut):
    tracking_url: str


class TransitionIn(Schema):
    to: Literal["acknowledged", "in_review", "decided", "remedy_done", "closed", "withdrawn"]
    note: str = Field("", max_length=services.MAX_NOTE)
    outcome: Literal["", "upheld", "overturned", "partly_overturned"] = ""
    reasons: str = Field("", max_length=services.MAX_NOTE)
    remedy_kinds: list[
        Literal["decision_reversed", "payment", "record_corrected", "apology", "other"]
    ] = []
    remedy_done_on: dt.date | None = None
    refuse_remedy: bool = False
    not_original_decision_maker: bool = Field(
        False,
        description="The reviewer declares they did not take the original decision (required to "
        "review or decide when nobody recorded who did).",
    )
    appellant_asked: bool = Field(
        False, description="Withdrawing: the appellant asked (required, with a note)."
    )


class GroupOut(Schema):
    group: str
    decided: int
    overturned: int
    overturn_rate: float
    suppressed: bool


class StatisticsOut(Schema):
    system_id: int
    appeals: int
    open: int
    decided: int
    overturned: int
    overturn_rate: float | None
    median_calendar_days: float | None
    p90_calendar_days: float | None
    median_working_days: float | None
    p90_working_days: float | None
    within_deadline: int
    share_within_deadline: float | None
    groups: list[GroupOut] = Field(
        ..., description="Only groups with at least min_group decided appeals, as in public."
    )
    groups_suppressed: int = Field(..., description="Groups left out: fewer than min_group.")
    min_group: int


def _system(request, system_id: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=system_id)
    check_object(request.user, perm, system.agency_id)
    return system


def notice_out(request, notice: Notice) -> dict:
    rendered = services.notice_letter(notice, request.build_absolute_uri("/"))
    slug = notice.agency.slug
    return {
        "id": notice.pk,
        "reference": notice.reference,
        "system_id": notice.system_id,
        "case_reference": notice.case_reference,
        "outcome": notice.outcome,
        "factors": notice.factors,
        "language": notice.language,
        "decided_on": notice.decided_on,
        "appeal_by": notice.appeal_by,
        "template": f"{notice.template_id}@{notice.template_version}",
        "letter_html": notices.as_html_fragment(rendered),
        "letter_url": reverse("notice_letter", args=[slug, notice.pk]),
        "pdf_url": reverse("notice_letter_pdf", args=[slug, notice.pk]),
    }


def appeal_out(appeal: Appeal) -> dict:
    from django.utils import timezone

    return {
        "id": appeal.pk,
        "reference": appeal.reference,
        "system_id": appeal.system_id,
        "notice_reference": appeal.notice.reference if appeal.notice_id else None,
        "channel": appeal.channel,
        "state": appeal.state,
        "received_at": appeal.received_at,
        "acknowledge_by": appeal.acknowledge_by,
        "decide_by": appeal.decide_by,
        "reviewer": appeal.reviewer.get_username() if appeal.reviewer_id else None,
        "outcome": appeal.outcome,
        "remedy_status": appeal.remedy_status,
        "remedy_kinds": appeal.remedy_kinds,
        "remedy_done_on": appeal.remedy_done_on,
        "overdue": services.is_overdue(appeal, timezone.localdate()),
        "events": [
            {
                "from_state": e.from_state,
                "to_state": e.to_state,
                "at": e.at,
                "actor": e.actor.get_username() if e.actor_id else None,
            }
            for e in appeal.events.select_related("actor")
        ],
    }


@router.post(
    "/systems/{system_id}/notices",
    response={201: NoticeOut, **errors(*COMMON)},
    openapi_extra=access("notice.issue"),
    summary="Issue a notice of an adverse decision: returns its reference, the appeal deadline "
    "and the letter",
)
def issue_notice(request, payload: NoticeIn, system_id: int = SystemId):
    system = _system(request, system_id, "notice.issue")
    try:
        notice = services.issue_notice(request.user, system, payload.model_dump())
    except services.PseudonymKeyMissing:
        from .api import api

        message = _("Identifiers cannot be hashed: the OMBUDS_PSEUDONYM_KEY is not set.")
        return problem(
            api, request, 422, message, [{"field": "person_identifier", "message": message}]
        )
    return Status(201, notice_out(request, notice))


@router.get(
    "/notices/{notice_id}",
    response={200: NoticeOut, **errors(*COMMON)},
    openapi_extra=access("notice.view"),
    summary="A notice with its letter",
)
def get_notice(request, notice_id: int = NoticeId):
    notice = get_object_or_404(Notice.objects.select_related("agency", "system"), pk=notice_id)
    check_object(request.user, "notice.view", notice.agency_id)
    return notice_out(request, notice)


@router.post(
    "/systems/{system_id}/appeals",
    response={201: AppealCreated, **errors(*COMMON)},
    openapi_extra=access("appeal.enter"),
    summary="Enter an appeal received by telephone, post or in person; returns the tracking link "
    "to give the appellant (shown once)",
)
def enter_appeal(request, payload: AppealIn, system_id: int = SystemId):
    system = _system(request, system_id, "appeal.enter")
    appeal, raw = services.enter_appeal(request.user, system, payload.model_dump())
    return Status(
        201,
        {
            **appeal_out(appeal),
            "tracking_url": request.build_absolute_uri(services.tracking_path(appeal, raw)),
        },
    )


def _appeal(request, appeal_id: int, perm: str) -> Appeal:
    appeal = get_object_or_404(
        Appeal.objects.select_related("agency", "system", "notice", "reviewer"), pk=appeal_id
    )
    check_object(request.user, perm, appeal.agency_id)
    return appeal


@router.get(
    "/appeals/{appeal_id}",
    response={200: AppealOut, **errors(*COMMON)},
    openapi_extra=access("appeal.view"),
    summary="An appeal's state, deadlines, outcome, remedy and timeline (no personal data)",
)
def get_appeal(request, appeal_id: int = AppealId):
    return appeal_out(_appeal(request, appeal_id, "appeal.view"))


@router.post(
    "/appeals/{appeal_id}/transitions",
    response={200: AppealOut, **errors(*COMMON)},
    openapi_extra=access("appeal.decide"),
    summary="Move an appeal one step (acknowledge, review, decide, record the remedy, close, "
    "withdraw); each step checks its own permission",
)
def transition(request, payload: TransitionIn, appeal_id: int = AppealId):
    appeal = _appeal(request, appeal_id, "appeal.decide")
    data = payload.model_dump()
    services.transition(
        request.user,
        appeal,
        data.pop("to"),
        **data,
    )
    appeal.refresh_from_db()
    return appeal_out(appeal)


class LinkIn(Schema):
    notice_reference: str = Field("", max_length=40)
    decision_maker: str = Field("", max_length=150, description="A username of the agency.")


@router.post(
    "/appeals/{appeal_id}/link",
    response={200: AppealOut, **errors(*COMMON)},
    openapi_extra=access("appeal.enter"),
    summary="Before the review: link the notice the appeal is about, or record who took the "
    "original decision (that person may then neither review nor end the appeal)",
)
def link(request, payload: LinkIn, appeal_id: int = AppealId):
    appeal = _appeal(request, appeal_id, "appeal.enter")
    services.link_appeal(request.user, appeal, **payload.model_dump())
    appeal.refresh_from_db()
    return appeal_out(appeal)


@router.get(
    "/systems/{system_id}/appeal-statistics",
    response={200: StatisticsOut, **errors(*COMMON)},
    openapi_extra=access("appeal.view"),
    summary="Appeal statistics of a system: volumes, time to decision, overturn rate, by group",
)
def appeal_statistics(request, system_id: int = SystemId):
    system = _system(request, system_id, "appeal.view")
    return {"system_id": system.pk, **stats.summary(system)}
