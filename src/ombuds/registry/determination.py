"""High-impact determination: rules propose a classification, a person decides.

The rules follow the presumptions of OMB M-25-21 (uses in benefits, justice, law enforcement,
migration, education and employment that decide about people are presumed rights-impacting;
health and critical infrastructure are presumed safety-impacting) and EU AI Act Annex III.
A decision that differs from the proposal — above all "presumed high-impact but determined
not" — must carry a written justification.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.core import audit
from ombuds.core.permissions import check_object
from ombuds.core.validation import check_text

from .models import AISystem, DecisionRole, Impact, Sector

QUESTIONS: list[tuple[str, str]] = [
    (
        "decides_access",
        _(
            "Does its output help decide people's access to benefits, services, "
            "liberty, employment, education, housing or legal status?"
        ),
    ),
    ("profiles_people", _("Does it profile, score or rank individual people?")),
    ("biometric", _("Does it identify or categorise people from biometric data?")),
    ("physical_harm", _("Could a failure cause physical harm or endanger life or health?")),
    (
        "critical_service",
        _(
            "Does it control or protect critical infrastructure or essential "
            "services (energy, water, transport, emergency response)?"
        ),
    ),
    ("vulnerable_groups", _("Does it affect children or other groups in a vulnerable situation?")),
]
QUESTION_IDS = [q for q, _text in QUESTIONS]

RIGHTS_SECTORS = {
    Sector.LAW_ENFORCEMENT,
    Sector.JUSTICE,
    Sector.PUBLIC_BENEFITS,
    Sector.MIGRATION,
    Sector.EDUCATION,
    Sector.EMPLOYMENT,
}
SAFETY_SECTORS = {Sector.HEALTHCARE, Sector.CRITICAL_INFRASTRUCTURE}
DECIDING_ROLES = {DecisionRole.AUTOMATED, DecisionRole.RECOMMENDATION, DecisionRole.TRIAGE}


@dataclass
class Proposal:
    impact: str
    reasons: list[str] = field(default_factory=list)

    @property
    def presumed_high_impact(self) -> bool:
        return self.impact != Impact.NEITHER


def propose(
    sector: str, decision_role: str, eu_annex_iii_area: int | None, answers: dict[str, bool]
) -> Proposal:
    rights: list[str] = []
    safety: list[str] = []
    deciding = decision_role in DECIDING_ROLES
    if sector in RIGHTS_SECTORS and deciding:
        rights.append(f"sector {sector} with decision role {decision_role}")
    if sector in SAFETY_SECTORS and deciding:
        safety.append(f"sector {sector} with decision role {decision_role}")
    if eu_annex_iii_area:
        (safety if eu_annex_iii_area == 2 else rights).append(
            f"EU AI Act Annex III area {eu_annex_iii_area}"
        )
    if answers.get("decides_access"):
        rights.append("helps decide access to rights, benefits or services")
    if answers.get("profiles_people"):
        rights.append("profiles or scores individuals")
    if answers.get("biometric"):
        rights.append("uses biometric identification or categorisation")
    if answers.get("vulnerable_groups") and (rights or deciding):
        rights.append("affects children or vulnerable groups")
    if answers.get("physical_harm"):
        safety.append("a failure could cause physical harm")
    if answers.get("critical_service"):
        safety.append("controls or protects critical infrastructure or essential services")
    if rights and safety:
        return Proposal(Impact.BOTH, rights + safety)
    if rights:
        return Proposal(Impact.RIGHTS, rights)
    if safety:
        return Proposal(Impact.SAFETY, safety)
    return Proposal(Impact.NEITHER, ["no presumption applies"])


def proposal_for(system: AISystem) -> Proposal:
    return propose(
        system.sector, system.decision_role, system.eu_annex_iii_area, system.impact_answers
    )


def clean_answers(answers: dict) -> dict[str, bool]:
    unknown = sorted(set(answers) - set(QUESTION_IDS))
    if unknown:
        raise ValidationError({"answers": f"Unknown question(s): {', '.join(unknown)}."})
    bad = [k for k, v in answers.items() if not isinstance(v, bool)]
    if bad:
        raise ValidationError({"answers": f"Answer yes or no (true/false) to: {', '.join(bad)}."})
    return {q: bool(answers.get(q, False)) for q in QUESTION_IDS}


def determine(
    system: AISystem, actor, *, answers: dict, determination: str, justification: str = ""
) -> Proposal:
    """Record a person's determination; returns the rules' proposal it was made against."""
    check_object(actor, "system.determine", system.agency_id)
    clean = clean_answers(answers)
    if determination not in Impact.values:
        raise ValidationError({"determination": f"Choose one of: {', '.join(Impact.values)}."})
    justification = (justification or "").strip()
    check_text({"justification": justification})
    proposal = propose(system.sector, system.decision_role, system.eu_annex_iii_area, clean)
    if determination != proposal.impact and not justification:
        if proposal.presumed_high_impact and determination == Impact.NEITHER:
            msg = _(
                "This system is presumed high-impact (%(why)s). Determining that it is not "
                "needs a written justification."
            )
        else:
            msg = _(
                "The rules propose %(proposed)s (%(why)s). Overriding the proposal needs a "
                "written justification."
            )
        raise ValidationError(
            {
                "justification": msg
                % {"why": "; ".join(proposal.reasons), "proposed": proposal.impact}
            }
        )
    with transaction.atomic():
        before = audit.snapshot(
            system, ["impact_answers", "impact_determination", "impact_justification"]
        )
        system.impact_answers = clean
        system.impact_determination = determination
        system.impact_justification = justification
        system.impact_determined_by = actor
        system.impact_determined_at = timezone.now()
        system.save()
        after = audit.snapshot(
            system, ["impact_answers", "impact_determination", "impact_justification"]
        )
        changes = audit.diff(before, after)
        changes["proposed"] = proposal.impact
        changes["overridden"] = determination != proposal.impact
        audit.record(
            actor=actor,
            action="system.determine",
            obj=system,
            agency=system.agency,
            changes=changes,
        )
    return proposal
