"""Staff pages for notices and appeals, and the public appeal form and tracking page. Thin: the
rules live in services.py."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core.intake import client_address, private_page, screened
from ombuds.core.models import Agency
from ombuds.core.permissions import access, check_object, has_perm
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import AISystem

from . import services, stats
from .forms import (
    HONEYPOT,
    BatchForm,
    LinkForm,
    PolicyForm,
    PublicAppealForm,
    RouteForm,
    StaffAppealForm,
    TransitionForm,
)
from .models import Appeal, AppealState, Notice

log = logging.getLogger(__name__)
PUBLIC_MAX_BODY = 64 * 1024


def _agency(request, slug: str, perm: str) -> Agency:
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, perm, agency.pk)
    return agency


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


def _case(request, slug: str, case: int, perm: str) -> Appeal:
    agency = _agency(request, slug, perm)
    return get_object_or_404(
        Appeal.objects.select_related("agency", "system", "notice", "reviewer"),
        pk=case,
        agency=agency,
    )


def _pdf(request, html: str, filename: str, back: str):
    try:
        from weasyprint import HTML  # heavy, and needs the system's Pango: only when asked
    except (ImportError, OSError) as exc:
        log.warning("PDF unavailable: %s", exc)
        return render(
            request,
            "remedy/pdf_unavailable.html",
            {"back": back, "reason": str(exc).splitlines()[0] if str(exc) else ""},
            status=503,
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- appeals: staff ----------------------------------------------------------------------------


@access("appeal.view")
def appeal_list(request, slug):
    agency = _agency(request, slug, "appeal.view")
    today = timezone.localdate()
    appeals = Appeal.objects.filter(agency=agency).select_related("system", "notice")
    state = request.GET.get("state", "")
    if state in AppealState.values:
        appeals = appeals.filter(state=state)
    systems = AISystem.objects.filter(agency=agency).order_by("name")
    system = request.GET.get("system", "")
    if system.isdigit():
        appeals = appeals.filter(system_id=int(system))
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        appeals = appeals.filter(services.overdue_q(today))
    page = Paginator(appeals.order_by("decide_by", "pk"), 50).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.overdue = services.is_overdue(a, today)
    return render(
        request,
        "remedy/appeal_list.html",
        {
            "agency": agency,
            "page": page,
            "state": state,
            "states": AppealState.choices,
            "systems": systems,
            "system": system,
            "overdue_only": overdue_only,
            "can_enter": has_perm(request.user, "appeal.enter", agency.pk),
            "can_settings": has_perm(request.user, "remedy.settings", agency.pk),
            "can_notices": has_perm(request.user, "notice.view", agency.pk),
        },
    )


@access("appeal.enter")
def appeal_create(request, slug):
    agency = _agency(request, slug, "appeal.enter")
    systems = AISystem.objects.filter(agency=agency).select_related("agency").order_by("name")
    form = StaffAppealForm(request.POST or None, systems=systems)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal, raw = services.enter_appeal(request.user, data["system"], data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            link = request.build_absolute_uri(services.tracking_path(appeal, raw))
            return private_page(
                render(request, "remedy/appeal_created.html", {"appeal": appeal, "link": link})
            )
    return render(request, "remedy/appeal_form.html", {"form": form, "agency": agency})


def _step_choices(appeal):
    return [(s, AppealState(s).label) for s in services.allowed_next(appeal)]


def _can_act(request, appeal) -> bool:
    """Case handlers and reviewers see the appellant's details, the grounds and the reasons;
    a view-only role sees dates, states and outcomes only — on every page and every answer."""
    return any(
        has_perm(request.user, p, appeal.agency_id) for p in ("appeal.enter", "appeal.decide")
    )


def _repeat_appeals(appeal):
    """Other appeals of the same agency linked to the same person (keyed hash of their
    identifier, through the notices): how many, with links."""
    if not appeal.person_hash:
        return []
    return list(
        Appeal.objects.filter(agency_id=appeal.agency_id, person_hash=appeal.person_hash)
        .exclude(pk=appeal.pk)
        .order_by("-received_at", "-pk")
    )


def _detail(request, appeal, *, form=None, link_form=None, status=200):
    can_act = _can_act(request, appeal)
    choices = _step_choices(appeal)
    if form is None and can_act and choices:
        form = TransitionForm(choices=choices)
    can_link = appeal.state in services.BEFORE_REVIEW and has_perm(
        request.user, "appeal.enter", appeal.agency_id
    )
    if link_form is None and can_link:
        link_form = LinkForm()
    return render(
        request,
        "remedy/appeal_detail.html",
        {
            "appeal": appeal,
            "events": appeal.events.select_related("actor"),
            "overdue": services.is_overdue(appeal, timezone.localdate()),
            "form": form if can_act else None,
            # A refused link shows its errors even when the review has meanwhile started.
            "link_form": link_form
            if can_link or (link_form is not None and link_form.is_bound)
            else None,
            "reviewer_problems": services.reviewer_problems(request.user, appeal)
            if appeal.state in ("acknowledged", "in_review")
            else [],
            "can_see_contact": can_act,
            "repeats": _repeat_appeals(appeal) if can_act else [],
        },
        status=status,
    )


@access("appeal.view")
def appeal_detail(request, slug, case):
    return _detail(request, _case(request, slug, case, "appeal.view"))


@access("appeal.view")
def appeal_step(request, slug, case):
    appeal = _case(request, slug, case, "appeal.view")
    if request.method != "POST":
        return redirect("appeal_detail", slug=slug, case=case)
    if not _can_act(request, appeal):
        raise PermissionDenied
    form = TransitionForm(request.POST, choices=_step_choices(appeal))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.transition(
                request.user,
                appeal,
                data["to"],
                note=data["note"],
                outcome=data["outcome"],
                reasons=data["reasons"],
                remedy_kinds=data["remedy_kinds"],
                remedy_done_on=data["remedy_done_on"],
                refuse_remedy=data["refuse_remedy"],
                not_original_decision_maker=data["not_original_decision_maker"],
                appellant_asked=data["appellant_asked"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("appeal_detail", slug=slug, case=case)
    appeal.refresh_from_db()
    return _detail(request, appeal, form=form, status=400)


@access("appeal.enter")
def appeal_link(request, slug, case):
    appeal = _case(request, slug, case, "appeal.enter")
    if request.method != "POST":
        return redirect("appeal_detail", slug=slug, case=case)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.link_appeal(request.user, appeal, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("appeal_detail", slug=slug, case=case)
    appeal.refresh_from_db()
    return _detail(request, appeal, link_form=form, status=400)


def _letter_context(rendered, agency, reference, pdf_url=""):
    return {"letter": rendered, "agency": agency, "reference": reference, "pdf_url": pdf_url}


def _decision_letter(request, appeal):
    """The letter as the appellant gets it, for those who may see the reasons; without the
    reasons for a view-only role (the same gate as the case page)."""
    return services.decision_letter(appeal, with_reasons=_can_act(request, appeal))


@access("appeal.view")
def appeal_letter(request, slug, case):
    appeal = _case(request, slug, case, "appeal.view")
    if not appeal.outcome:
        raise Http404
    return render(
        request,
        "remedy/letter.html",
        _letter_context(
            _decision_letter(request, appeal),
            appeal.agency,
            appeal.reference,
            reverse("appeal_letter_pdf", args=[slug, case]),
        ),
    )


@access("appeal.view")
def appeal_letter_pdf(request, slug, case):
    appeal = _case(request, slug, case, "appeal.view")
    if not appeal.outcome:
        raise Http404
    html = render_to_string(
        "remedy/letter.html",
        _letter_context(_decision_letter(request, appeal), appeal.agency, appeal.reference),
        request,
    )
    return _pdf(
        request,
        html,
        f"decision-{appeal.reference}.pdf",
        reverse("appeal_letter", args=[slug, case]),
    )


# --- notices -----------------------------------------------------------------------------------


@access("notice.view")
def notice_list(request, slug):
    agency = _agency(request, slug, "notice.view")
    notices = Notice.objects.filter(agency=agency).select_related("system")
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "remedy/notice_list.html",
        {
            "agency": agency,
            "page": page,
            "systems": AISystem.objects.filter(agency=agency).order_by("name"),
            "can_issue": has_perm(request.user, "notice.issue", agency.pk),
        },
    )


def _notice(request, slug, notice) -> Notice:
    agency = _agency(request, slug, "notice.view")
    return get_object_or_404(
        Notice.objects.select_related("system", "agency"), pk=notice, agency=agency
    )


@access("notice.view")
def notice_letter(request, slug, notice):
    n = _notice(request, slug, notice)
    rendered = services.notice_letter(n, request.build_absolute_uri("/"))
    return render(
        request,
        "remedy/letter.html",
        _letter_context(
            rendered, n.agency, n.reference, reverse("notice_letter_pdf", args=[slug, notice])
        ),
    )


@access("notice.view")
def notice_letter_pdf(request, slug, notice):
    n = _notice(request, slug, notice)
    rendered = services.notice_letter(n, request.build_absolute_uri("/"))
    html = render_to_string(
        "remedy/letter.html", _letter_context(rendered, n.agency, n.reference), request
    )
    return _pdf(
        request, html, f"notice-{n.reference}.pdf", reverse("notice_letter", args=[slug, notice])
    )


@access("notice.issue")
def notice_batch(request, pk):
    system = _system(request, pk, "notice.issue")
    form = BatchForm(request.POST or None, request.FILES or None)
    problems = []
    issued = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            try:
                issued = services.issue_batch(request.user, system, text)
            except services.BatchRefused as exc:
                problems = exc.problems
            except ValidationError as exc:
                apply_errors(form, exc)
            except services.PseudonymKeyMissing:
                form.add_error(
                    "file",
                    _("Identifiers cannot be hashed: the OMBUDS_PSEUDONYM_KEY is not set."),
                )
    return render(
        request,
        "remedy/notice_batch.html",
        {"system": system, "form": form, "problems": problems, "issued": issued},
        status=400 if problems else 200,
    )


@access("remedy.settings")
def appeal_route(request, pk):
    system = _system(request, pk, "remedy.settings")
    route = services.route_of(system)
    initial = {"template_id": route.template_id, "opt_out": route.opt_out} if route else {}
    form = RouteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_route(
                request.user, system, form.cleaned_data["template_id"], form.cleaned_data["opt_out"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("appeal_route", pk=system.pk)
    return render(
        request,
        "remedy/route_form.html",
        {"system": system, "form": form, "gaps": services.route_gaps(system)},
    )


@access("appeal.view")
def appeal_statistics(request, pk):
    system = _system(request, pk, "appeal.view")
    start = services._parse_date(request.GET.get("start", "")) if request.GET.get("start") else None
    end = services._parse_date(request.GET.get("end", "")) if request.GET.get("end") else None
    return render(
        request,
        "remedy/statistics.html",
        {
            "system": system,
            "s": stats.summary(system, start, end),
            "start": start,
            "end": end,
        },
    )


@access("remedy.settings")
def remedy_policy(request, slug):
    agency = _agency(request, slug, "remedy.settings")
    policy = services.policy_of(agency)
    initial = {name: getattr(policy, name) for name in services.POLICY_LIMITS} | {
        "holidays": "\n".join(policy.holidays or []),
        "groups": "\n".join(policy.groups or []),
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_policy(request.user, agency, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("remedy_policy", slug=agency.slug)
    return render(request, "remedy/policy_form.html", {"agency": agency, "form": form})


# --- public ------------------------------------------------------------------------------------


def _refused(request, reason: str, status: int):
    return render(request, "remedy/public/refused.html", {"reason": reason}, status=status)


@access("public")
def public_appeal(request):
    if request.method == "POST":
        refusal = screened(request, HONEYPOT, PUBLIC_MAX_BODY)
        if refusal == "too_large":
            return _refused(
                request,
                _("The appeal is too long to be sent. Please shorten it and send it again."),
                413,
            )
        if refusal == "honeypot":
            return _refused(
                request,
                _(
                    "A field meant to stay empty was filled in, as automated programs do. "
                    "Nothing was sent. If you are a person, please go back and send the appeal "
                    "again."
                ),
                400,
            )
    initial = {"notice_reference": request.GET.get("notice", "")[:40]}
    form = PublicAppealForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            appeal, raw = services.submit_public_appeal(
                form.cleaned_data,
                client_address=client_address(request),
                base_url=request.build_absolute_uri("/"),
            )
        except services.RateLimited as exc:
            response = _refused(
                request,
                _(
                    "Too many appeals were sent from your network in the last hour. Please try "
                    "again in %(minutes)d minutes."
                )
                % {"minutes": max(1, (exc.retry_after + 59) // 60)},
                429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            link = request.build_absolute_uri(services.tracking_path(appeal, raw))
            return private_page(
                render(
                    request, "remedy/public/appeal_received.html", {"appeal": appeal, "link": link}
                )
            )
    return render(
        request,
        "remedy/public/appeal_form.html",
        {"form": form, "honeypot": HONEYPOT},
        status=400 if form.is_bound else 200,
    )


@access("public")
def public_appeal_track(request, appeal_ref, appeal_token):
    if not services.tracking_allowed(client_address(request)):
        response = _refused(
            request, _("Too many look-ups from your network. Please try again in an hour."), 429
        )
        response["Retry-After"] = "3600"
        return response
    appeal = services.find_for_appellant(appeal_ref, appeal_token)
    if appeal is None:
        raise Http404
    steps = [
        AppealState.RECEIVED,
        AppealState.ACKNOWLEDGED,
        AppealState.IN_REVIEW,
        AppealState.DECIDED,
        AppealState.REMEDY_DONE,
        AppealState.CLOSED,
    ]
    if appeal.state == AppealState.WITHDRAWN:
        steps = [AppealState.RECEIVED, AppealState.WITHDRAWN]
    return private_page(
        render(
            request,
            "remedy/public/appeal_status.html",
            {
                "appeal": appeal,
                "steps": [(s, AppealState(s).label, s == appeal.state) for s in steps],
            },
        )
    )
