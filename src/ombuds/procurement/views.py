"""Staff pages of procurement (thin: the rules are in services) and the vendor's secret-link page."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ombuds.core.models import Agency
from ombuds.core.permissions import access, check_object, has_perm
from ombuds.registry.models import AISystem

from . import content, forms, services
from .controls import state_label, vendor_assured_state
from .models import (
    REVIEW_CHECKS,
    STAGE_ORDER,
    Answer,
    AnswerStatus,
    Bid,
    Claim,
    Evidence,
    Procurement,
    Review,
    Stage,
    Vendor,
)

log = logging.getLogger("ombuds.procurement")


def _agency(request, slug: str, perm: str) -> Agency:
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, perm, agency.pk)
    return agency


def _procurement(request, slug: str, procurement: int, perm: str) -> Procurement:
    agency = _agency(request, slug, perm)
    return get_object_or_404(
        Procurement.objects.select_related("agency", "awarded_bid"), agency=agency, pk=procurement
    )


def _bid(p: Procurement, bid: int) -> Bid:
    return get_object_or_404(Bid.objects.select_related("vendor"), procurement=p, pk=bid)


def _claim(p: Procurement, claim: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("bid__vendor"), bid__procurement=p, pk=claim
    )


def _detail(p: Procurement):
    return redirect("procurement_detail", slug=p.agency.slug, procurement=p.pk)


def _refused(request, exc: services.Refused) -> None:
    messages.error(request, exc.detail)


# --- vendors and procurements ----------------------------------------------------------------


@access("procurement.view")
@require_http_methods(["GET", "POST"])
def vendor_list(request, slug):
    agency = _agency(request, slug, "procurement.view")
    form = forms.VendorForm(request.POST or None)
    if request.method == "POST":
        check_object(request.user, "procurement.edit", agency.pk)
        if form.is_valid():
            try:
                services.create_vendor(request.user, agency, form.cleaned_data)
            except ValidationError as exc:
                forms.apply_errors(form, exc)
            else:
                messages.success(request, _("Vendor added."))
                return redirect("vendor_list", slug=agency.slug)
    return render(
        request,
        "procurement/vendor_list.html",
        {
            "agency": agency,
            "vendors": Vendor.objects.filter(agency=agency),
            "form": form,
            "can_edit": has_perm(request.user, "procurement.edit", agency.pk),
        },
    )


@access("procurement.view")
@require_http_methods(["GET", "POST"])
def procurement_list(request, slug):
    agency = _agency(request, slug, "procurement.view")
    systems = AISystem.objects.filter(agency=agency)
    form = forms.ProcurementForm(request.POST or None, systems=systems)
    if request.method == "POST":
        check_object(request.user, "procurement.edit", agency.pk)
        if form.is_valid():
            try:
                p = services.create_procurement(request.user, agency, form.cleaned_data)
            except ValidationError as exc:
                forms.apply_errors(form, exc)
            else:
                messages.success(request, _("Procurement created."))
                return _detail(p)
    return render(
        request,
        "procurement/procurement_list.html",
        {
            "agency": agency,
            "procurements": Procurement.objects.filter(agency=agency).prefetch_related("systems"),
            "form": form,
            "can_edit": has_perm(request.user, "procurement.edit", agency.pk),
        },
    )


@access("procurement.view")
def procurement_detail(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.view")
    here = STAGE_ORDER.index(p.stage)
    following = STAGE_ORDER[here + 1] if here + 1 < len(STAGE_ORDER) else None
    bids = list(services.bids_with_state(p))
    return render(
        request,
        "procurement/procurement_detail.html",
        {
            "p": p,
            "agency": p.agency,
            "stages": [
                (code, label, i < here, i == here) for i, (code, label) in enumerate(Stage.choices)
            ],
            "next_stage": following,
            "next_label": dict(Stage.choices).get(following, ""),
            "bids": [
                {"bid": b, "dd": services.due_diligence_state(b), "claims": b.claim_count}
                for b in bids
            ],
            "bid_form": forms.BidForm(vendors=Vendor.objects.filter(agency=p.agency)),
            "systems": [
                {"system": s, "state": state_label(st), "missing": missing}
                for s in p.systems.all()
                for st, missing in [vendor_assured_state(s)]
            ],
            "level": services.procurement_level(p),
            "can_edit": has_perm(request.user, "procurement.edit", p.agency_id),
            "datasets": p.datasets.all(),
            "dataset_form": forms.DatasetForm(),
            "can_verify": has_perm(request.user, "claim.verify", p.agency_id),
        },
    )


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def procurement_stage(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.edit")
    if request.method == "POST":
        to = request.POST.get("to", "")
        move = services.MOVES.get(to)
        try:
            if to == Stage.AWARD:
                raise services.Refused(_("Award a bid from the list of bids."), "award")
            if move is None:
                raise services.Refused(_("Choose a stage."), "stage")
            move(request.user, p)
        except services.Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Stage changed."))
    return _detail(p)


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def bid_add(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.edit")
    if request.method == "POST":
        form = forms.BidForm(request.POST, vendors=Vendor.objects.filter(agency=p.agency))
        if form.is_valid():
            try:
                services.add_bid(request.user, p, form.cleaned_data["vendor"], form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            except services.Refused as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("Bid recorded."))
        else:
            messages.error(request, _("Choose a vendor and give a valid price."))
    return _detail(p)


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def bid_award(request, slug, procurement, bid):
    p = _procurement(request, slug, procurement, "procurement.edit")
    b = _bid(p, bid)
    if request.method == "POST":
        try:
            services.award(request.user, p, b)
        except (services.Refused, ValidationError) as exc:
            messages.error(request, getattr(exc, "detail", None) or "; ".join(exc.messages))
        else:
            messages.success(request, _("Awarded to %(v)s.") % {"v": b.vendor.name})
    return _detail(p)


# --- due diligence ---------------------------------------------------------------------------


def _dd_context(request, p, b, **extra):
    request_ = getattr(b, "due_diligence", None)
    rows = []
    if request_ is not None:
        q = services.questionnaire_of(request_)
        answers = {a.question_id: a for a in request_.answers.prefetch_related("files")}
        for section in q.sections:
            rows.append(
                {
                    "section": section,
                    "items": [
                        {
                            "question": qq,
                            "answer": answers.get(qq.id),
                            "form": forms.AnswerReviewForm(prefix=f"a{answers[qq.id].pk}")
                            if qq.id in answers
                            else None,
                        }
                        for qq in section.questions
                    ],
                }
            )
    return {
        "p": p,
        "agency": p.agency,
        "bid": b,
        "request_": request_,
        "state": services.due_diligence_state(b),
        "rows": rows,
        "send_form": forms.SendLinkForm(),
        "card_form": forms.CardImportForm(),
        "cards": b.cards.all(),
        "claims": b.claims.all(),
        "claim_form": forms.ClaimForm(),
        "can_edit": has_perm(request.user, "procurement.edit", p.agency_id),
        **extra,
    }


@access("procurement.view")
def due_diligence(request, slug, procurement, bid):
    p = _procurement(request, slug, procurement, "procurement.view")
    b = _bid(p, bid)
    return render(request, "procurement/due_diligence.html", _dd_context(request, p, b))


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def due_diligence_send(request, slug, procurement, bid):
    p = _procurement(request, slug, procurement, "procurement.edit")
    b = _bid(p, bid)
    if request.method == "POST":
        form = forms.SendLinkForm(request.POST)
        if form.is_valid():
            _req, raw = services.send_due_diligence(request.user, b, form.cleaned_data["days"])
            link = request.build_absolute_uri(reverse("vendor_request", args=[raw]))
            b.refresh_from_db()
            return render(
                request, "procurement/due_diligence.html", _dd_context(request, p, b, new_link=link)
            )
        messages.error(request, _("Give a number of days from 1 to 180."))
    return redirect("procurement_due_diligence", slug=slug, procurement=p.pk, bid=b.pk)


@access("procurement.view")
def evidence_download(request, slug, procurement, bid, evidence):
    """A file a vendor sent, for staff who may see the procurement; never shown inline."""
    p = _procurement(request, slug, procurement, "procurement.view")
    b = _bid(p, bid)
    found = get_object_or_404(Evidence, answer__request__bid=b, pk=evidence)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=found.original_name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def answer_review(request, slug, procurement, bid, answer):
    p = _procurement(request, slug, procurement, "procurement.edit")
    b = _bid(p, bid)
    a = get_object_or_404(Answer, request__bid=b, pk=answer)
    if request.method == "POST":
        form = forms.AnswerReviewForm(request.POST, prefix=f"a{a.pk}")
        if form.is_valid():
            try:
                services.review_answer(
                    request.user, a, form.cleaned_data["status"], form.cleaned_data["notes"]
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            except services.Refused as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("Review saved."))
        else:
            messages.error(request, _("Choose a decision."))
    url = reverse("procurement_due_diligence", args=[slug, p.pk, b.pk])
    return redirect(f"{url}#q-{a.question_id}")


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def card_import(request, slug, procurement, bid):
    p = _procurement(request, slug, procurement, "procurement.edit")
    b = _bid(p, bid)
    if request.method == "POST":
        form = forms.CardImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                raw = upload.read(2_000_001)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise ValidationError({"card": _("The card is not UTF-8 text.")}) from None
                card = services.import_card(
                    request.user, b, form.cleaned_data["kind"], text, upload.name or ""
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                if card.missing:
                    messages.warning(
                        request,
                        _("Card imported; missing sections: %(m)s.")
                        % {"m": ", ".join(card.missing)},
                    )
                else:
                    messages.success(request, _("Card imported; no expected section is missing."))
        else:
            messages.error(request, _("Choose the card kind and a file."))
    return redirect("procurement_due_diligence", slug=slug, procurement=p.pk, bid=b.pk)


# --- claims -----------------------------------------------------------------------------------


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def claim_add(request, slug, procurement, bid):
    p = _procurement(request, slug, procurement, "procurement.edit")
    b = _bid(p, bid)
    if request.method == "POST":
        form = forms.ClaimForm(request.POST)
        if form.is_valid():
            try:
                c = services.add_claim(request.user, b, form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                messages.success(request, _("Claim recorded."))
                return redirect("procurement_claim", slug=slug, procurement=p.pk, claim=c.pk)
        else:
            messages.error(
                request,
                "; ".join(
                    f"{form.fields[f].label}: {' '.join(e)}"
                    for f, e in form.errors.items()
                    if f in form.fields
                ),
            )
    return redirect("procurement_due_diligence", slug=slug, procurement=p.pk, bid=b.pk)


def _claim_context(request, p, c, verify_form=None, accept_form=None):
    return {
        "p": p,
        "agency": p.agency,
        "claim": c,
        "verifications": c.verifications.select_related("dataset", "by"),
        "verify_form": verify_form
        or forms.VerifyForm(
            datasets=p.datasets.all(),
            initial={
                "by": c.protected_attribute if c.every_group else "",
                "score" if c.metric == "auc" else "prediction": c.bid.prediction_column,
            },
        ),
        "accept_form": accept_form or forms.AcceptForm(),
        "can_verify": has_perm(request.user, "claim.verify", p.agency_id),
        "can_edit": has_perm(request.user, "procurement.edit", p.agency_id),
        "has_data": p.datasets.exists(),
    }


@access("procurement.view")
def claim_detail(request, slug, procurement, claim):
    p = _procurement(request, slug, procurement, "procurement.view")
    c = _claim(p, claim)
    return render(request, "procurement/claim_detail.html", _claim_context(request, p, c))


@access("claim.verify")
@require_http_methods(["GET", "POST"])
def claim_verify(request, slug, procurement, claim):
    p = _procurement(request, slug, procurement, "claim.verify")
    c = _claim(p, claim)
    if request.method != "POST":
        return redirect("procurement_claim", slug=slug, procurement=p.pk, claim=c.pk)
    form = forms.VerifyForm(request.POST, datasets=p.datasets.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            v = services.verify_claim(
                request.user,
                c,
                data["dataset"],
                prediction=data["prediction"],
                score=data["score"],
                threshold=data["threshold"],
                by=data["by"],
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        except services.Refused as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Verdict: %(v)s.") % {"v": v.get_verdict_display()})
            return redirect("procurement_claim", slug=slug, procurement=p.pk, claim=c.pk)
    return render(
        request,
        "procurement/claim_detail.html",
        _claim_context(request, p, c, verify_form=form),
        status=422,
    )


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def claim_accept(request, slug, procurement, claim):
    p = _procurement(request, slug, procurement, "procurement.edit")
    c = _claim(p, claim)
    if request.method != "POST":
        return redirect("procurement_claim", slug=slug, procurement=p.pk, claim=c.pk)
    form = forms.AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.accept_claim(request.user, c, form.cleaned_data["justification"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        except services.Refused as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Claim accepted with the justification given."))
            return redirect("procurement_claim", slug=slug, procurement=p.pk, claim=c.pk)
    return render(
        request,
        "procurement/claim_detail.html",
        _claim_context(request, p, c, accept_form=form),
        status=422,
    )


@access("claim.verify")
@require_http_methods(["GET", "POST"])
def dataset_upload(request, slug, procurement):
    p = _procurement(request, slug, procurement, "claim.verify")
    if request.method == "POST":
        form = forms.DatasetForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.upload_dataset(
                    request.user, p, form.cleaned_data["file"], form.cleaned_data["label_column"]
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                messages.success(request, _("Test data uploaded."))
        else:
            messages.error(request, _("Choose a file and name the label column."))
    return _detail(p)


@access("procurement.view")
def comparison(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.view")
    return render(
        request,
        "procurement/comparison.html",
        {"p": p, "agency": p.agency, "rows": services.comparison(p)},
    )


# --- clauses ----------------------------------------------------------------------------------


@access("procurement.view")
@require_http_methods(["GET", "POST"])
def clauses(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.view")
    chosen = {s.clause_id: s.values for s in p.clauses.all()}
    required = {c.id for c in services.required_clauses(p)}
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict] = {}
    if request.method == "POST":
        check_object(request.user, "procurement.edit", p.agency_id)
        selected = request.POST.getlist("clause")
        posted = {
            c.id: {prm.name: request.POST.get(f"{c.id}.{prm.name}", "") for prm in c.parameters}
            for c in content.clauses().values()
        }
        try:
            services.select_clauses(request.user, p, selected, posted)
        except ValidationError as exc:
            errors = exc.message_dict
            chosen = {cid: posted.get(cid, {}) for cid in selected}
        except services.Refused as exc:
            _refused(request, exc)
            return redirect("procurement_clauses", slug=slug, procurement=p.pk)
        else:
            messages.success(request, _("Clauses saved."))
            return redirect("procurement_clauses", slug=slug, procurement=p.pk)
    items = []
    for clause in content.clauses().values():
        values = chosen.get(clause.id) or clause.defaults()
        items.append(
            {
                "clause": clause,
                "selected": clause.id in chosen,
                "required": clause.id in required,
                "params": [
                    {
                        "param": prm,
                        "name": f"{clause.id}.{prm.name}",
                        "value": values.get(prm.name, prm.default),
                        "errors": errors.get(f"{clause.id}.{prm.name}", []),
                    }
                    for prm in clause.parameters
                ],
            }
        )
    flat = [(k, m) for k, ms in errors.items() for m in ms]
    return render(
        request,
        "procurement/clauses.html",
        {
            "p": p,
            "agency": p.agency,
            "items": items,
            "errors": flat,
            "level": services.procurement_level(p),
            "can_edit": has_perm(request.user, "procurement.edit", p.agency_id),
        },
        status=422 if errors else 200,
    )


def _pack_context(p):
    return {
        "p": p,
        "agency": p.agency,
        "pack": services.clause_pack(p),
        "level": services.procurement_level(p),
        "today": timezone.localdate(),
    }


@access("procurement.view")
def clause_pack(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.view")
    return render(request, "procurement/clause_pack.html", _pack_context(p))


@access("procurement.view")
def clause_pack_markdown(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.view")
    response = HttpResponse(services.pack_markdown(p), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clauses-{p.pk}.md"'
    return response


@access("procurement.view")
def clause_pack_pdf(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.view")
    html = render_to_string(
        "procurement/clause_pack_print.html", {**_pack_context(p), "pdf": True}, request
    )
    try:
        from weasyprint import HTML  # heavy, and needs the system's Pango: only when asked
    except (ImportError, OSError) as exc:
        log.warning("PDF unavailable: %s", exc)
        return render(
            request,
            "procurement/pack_unavailable.html",
            {"p": p, "agency": p.agency, "reason": str(exc).splitlines()[0] if str(exc) else ""},
            status=503,
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="clauses-{p.pk}.pdf"'
    return response


# --- post-award reviews -----------------------------------------------------------------------


@access("procurement.view")
def reviews(request, slug, procurement):
    p = _procurement(request, slug, procurement, "procurement.view")
    return render(
        request,
        "procurement/reviews.html",
        {
            "p": p,
            "agency": p.agency,
            "reviews": [
                {
                    "review": r,
                    "checks": [
                        (label, bool(r.checks.get(key))) for key, label in REVIEW_CHECKS.items()
                    ],
                }
                for r in p.reviews.select_related("reviewed_by")
            ],
            "form": forms.ReviewForm(),
            "can_edit": has_perm(request.user, "procurement.edit", p.agency_id),
        },
    )


@access("procurement.edit")
@require_http_methods(["GET", "POST"])
def review_record(request, slug, procurement, review):
    p = _procurement(request, slug, procurement, "procurement.edit")
    r = get_object_or_404(Review, procurement=p, pk=review)
    if request.method == "POST":
        form = forms.ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_review(request.user, r, data, data["outcome"], data["notes"])
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            except services.Refused as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("Review recorded; the next one is scheduled."))
        else:
            messages.error(request, _("Choose an outcome."))
    return redirect("procurement_reviews", slug=slug, procurement=p.pk)


# --- the vendor's page (no account) -----------------------------------------------------------


@access("public")
@require_http_methods(["GET", "POST"])
def vendor_request(request, vendor_token):
    """Only the request this token opens; a wrong or expired token is the same 404."""
    found = services.find_request(vendor_token)
    if found is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    saved = False
    if request.method == "POST":
        texts = {k[2:]: v for k, v in request.POST.items() if k.startswith("q-")}
        files = {k[2:]: request.FILES.getlist(k) for k in request.FILES if k.startswith("f-")}
        try:
            done = services.vendor_answer(found, texts, files)
        except ValidationError as exc:
            errors = exc.message_dict
        except services.Refused:
            raise Http404 from None
        else:
            saved = bool(done)
    q = services.questionnaire_of(found)
    answers = {a.question_id: a for a in found.answers.prefetch_related("files")}
    sections = [
        {
            "section": s,
            "items": [
                {
                    "question": qq,
                    "answer": answers.get(qq.id),
                    "errors": errors.get(qq.id, []),
                    "posted": request.POST.get(f"q-{qq.id}", "") if errors else "",
                }
                for qq in s.questions
            ],
        }
        for s in q.sections
    ]
    flat = [(qid, m) for qid, ms in errors.items() for m in ms]
    response = render(
        request,
        "procurement/public/vendor_request.html",
        {
            "req": found,
            "q": q,
            "sections": sections,
            "errors": flat,
            "saved": saved,
            "open_count": sum(1 for a in answers.values() if a.open_to_vendor),
            "statuses": AnswerStatus,
            "max_files_question": services.MAX_FILES_PER_QUESTION,
            "max_files_request": services.MAX_FILES_PER_REQUEST,
        },
        status=422 if errors else 200,
    )
    # The token is in the URL: never send it to another site (but keep Origin for CSRF).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response
