"""The rules of the assessment workflow, as plain functions over the models.

Who may review and approve at each level, what a system's impact level is, and which assessment
counts. Services call these; the controls read them; pages show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.core.permissions import roles_by_agency
from ombuds.core.roles import ASSESSOR, GOVERNANCE_LEAD

from .models import ApprovalPolicy, Assessment, Status


@dataclass(frozen=True)
class Policy:
    level: int
    reviewers_required: int
    reviewer_role: str
    approvers_required: int
    approver_role: str


# Default: one governance lead approves at levels I–II, two at III–IV; independent reviewers from
# level II (one), two at level IV.
DEFAULT_POLICY = {
    1: Policy(1, 0, ASSESSOR, 1, GOVERNANCE_LEAD),
    2: Policy(2, 1, ASSESSOR, 1, GOVERNANCE_LEAD),
    3: Policy(3, 1, ASSESSOR, 2, GOVERNANCE_LEAD),
    4: Policy(4, 2, ASSESSOR, 2, GOVERNANCE_LEAD),
}


def policies(agency) -> dict[int, Policy]:
    found = dict(DEFAULT_POLICY)
    for row in ApprovalPolicy.objects.filter(agency=agency):
        found[row.level] = Policy(
            row.level,
            row.reviewers_required,
            row.reviewer_role,
            row.approvers_required,
            row.approver_role,
        )
    return found


def policy_for(agency, level: int | None) -> Policy:
    return policies(agency)[level or 4]


def holds_role(user, agency_id: int, role: str) -> bool:
    if user.is_superuser:
        return True
    return role in roles_by_agency(user).get(agency_id, set())


def current_reviews(assessment: Assessment):
    return [r for r in assessment.reviews.all() if r.round == assessment.round]


def current_signoffs(assessment: Assessment):
    return [s for s in assessment.signoffs.all() if s.round == assessment.round]


def latest_approved(system, template_id: str | None = None) -> list[Assessment]:
    """The latest approved assessment of each template (or of one template)."""
    qs = Assessment.objects.filter(system=system, status=Status.APPROVED)
    if template_id:
        qs = qs.filter(template_id=template_id)
    latest: dict[str, Assessment] = {}
    for a in qs.order_by("-approved_at", "-id"):
        latest.setdefault(a.template_id, a)
    return list(latest.values())


def system_level(system) -> int | None:
    """A system's impact level: that of its latest approved assessment; where it has
    assessments on several templates, the highest level counts."""
    levels = [a.level for a in latest_approved(system) if a.level]
    return max(levels) if levels else None


def deciding(system) -> Assessment | None:
    """The approved assessment whose decision governs the system: the most recently approved.
    A do-not-deploy decision on any template holds until that template is assessed again."""
    latest = latest_approved(system)
    refusing = [a for a in latest if a.decision == "do_not_deploy"]
    if refusing:
        return refusing[0]
    return max(latest, key=lambda a: (a.approved_at, a.pk)) if latest else None
