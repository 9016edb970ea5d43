"""The assessment report: the system, its assessments with their score and decision, the gate
and the evidence, as one print-ready HTML page and as a PDF (WeasyPrint, imported only when a
PDF is asked for: where the system lacks Pango, the page says so and offers the HTML)."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core.permissions import access, check_object
from ombuds.registry import lifecycle
from ombuds.registry.models import AISystem, Stage

from . import rules
from . import templates_catalogue as catalogue
from .models import Assessment, PilotPlan, Status

log = logging.getLogger(__name__)


def _evidence(system) -> list:
    try:
        from ombuds.evaluations.models import Evaluation
    except ImportError:  # the evaluations app is optional for the report
        return []
    return list(Evaluation.objects.filter(system=system).order_by("-created_at")[:50])


def context(system: AISystem) -> dict:
    to = lifecycle.next_gate(system)
    statuses = lifecycle.gate(system, to)
    latest = rules.latest_approved(system)
    in_progress = (
        Assessment.objects.filter(system=system)
        .exclude(status=Status.APPROVED)
        .order_by("-created_at", "-id")
        .first()
    )
    shown = [*latest, *([in_progress] if in_progress else [])]
    blocks = []
    for a in shown:
        template = catalogue.get(a.template_id, a.language)
        blocks.append(
            {
                "a": a,
                "template": template,
                "score": a.score or catalogue.compute(a.template_id, a.answers),
                "risks": list(a.risks.all()),
                "engagements": list(a.engagements.all()),
                "reviews": rules.current_reviews(a),
                "signoffs": rules.current_signoffs(a),
                "conditions": list(a.conditions.all()),
            }
        )
    return {
        "system": system,
        "level": system.impact_level,
        "assessments": blocks,
        "to": to,
        "to_label": Stage(to).label,
        "statuses": statuses,
        "passes": not any(s.blocks for s in statuses),
        "evidence": _evidence(system),
        "pilot": PilotPlan.objects.filter(system=system).first(),
        "waivers": list(system.waivers.select_related("granted_by")),
        "generated_at": timezone.now(),
    }


def _system(request, pk):
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, "assessment.view", system.agency_id)
    return system


@access("assessment.view")
def system_report(request, pk):
    system = _system(request, pk)
    return render(request, "assessments/report.html", context(system))


@access("assessment.view")
def system_report_pdf(request, pk):
    system = _system(request, pk)
    html = render_to_string("assessments/report.html", {**context(system), "pdf": True}, request)
    try:
        from weasyprint import HTML  # heavy, and needs the system's Pango: only when asked
    except (ImportError, OSError) as exc:
        log.warning("PDF unavailable: %s", exc)
        return render(
            request,
            "assessments/report_unavailable.html",
            {"system": system, "reason": str(exc).splitlines()[0] if str(exc) else ""},
            status=503,
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"ombuds-report-{system.pk}-{timezone.localdate().isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


__all__ = ["context", "system_report", "system_report_pdf", "_"]
