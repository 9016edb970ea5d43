"""The public register: published snapshots only, each page with a JSON twin.

Nothing here reads a draft or a non-public field of a system: every value shown comes from a
published version's snapshot, plus the system's current stage (so a suspension shows at once)
and the agency's public name."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import gettext as _

from ombuds.assessments.models import Decision
from ombuds.core.models import Agency
from ombuds.core.permissions import access
from ombuds.registry.models import DEMOGRAPHIC_FEATURES, Sector, Stage

from .models import TEXT_FIELDS, PublicRecord, PublicRecordVersion, VersionKind

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
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [item(r, request if _wants_json(request) else None) for r in page.object_list]
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
    if _wants_json(request):
        return _json(data)
    labels = dict(TEXT_FIELDS)
    return render(
        request,
        "transparency/public/system.html",
        {
            "data": data,
            "fields": [
                (labels[name], data["fields"].get(name, "")) for name, _label in TEXT_FIELDS
            ],
            "report_url": reverse("public_report"),
            "history": record.versions.order_by("-number"),
        },
    )


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
    if _wants_json(request):
        return _json(data)
    return render(request, "transparency/public/agency.html", {"data": data})


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
