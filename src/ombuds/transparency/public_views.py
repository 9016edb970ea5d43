"""The public register: published snapshots only, each page with a JSON twin.

Nothing here reads a draft or a non-public field of a system: every value shown comes from a
published version's snapshot, plus the system's current stage (so a suspension shows at once)
and the agency's public name."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ombuds.assessments.models import Decision
from ombuds.core.intake import client_address, private_page, screened
from ombuds.core.models import Agency
from ombuds.core.permissions import access
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import DEMOGRAPHIC_FEATURES, Sector, Stage

from . import notify, sections, services
from .forms import HONEYPOT, CommentForm, OptOutForm, RecordErrorForm
from .models import (
    TEXT_FIELDS,
    AgencyPolicy,
    CommentStatus,
    Consultation,
    ConsultationDocument,
    OptOutRequest,
    PublicRecord,
    PublicRecordVersion,
    RecordErrorReport,
    VersionKind,
)

PAGE_SIZE = 25
SORTS = {
    "name": ("current__name", "id"),
    "-name": ("-current__name", "-id"),
    "published": ("current__at", "id"),
    "-published": ("-current__at", "-id"),
    "agency": ("system__agency__name", "current__name", "id"),
}
REGISTER_SCHEMA = "ombuds.public-register/1"
CSV_COLUMNS = [
    "id",
    "name",
    "agency",
    "agency_name",
    "country",
    "sector",
    "stage",
    "high_impact",
    "impact_level",
    "decision",
    "monitoring",
    *[name for name, _label in TEXT_FIELDS],
    "last_reviewed",
    "version",
    "published_at",
    "url",
]


def _published():
    return PublicRecord.objects.filter(current__kind=VersionKind.PUBLISHED).select_related(
        "current", "system__agency"
    )


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code or "")


def item(record: PublicRecord, request=None) -> dict[str, Any]:
    """One published record as the public sees it (the JSON twin's shape)."""
    version = record.current
    snap = version.snapshot
    system = snap.get("system", {})
    stage = record.system.stage
    url = reverse("public_system", args=[record.system_id])
    labels = dict(DEMOGRAPHIC_FEATURES)
    return {
        "id": record.system_id,
        "name": system.get("name", ""),
        "agency": {
            "slug": record.system.agency.slug,
            "name": record.system.agency.name,
            "country": record.system.agency.country,
        },
        "sector": system.get("sector", ""),
        "sector_label": _label(Sector, system.get("sector")),
        "stage": stage,
        "stage_label": _label(Stage, stage),
        "stage_at_publication": system.get("stage"),
        "suspended": stage == Stage.SUSPENDED,
        "high_impact": system.get("high_impact"),
        "impact": system.get("impact"),
        # Published since the exports' fixes; None in older snapshots (exports report that).
        "presumed_high_impact": system.get("presumed_high_impact"),
        "eu_annex_iii_area": system.get("eu_annex_iii_area"),
        "approved_assessments": system.get("approved_assessments"),
        "deployed_on": system.get("deployed_on"),
        "impact_level": snap.get("assessment", {}).get("impact_level"),
        "decision": snap.get("assessment", {}).get("decision"),
        "decision_label": _label(Decision, snap.get("assessment", {}).get("decision"))
        if snap.get("assessment", {}).get("decision")
        else None,
        "monitoring": snap.get("monitoring"),
        "bias_audits": [
            {**a, "characteristic_label": str(labels.get(a["characteristic"], a["characteristic"]))}
            for a in snap.get("bias_audits", [])
        ],
        "min_group_size": snap.get("min_group_size"),
        "fields": snap.get("fields", {}),
        # What it does, in the visitor's language when translated (lists show it).
        "summary": dict(zip(("text", "language"), localised(snap, "what_it_does"), strict=True)),
        "last_reviewed": snap.get("last_reviewed"),
        "version": version.number,
        "published_at": version.at.isoformat(),
        "url": request.build_absolute_uri(url) if request is not None else url,
    }


def _wants_json(request) -> bool:
    return request.GET.get("format") == "json"


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _filtered(request):
    qs = _published()
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if q:
        qs = qs.filter(Q(current__name__icontains=q) | Q(current__what_it_does__icontains=q))
    agency = request.GET.get("agency", "").strip()
    if agency:
        qs = qs.filter(system__agency__slug=agency)
    country = request.GET.get("country", "").strip().upper()
    if country:
        qs = qs.filter(system__agency__country=country)
    sector = request.GET.get("sector", "").strip()
    if sector:
        qs = qs.filter(current__sector=sector)
    stage = request.GET.get("stage", "").strip()
    if stage:
        qs = qs.filter(system__stage=stage)
    high = request.GET.get("high_impact", "").strip()
    if high in ("yes", "no"):
        qs = qs.filter(current__high_impact=(high == "yes"))
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    filters = {
        "q": q,
        "agency": agency,
        "country": country,
        "sector": sector,
        "stage": stage,
        "high_impact": high if high in ("yes", "no") else "",
        "sort": sort,
    }
    return qs.order_by(*SORTS[sort]), filters


@access("public")
def register(request):
    qs, filters = _filtered(request)
    # Sort and slice ids only, then fetch the page's 25 rows with their snapshots: sorting
    # whole rows (snapshot JSON included) made deep pages of a large register slow.
    page = Paginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _published().in_bulk(list(page.object_list))
    records = [rows[pk] for pk in page.object_list if pk in rows]
    items = [item(r, request if _wants_json(request) else None) for r in records]
    if _wants_json(request):
        return _json(
            {
                "schema": REGISTER_SCHEMA,
                "filters": filters,
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "items": items,
            }
        )
    keep = {k: v for k, v in filters.items() if v}
    query = urlencode(keep)
    return render(
        request,
        "transparency/public/register.html",
        {
            "page": page,
            "items": items,
            "filters": filters,
            "query": query,
            "agencies": Agency.objects.filter(
                systems__public_record__current__kind=VersionKind.PUBLISHED
            )
            .distinct()
            .order_by("name"),
            "countries": sorted(
                set(
                    Agency.objects.filter(
                        systems__public_record__current__kind=VersionKind.PUBLISHED
                    )
                    .exclude(country="")
                    .values_list("country", flat=True)
                )
            ),
            "page_language": page_language(),
            "sectors": Sector.choices,
            "stages": Stage.choices,
            "sorts": [
                ("name", _("Name (A–Z)")),
                ("-name", _("Name (Z–A)")),
                ("-published", _("Newest first")),
                ("published", _("Oldest first")),
                ("agency", _("Agency")),
            ],
        },
    )


def _history(record: PublicRecord) -> list[dict[str, Any]]:
    return [
        {
            "version": v.number,
            "kind": v.kind,
            "kind_label": str(v.get_kind_display()),
            "at": v.at.isoformat(),
            "reason": v.reason if v.kind != VersionKind.PUBLISHED else "",
        }
        for v in record.versions.order_by("-number")
    ]


@access("public")
def system_page(request, system_id):
    record = (
        PublicRecord.objects.select_related("current", "system__agency")
        .filter(system_id=system_id)
        .first()
    )
    state = record.public_state if record is not None else ""
    if state not in (VersionKind.PUBLISHED, VersionKind.WITHHELD):
        raise Http404
    agency = record.system.agency
    if state == VersionKind.WITHHELD:
        data = {
            "schema": "ombuds.public-record/1",
            "id": record.system_id,
            "withheld": True,
            "legal_ground": record.current.snapshot.get("legal_ground", ""),
            "agency": {"slug": agency.slug, "name": agency.name, "country": agency.country},
        }
        if _wants_json(request):
            return _json(data)
        return render(request, "transparency/public/withheld.html", {"data": data})
    data = {"schema": "ombuds.public-record/1", **item(record, request)}
    data["history"] = _history(record)
    snap = record.current.snapshot
    fields = localised_fields(snap)
    data["language"] = snap.get("language", services.original_language())
    data["translations"] = snap.get("translations", {})
    offered = bool(snap.get("opt_out_available") or snap.get("human_alternative_available"))
    counts = services.optout_counts(record.system)
    data["opt_out"] = {
        "opt_out_available": bool(snap.get("opt_out_available")),
        "human_alternative_available": bool(snap.get("human_alternative_available")),
        "requests_received": counts["received"],
        "requests_honoured": counts["honoured"],
        "request_url": request.build_absolute_uri(reverse("public_optout", args=[record.system_id]))
        if offered
        else None,
    }
    consultations = list(services.public_consultations(record.system))
    data["consultations"] = [consultation_item(c, request) for c in consultations]
    extra = sections.collect(record.system, request)
    data["sections"] = {s["name"]: {"heading": s["heading"], "data": s["data"]} for s in extra}
    if _wants_json(request):
        return _json(data)
    return render(
        request,
        "transparency/public/system.html",
        {
            "data": data,
            "fields": fields,
            "report_url": reverse("public_report"),
            "error_url": reverse("public_record_error", args=[record.system_id]),
            "optout_url": reverse("public_optout", args=[record.system_id]) if offered else "",
            "consultations": consultations,
            "sections": extra,
            "history": record.versions.order_by("-number"),
        },
    )


def page_language() -> str:
    """The language the page is served in (its `<html lang>`), as a base code."""
    return (get_language() or services.original_language()).split("-")[0]


def localised(snap: dict, name: str) -> tuple[str, str]:
    """One plain-language field of a snapshot in the visitor's language when a translation
    exists, else in the original: (text, the language it is in, for the `lang` attribute)."""
    original = snap.get("language") or services.original_language()
    want = page_language()
    if want != original:
        text = ((snap.get("translations") or {}).get(want) or {}).get(name)
        if text:
            return text, want
    return snap.get("fields", {}).get(name, ""), original


def localised_fields(snap: dict) -> list[dict[str, str]]:
    """Each plain-language field as `localised` finds it, with its label."""
    found = []
    for name, label in TEXT_FIELDS:
        value, lang = localised(snap, name)
        found.append({"name": name, "label": label, "value": value, "lang": lang})
    return found


def consultation_item(c: Consultation, request=None) -> dict[str, Any]:
    url = reverse("public_consultation", args=[c.system_id, c.pk])
    return {
        "id": c.pk,
        "title": c.title,
        "state": c.state(),
        "opens_on": c.opens_on.isoformat(),
        "closes_on": c.closes_on.isoformat(),
        "url": request.build_absolute_uri(url) if request is not None else url,
        "response": {
            "what_we_heard": c.heard,
            "what_we_changed": c.changed,
            "published_at": c.response_published_at.isoformat(),
        }
        if c.response_published_at
        else None,
    }


# --- consultations, record errors, opt-out: the public's side -----------------------------------

# A comment or request is a few kilobytes: a bigger body is refused before it is parsed.
PUBLIC_MAX_BODY = 64 * 1024


def _refused(request, reason: str, back: str, status: int) -> HttpResponse:
    return render(
        request,
        "transparency/public/refused.html",
        {"reason": reason, "back": back},
        status=status,
    )


def _screen(request, back: str) -> HttpResponse | None:
    """Refuse an oversize body or a filled honeypot before anything is read."""
    refusal = screened(request, HONEYPOT, PUBLIC_MAX_BODY)
    if refusal == "too_large":
        return _refused(
            request,
            _("What you sent is too long. Please shorten it and send it again."),
            back,
            413,
        )
    if refusal == "honeypot":
        return _refused(
            request,
            _(
                "A field meant to stay empty was filled in, as automated programs do. Nothing "
                "was sent. If you are a person, please go back and send it again."
            ),
            back,
            400,
        )
    return None


def _rate_refused(request, exc: services.RateLimited, back: str) -> HttpResponse:
    if exc.scope == "address":
        reason = _(
            "Too much was sent from your network in the last hour. Please try again in "
            "%(minutes)d minutes; nothing sent earlier was lost."
        ) % {"minutes": max(1, (exc.retry_after + 59) // 60)}
    else:
        reason = _("This consultation is receiving unusually many comments. Please try later.")
    response = _refused(request, reason, back, 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _public_system(system_id: int):
    system = services.published_system(system_id)
    if system is None:
        raise Http404
    return system


@access("public")
def consultation_page(request, system_id, consultation):
    system = _public_system(system_id)
    found = get_object_or_404(
        services.public_consultations(system).prefetch_related("documents"), pk=consultation
    )
    back = request.path
    is_open = found.is_open()
    form = CommentForm(questions=found.questions)
    if request.method == "POST":
        if not is_open:
            return _refused(
                request, _("This consultation is closed: it no longer takes comments."), back, 409
            )
        screened = _screen(request, back)
        if screened is not None:
            return screened
        form = CommentForm(request.POST, questions=found.questions)
        if form.is_valid():
            try:
                services.submit_comment(
                    found,
                    answers=form.answers(),
                    name=form.cleaned_data["name"],
                    show_name=form.cleaned_data["show_name"],
                    client_address=client_address(request),
                )
            except services.RateLimited as exc:
                return _rate_refused(request, exc, back)
            except services.PublicationRefused as exc:
                return _refused(request, exc.detail, back, 409)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return render(
                    request,
                    "transparency/public/comment_received.html",
                    {"system": system, "consultation": found},
                )
    questions = dict(enumerate(found.questions))
    approved = [
        {
            "question": questions.get(c.question) if c.question is not None else None,
            "text": c.text,
            "name": c.name if c.show_name else "",
            "at": c.received_at.date().isoformat(),
        }
        for c in found.comments.filter(status=CommentStatus.APPROVED).order_by("received_at", "id")
    ]
    data = {
        "schema": "ombuds.public-consultation/1",
        "system": {"id": system.pk, "name": _system_name(system)},
        **consultation_item(found, request),
        "description": found.description,
        "questions": found.questions,
        "documents": [
            {
                "name": d.original_name,
                "size": d.size,
                "url": request.build_absolute_uri(
                    reverse("public_consultation_document", args=[system.pk, found.pk, d.pk])
                ),
            }
            for d in found.documents.all()
        ],
        "comments": approved,
    }
    if _wants_json(request) and request.method == "GET":
        return _json(data)
    return render(
        request,
        "transparency/public/consultation.html",
        {
            "data": data,
            "consultation": found,
            "is_open": is_open,
            "form": form,
            "honeypot": HONEYPOT,
        },
        status=400 if form.is_bound else 200,
    )


def _system_name(system) -> str:
    record = PublicRecord.objects.select_related("current").get(system=system)
    return record.current.snapshot.get("system", {}).get("name", "")


@access("public")
def consultation_document(request, system_id, consultation, document):
    system = _public_system(system_id)
    found = get_object_or_404(services.public_consultations(system), pk=consultation)
    doc = get_object_or_404(ConsultationDocument, pk=document, consultation=found)
    response = FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=doc.original_name,
        content_type=doc.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _public_form(request, system, form, template: str, send, status_path) -> HttpResponse:
    """An error report or opt-out request: screened, sent, and answered with the reference and
    the secret status link on a private page; the form again with its errors otherwise."""
    back = request.path
    if request.method == "POST":
        refused = _screen(request, back)
        if refused is not None:
            return refused
        if form.is_valid():
            try:
                row, raw = send(form.cleaned_data)
            except services.RateLimited as exc:
                return _rate_refused(request, exc, back)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                received = {
                    "reference": row.reference,
                    "link": request.build_absolute_uri(status_path(row, raw)),
                    "emailed": bool(row.contact_email),
                    "system_id": system.pk,
                    "respond_by": getattr(row, "respond_by", None),
                }
                return private_page(render(request, "transparency/public/received.html", received))
    return render(
        request,
        template,
        {"form": form, "honeypot": HONEYPOT, "system_id": system.pk, "name": _system_name(system)},
        status=400 if form.is_bound else 200,
    )


@access("public")
def record_error(request, system_id):
    system = _public_system(system_id)
    return _public_form(
        request,
        system,
        RecordErrorForm(request.POST or None),
        "transparency/public/record_error_form.html",
        lambda data: services.report_record_error(
            system,
            description=data["description"],
            contact_email=data["contact_email"],
            client_address=client_address(request),
            base_url=request.build_absolute_uri("/"),
        ),
        notify.error_status_path,
    )


@access("public")
def record_error_status(request, error_ref, error_token):
    report = services.find_by_token(RecordErrorReport, error_ref, error_token)
    if report is None:
        raise Http404
    return private_page(
        render(
            request,
            "transparency/public/record_error_status.html",
            {"report": report, "name": _system_name(report.system)},
        )
    )


@access("public")
def optout_request(request, system_id):
    system = _public_system(system_id)
    if not services.optout_offered(system):
        raise Http404
    return _public_form(
        request,
        system,
        OptOutForm(request.POST or None),
        "transparency/public/optout_form.html",
        lambda data: services.request_opt_out(
            system,
            data,
            client_address=client_address(request),
            base_url=request.build_absolute_uri("/"),
        ),
        notify.optout_status_path,
    )


@access("public")
def optout_status(request, optout_ref, optout_token):
    found = services.find_by_token(OptOutRequest, optout_ref, optout_token)
    if found is None:
        raise Http404
    return private_page(
        render(
            request,
            "transparency/public/optout_status.html",
            {"item": found, "name": _system_name(found.system)},
        )
    )


def render_policy(text: str) -> str:
    """Plain text to safe HTML: everything escaped; blank lines make paragraphs, lines starting
    with "- " make a list, lines starting with "# " a heading. No link, no raw HTML."""
    blocks = [b for b in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if b.strip()]
    out = []
    for block in blocks:
        lines = [line.rstrip() for line in block.strip().split("\n")]
        if all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line.lstrip()[2:].strip())}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif len(lines) == 1 and lines[0].startswith("#"):
            out.append(f"<h3>{escape(lines[0].lstrip('#').strip())}</h3>")
        else:
            out.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def withheld_counts(agency=None) -> list[dict[str, Any]]:
    qs = PublicRecord.objects.filter(current__kind=VersionKind.WITHHELD)
    if agency is not None:
        qs = qs.filter(system__agency=agency)
    rows = qs.values("withheld_ground").annotate(n=Count("id")).order_by("withheld_ground")
    return [{"legal_ground": r["withheld_ground"], "count": r["n"]} for r in rows]


@access("public")
def agency_page(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    records = _published().filter(system__agency=agency).order_by("current__name", "id")
    items = [item(r, request if _wants_json(request) else None) for r in records]
    withheld = withheld_counts(agency)
    data = {
        "schema": "ombuds.public-agency/1",
        "agency": {"slug": agency.slug, "name": agency.name, "country": agency.country},
        "counts": {
            "published": len(items),
            "high_impact": sum(1 for i in items if i["high_impact"]),
            "suspended": sum(1 for i in items if i["suspended"]),
            "withheld": sum(w["count"] for w in withheld),
            "withheld_by_ground": withheld,
        },
        "items": items,
    }
    policy = AgencyPolicy.objects.filter(agency=agency).first()
    original = services.original_language()
    text, lang = "", original
    if policy is not None:
        want = (get_language() or original).split("-")[0]
        translated = (policy.translations or {}).get(want, "") if want != original else ""
        text, lang = (translated, want) if translated else (policy.text, original)
    data["policy"] = {
        "text": text,
        "language": lang,
        "translations": policy.translations if policy is not None else {},
    }
    if _wants_json(request):
        return _json(data)
    return render(
        request,
        "transparency/public/agency.html",
        {"data": data, "policy_html": render_policy(text), "page_language": page_language()},
    )


@access("public")
def register_json(request):
    records = _published().order_by("system__agency__name", "current__name", "id")
    data = {
        "schema": REGISTER_SCHEMA,
        "count": records.count(),
        "withheld": withheld_counts(),
        "items": [item(r, request) for r in records],
    }
    response = _json(data)
    response["Content-Disposition"] = 'inline; filename="register.json"'
    return response


def _cell(value: Any) -> str:
    """A spreadsheet never runs a cell as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@access("public")
def register_csv(request):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in _published().order_by("system__agency__name", "current__name", "id"):
        i = item(r, request)
        row = {
            **{k: i.get(k) for k in CSV_COLUMNS},
            **i["fields"],
            "agency": i["agency"]["slug"],
            "agency_name": i["agency"]["name"],
            "country": i["agency"]["country"],
            "high_impact": ""
            if i["high_impact"] is None
            else ("yes" if i["high_impact"] else "no"),
        }
        writer.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="register.csv"'
    return response


@access("public")
def feed(request):
    """Publications and retractions, newest first."""
    atom = feedgenerator.Atom1Feed(
        title=_("Public register of government AI: publications and retractions"),
        link=request.build_absolute_uri(reverse("public_register")),
        description=_("Records of AI systems published or retracted by public agencies."),
        language=getattr(request, "LANGUAGE_CODE", "en"),
        feed_url=request.build_absolute_uri(reverse("public_feed")),
    )
    versions = (
        PublicRecordVersion.objects.filter(kind__in=[VersionKind.PUBLISHED, VersionKind.RETRACTED])
        .select_related("record__system__agency")
        .order_by("-at", "-id")[:50]
    )
    for v in versions:
        system = v.record.system
        if v.kind == VersionKind.PUBLISHED:
            name = v.name
            title = _("Published: %(name)s (version %(n)d)") % {"name": name, "n": v.number}
            text = v.what_it_does
        else:
            before = (
                PublicRecordVersion.objects.filter(
                    record=v.record, kind=VersionKind.PUBLISHED, number__lt=v.number
                )
                .order_by("-number")
                .first()
            )
            name = before.name if before is not None else ""
            title = _("Retracted: %(name)s") % {"name": name}
            text = v.reason
        link = request.build_absolute_uri(reverse("public_system", args=[system.pk]))
        atom.add_item(
            title=title,
            link=link,
            description=text,
            unique_id=f"{link}#v{v.number}",
            updateddate=v.at,
            pubdate=v.at,
            author_name=system.agency.name,
        )
    return HttpResponse(
        atom.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )
