"""The controls the evaluations app checks, registered with the gate in core at start-up."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ombuds.core import controls
from ombuds.registry.models import DEMOGRAPHIC_FEATURES

from .models import Evaluation, Kind, Status

LABELS = dict(DEMOGRAPHIC_FEATURES)


def _names(codes) -> str:
    return ", ".join(str(LABELS.get(c, c)) for c in codes)


def latest_audits(system) -> dict[str, Evaluation]:
    """For each characteristic, the newest finished bias audit covering it: a newer audit
    supersedes an older one for what it covers."""
    found: dict[str, Evaluation] = {}
    audits = (
        Evaluation.objects.filter(system=system, kind=Kind.BIAS_AUDIT, status=Status.DONE)
        .only("id", "system_id", "characteristics", "flagged", "findings_response", "created_at")
        .order_by("-created_at", "-id")
    )
    for evaluation in audits:
        for code in evaluation.covers:
            found.setdefault(code, evaluation)
    return found


def bias_audit(system, to_stage: str) -> str | None:
    """Met when the newest audit of every collected characteristic covers it and its findings
    are addressed, and every characteristic not collected says why and how it is assessed."""
    entries = [e for e in (system.protected_characteristics or []) if isinstance(e, dict)]
    if not entries:
        return _("the record does not say which protected characteristics a bias audit must cover")
    collected = [e["id"] for e in entries if e.get("collected")]
    unexplained = [
        e["id"]
        for e in entries
        if not e.get("collected")
        and not (str(e.get("why_not", "")).strip() and str(e.get("alternative", "")).strip())
    ]
    latest = latest_audits(system) if collected else {}
    uncovered = [c for c in collected if c not in latest]
    unanswered: list[Evaluation] = []
    for code in collected:
        evaluation = latest.get(code)
        if (
            evaluation is not None
            and evaluation.flagged
            and not evaluation.findings_addressed
            and evaluation not in unanswered
        ):
            unanswered.append(evaluation)
    missing = []
    if uncovered:
        missing.append(_("no bias audit covers %(names)s") % {"names": _names(uncovered)})
    if unexplained:
        missing.append(
            _(
                "the record does not say why %(names)s is not collected and how disparities "
                "for it are assessed instead"
            )
            % {"names": _names(unexplained)}
        )
    for evaluation in unanswered:
        missing.append(
            _("the findings of bias audit #%(id)s (%(covers)s) are not addressed yet")
            % {"id": evaluation.pk, "covers": _names(evaluation.covers)}
        )
    return "; ".join(missing) or None


def required_peer_reviews(system) -> int:
    """Two at level IV, one at level III. With no approved level the gate assumes level IV, and
    so does this count."""
    return 1 if system.impact_level == 3 else 2


def peer_reviews_done(system) -> int:
    """Distinct reviewers: the same person reviewing twice is one review."""
    names = Evaluation.objects.filter(
        system=system, kind=Kind.PEER_REVIEW, status=Status.DONE
    ).values_list("reviewer_name", flat=True)
    return len({" ".join(n.lower().split()) for n in names if n.strip()})


def peer_review(system, to_stage: str) -> str | None:
    needed = required_peer_reviews(system)
    done = peer_reviews_done(system)
    if done >= needed:
        return None
    if needed == 1:
        return _("no independent peer review of the system is recorded")
    return _(
        "%(needed)d independent peer reviews by different reviewers are needed at level IV; "
        "%(done)d recorded"
    ) % {"needed": needed, "done": done}


def _bias_audit_fix(system) -> str:
    if not system.protected_characteristics:
        return reverse("protected_characteristics", args=[system.pk])
    return reverse("evaluation_list", args=[system.pk])


CONTROLS = [
    controls.Control(
        "evaluations.bias-audit",
        "Bias audit covering the protected characteristics",
        bias_audit,
        _bias_audit_fix,
    ),
    controls.Control(
        "evaluations.peer-review",
        "Independent peer review of the system",
        peer_review,
        lambda system: reverse("peer_review_create", args=[system.pk]),
    ),
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
