"""Staff pages of a system's public record: thin views over transparency services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core.models import Agency
from ombuds.core.permissions import access, check_object, has_perm
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import AISystem

from . import services
from .forms import (
    ConsultationForm,
    DocumentForm,
    ErrorAnswerForm,
    GroundForm,
    HandleOptOutForm,
    ModerateForm,
    PolicyForm,
    ReasonForm,
    RecordForm,
    ResponseForm,
)
from .models import (
    TEXT_FIELDS,
    AgencyPolicy,
    CommentStatus,
    Consultation,
    ConsultationComment,
    ConsultationDocument,
    ErrorStatus,
    OptOutRequest,
    OptOutStatus,
    RecordErrorReport,
    RecordStatus,
)


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


@access("record.view")
def record_detail(request, pk):
    system = _system(request, pk, "record.view")
    record = services.record_of(system)
    user = request.user
    return render(
        request,
        "transparency/record_detail.html",
        {
            "system": system,
            "record": record,
            "fields": [(label, getattr(record, name)) for name, label in TEXT_FIELDS],
            "versions": list(record.versions.order_by("-number")) if record.pk else [],
            "can_edit": has_perm(user, "record.edit", system.agency_id),
            "can_publish": has_perm(user, "record.publish", system.agency_id),
            "can_submit": record.pk is not None
            and record.status == RecordStatus.DRAFT
            and record.drafter_id == user.pk,
            "is_submitted": record.status == RecordStatus.SUBMITTED,
            "is_public": record.public_state == "published",
            "reason_form": ReasonForm(),
            "ground_form": GroundForm(),
        },
    )


@access("record.edit")
def record_edit(request, pk):
    system = _system(request, pk, "record.edit")
    record = services.record_of(system)
    form = RecordForm(request.POST or None, initial=RecordForm.initial_from(record))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_draft(request.user, system, form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Submit it when it is ready."))
            return redirect("public_record", pk=system.pk)
    return render(
        request,
        "transparency/record_edit.html",
        {"system": system, "form": form, "first_draft": record.pk is None},
    )


def _act(request, system, action, success: str):
    if request.method != "POST":
        return redirect("public_record", pk=system.pk)
    try:
        action()
    except services.PublicationRefused as exc:
        messages.error(request, exc.detail)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("Your role does not allow this."))
    else:
        messages.success(request, success)
    return redirect("public_record", pk=system.pk)


@access("record.edit")
def record_submit(request, pk):
    system = _system(request, pk, "record.edit")
    return _act(
        request,
        system,
        lambda: services.submit(request.user, system),
        _("Submitted: another governance lead can now publish it."),
    )


@access("record.publish")
def record_publish(request, pk):
    system = _system(request, pk, "record.publish")
    return _act(request, system, lambda: services.publish(request.user, system), _("Published."))


@access("record.publish")
def record_retract(request, pk):
    system = _system(request, pk, "record.publish")
    return _act(
        request,
        system,
        lambda: services.retract(request.user, system, request.POST.get("reason", "")),
        _("Retracted: the public page no longer shows the record."),
    )


@access("record.publish")
def record_withhold(request, pk):
    system = _system(request, pk, "record.publish")
    return _act(
        request,
        system,
        lambda: services.withhold(request.user, system, request.POST.get("legal_ground", "")),
        _("Withheld: the public sees only that the record exists and the legal ground."),
    )


# --- consultations -----------------------------------------------------------------------------


def _consultation(request, pk: int, consultation: int, perm: str):
    system = _system(request, pk, perm)
    found = get_object_or_404(Consultation, pk=consultation, system=system)
    found.system = system
    return system, found


@access("consultation.view")
def consultation_list(request, pk):
    system = _system(request, pk, "consultation.view")
    consultations = Consultation.objects.filter(system=system).annotate(
        pending=Count("comments", filter=Q(comments__status=CommentStatus.PENDING))
    )
    return render(
        request,
        "transparency/consultation_list.html",
        {
            "system": system,
            "consultations": consultations,
            "can_manage": has_perm(request.user, "consultation.manage", system.agency_id),
        },
    )


def _consultation_values(form) -> dict:
    data = dict(form.cleaned_data)
    data["questions"] = data.get("questions", "").splitlines()
    return data


@access("consultation.manage")
def consultation_create(request, pk):
    system = _system(request, pk, "consultation.manage")
    return _consultation_form(request, system, None)


@access("consultation.manage")
def consultation_edit(request, pk, consultation):
    system, found = _consultation(request, pk, consultation, "consultation.manage")
    return _consultation_form(request, system, found)


def _consultation_form(request, system, found):
    """Open a consultation (found is None) or change one: the same form and the same refusals."""
    initial = (
        {
            "title": found.title,
            "description": found.description,
            "opens_on": found.opens_on,
            "closes_on": found.closes_on,
            "questions": "\n".join(found.questions),
        }
        if found is not None
        else None
    )
    form = ConsultationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _consultation_values(form)
        try:
            if found is None:
                found = services.open_consultation(request.user, system, values)
            else:
                services.edit_consultation(request.user, found, values)
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.PublicationRefused as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Consultation saved."))
            return redirect("consultation_detail", pk=system.pk, consultation=found.pk)
    return render(
        request,
        "transparency/consultation_form.html",
        {"system": system, "form": form, "consultation": found},
    )


@access("consultation.view")
def consultation_detail(request, pk, consultation):
    system, found = _consultation(request, pk, consultation, "consultation.view")
    user = request.user
    can_manage = has_perm(user, "consultation.manage", system.agency_id)
    questions = dict(enumerate(found.questions))
    comments = [
        (c, questions.get(c.question) if c.question is not None else None)
        for c in found.comments.order_by("received_at", "id")
    ]
    return render(
        request,
        "transparency/consultation_detail.html",
        {
            "system": system,
            "consultation": found,
            "state": found.state(),
            "comments": comments,
            "documents": found.documents.all(),
            "can_manage": can_manage,
            "can_moderate": has_perm(user, "consultation.moderate", system.agency_id),
            "document_form": DocumentForm(),
            "response_form": ResponseForm(initial={"heard": found.heard, "changed": found.changed}),
            "moderate_form": ModerateForm(),
        },
    )


def _back(system, found):
    return redirect("consultation_detail", pk=system.pk, consultation=found.pk)


@access("consultation.manage")
def consultation_close(request, pk, consultation):
    system, found = _consultation(request, pk, consultation, "consultation.manage")
    if request.method == "POST":
        try:
            services.close_consultation(request.user, found)
        except services.PublicationRefused as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Closed: the public can read it but no longer comment."))
    return _back(system, found)


@access("consultation.manage")
def consultation_document(request, pk, consultation):
    system, found = _consultation(request, pk, consultation, "consultation.manage")
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_document(request.user, found, form.cleaned_data["file"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Document added."))
        else:
            messages.error(request, _("Choose a file to add."))
    return _back(system, found)


def _document(request, pk: int, consultation: int, document: int, perm: str):
    system, found = _consultation(request, pk, consultation, perm)
    doc = get_object_or_404(ConsultationDocument, pk=document, consultation=found)
    doc.consultation = found
    return system, found, doc


@access("consultation.view")
def consultation_document_download(request, pk, consultation, document):
    """Staff open a document whatever the public may see (before opening, record not
    published): the public link answers "not found" then."""
    _s, _c, doc = _document(request, pk, consultation, document, "consultation.view")
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@access("consultation.manage")
def consultation_document_remove(request, pk, consultation, document):
    system, found, doc = _document(request, pk, consultation, document, "consultation.manage")
    if request.method == "POST":
        try:
            services.remove_document(request.user, doc, request.POST.get("reason", ""))
        except ValidationError:
            messages.error(request, _("Say why the document is removed."))
        else:
            messages.success(request, _("Document removed: it is no longer public."))
    return _back(system, found)


@access("consultation.manage")
def consultation_response(request, pk, consultation):
    system, found = _consultation(request, pk, consultation, "consultation.manage")
    if request.method == "POST":
        form = ResponseForm(request.POST)
        if form.is_valid():
            try:
                services.publish_response(
                    request.user, found, form.cleaned_data["heard"], form.cleaned_data["changed"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except services.PublicationRefused as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, _("Response published with the public record."))
        else:
            messages.error(request, _("Write both what you heard and what you changed."))
    return _back(system, found)


@access("consultation.moderate")
def comment_moderate(request, pk, consultation, comment):
    system, found = _consultation(request, pk, consultation, "consultation.moderate")
    item = get_object_or_404(ConsultationComment, pk=comment, consultation=found)
    item.consultation = found
    if request.method == "POST":
        form = ModerateForm(request.POST)
        if form.is_valid():
            try:
                services.moderate(
                    request.user,
                    item,
                    form.cleaned_data["decision"] == "approve",
                    form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except services.PublicationRefused as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, _("Moderation saved."))
        else:
            messages.error(request, _("Choose whether to publish the comment."))
    if request.POST.get("next") == "queue":
        return redirect("moderation_queue", slug=system.agency.slug)
    return _back(system, found)


@access("consultation.moderate")
def comment_unpublish(request, pk, consultation, comment):
    """Take a published comment down again, with a reason: its own, separately audited act."""
    system, found = _consultation(request, pk, consultation, "consultation.moderate")
    item = get_object_or_404(ConsultationComment, pk=comment, consultation=found)
    item.consultation = found
    if request.method == "POST":
        try:
            services.unpublish_comment(request.user, item, request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except services.PublicationRefused as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("The comment is no longer published."))
    return _back(system, found)


def _agency(request, slug: str, perm: str) -> Agency:
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, perm, agency.pk)
    return agency


@access("consultation.moderate")
def moderation_queue(request, slug):
    agency = _agency(request, slug, "consultation.moderate")
    pending = (
        ConsultationComment.objects.filter(
            consultation__system__agency=agency, status=CommentStatus.PENDING
        )
        .select_related("consultation__system")
        .order_by("received_at", "id")
    )
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "transparency/moderation_queue.html",
        {"agency": agency, "page": page, "moderate_form": ModerateForm()},
    )


# --- opt-out requests and record errors --------------------------------------------------------


@access("optout.view")
def optout_queue(request, slug):
    agency = _agency(request, slug, "optout.view")
    status = request.GET.get("status", "received")
    qs = OptOutRequest.objects.filter(system__agency=agency).select_related("system")
    if status in OptOutStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = Paginator(qs.order_by("received_at", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "transparency/optout_queue.html",
        {
            "agency": agency,
            "page": page,
            "status": status,
            "statuses": OptOutStatus.choices,
            "now": timezone.now(),
        },
    )


@access("optout.view")
def optout_detail(request, pk, optout):
    system = _system(request, pk, "optout.view")
    item = get_object_or_404(OptOutRequest, pk=optout, system=system)
    item.system = system
    can_handle = has_perm(request.user, "optout.handle", system.agency_id)
    form = HandleOptOutForm(request.POST or None)
    if request.method == "POST":
        check_object(request.user, "optout.handle", system.agency_id)
        if form.is_valid():
            try:
                services.handle_opt_out(request.user, item, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except services.PublicationRefused as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Saved: the person can see the outcome."))
                return redirect("optout_detail", pk=system.pk, optout=item.pk)
    return render(
        request,
        "transparency/optout_detail.html",
        {
            "system": system,
            "item": item,
            "form": form,
            "can_handle": can_handle and item.status == OptOutStatus.RECEIVED,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@access("record.edit")
def record_error_list(request, slug):
    agency = _agency(request, slug, "record.edit")
    status = request.GET.get("status", "received")
    qs = RecordErrorReport.objects.filter(system__agency=agency).select_related("system")
    if status in ErrorStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = Paginator(qs.order_by("received_at", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "transparency/record_error_list.html",
        {"agency": agency, "page": page, "status": status, "statuses": ErrorStatus.choices},
    )


@access("record.edit")
def record_error_detail(request, pk, recorderror):
    system = _system(request, pk, "record.edit")
    item = get_object_or_404(RecordErrorReport, pk=recorderror, system=system)
    item.system = system
    form = ErrorAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_record_error(
                request.user, item, form.cleaned_data["status"], form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.PublicationRefused as exc:
            messages.error(request, exc.detail)
            return redirect("record_error_detail", pk=system.pk, recorderror=item.pk)
        else:
            messages.success(request, _("Answer saved: the person can read it."))
            return redirect("record_error_detail", pk=system.pk, recorderror=item.pk)
    return render(
        request,
        "transparency/record_error_detail.html",
        {
            "system": system,
            "item": item,
            "form": form,
            "can_answer": item.status == ErrorStatus.RECEIVED,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the agency's AI policy --------------------------------------------------------------------


@access("agency.brand")
def agency_policy(request, slug):
    agency = _agency(request, slug, "agency.brand")
    policy = AgencyPolicy.objects.filter(agency=agency).first()
    initial = {}
    if policy is not None:
        initial = {"text": policy.text, "optout_days": policy.optout_days}
        for lang, text in (policy.translations or {}).items():
            initial[f"text_{lang}"] = text
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_policy(request.user, agency, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("AI policy saved: it shows on the agency's public page."))
            return redirect("agency_policy", slug=agency.slug)
    return render(request, "transparency/agency_policy.html", {"agency": agency, "form": form})
