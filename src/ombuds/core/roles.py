"""The roles a membership can give, and what each may do.

Rules are plain data so that the permission matrix test and the pages read the same truth.
"""

from django.utils.translation import gettext_lazy as _

GOVERNANCE_LEAD = "governance_lead"
SYSTEM_OWNER = "system_owner"
ASSESSOR = "assessor"
OPERATOR = "operator"
PROCUREMENT_OFFICER = "procurement_officer"
CASE_WORKER = "case_worker"
VIEWER = "viewer"

ROLE_CHOICES = [
    (GOVERNANCE_LEAD, _("Governance lead")),
    (SYSTEM_OWNER, _("System owner")),
    (ASSESSOR, _("Assessor")),
    (OPERATOR, _("Operator")),
    (PROCUREMENT_OFFICER, _("Procurement officer")),
    (CASE_WORKER, _("Case worker")),
    (VIEWER, _("Viewer")),
]
ROLES = [code for code, _label in ROLE_CHOICES]

# Each permission names the roles that hold it within their own agency. Superusers (platform
# admins) hold every permission everywhere. Anything not listed here is denied.
ANY_MEMBER = frozenset(ROLES)
PERMISSIONS: dict[str, frozenset[str]] = {
    "system.view": ANY_MEMBER,
    "system.history": ANY_MEMBER,
    "system.create": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "system.edit": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "system.transition": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "system.determine": frozenset({GOVERNANCE_LEAD}),
    "card.edit": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD, ASSESSOR}),
    "system.waive": frozenset({GOVERNANCE_LEAD}),
    "system.decommission": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "assessment.view": ANY_MEMBER,
    "assessment.edit": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD, ASSESSOR}),
    # Reviewing and approving also depend on the agency's approval policy (assessments app).
    "assessment.review": frozenset({ASSESSOR, GOVERNANCE_LEAD}),
    "assessment.approve": frozenset({GOVERNANCE_LEAD}),
    "assessment.policy": frozenset({GOVERNANCE_LEAD}),
    "evaluation.view": ANY_MEMBER,
    "evaluation.create": frozenset({ASSESSOR, GOVERNANCE_LEAD, SYSTEM_OWNER}),
    "evaluation.respond": frozenset({ASSESSOR, GOVERNANCE_LEAD}),
    "monitor.view": ANY_MEMBER,
    "monitor.edit": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD, ASSESSOR}),
    "alert.acknowledge": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "system.suspend": frozenset({GOVERNANCE_LEAD}),
    "incident.view": ANY_MEMBER,
    "incident.edit": frozenset({GOVERNANCE_LEAD, SYSTEM_OWNER, ASSESSOR}),
    "report.view": ANY_MEMBER,
    "report.create": ANY_MEMBER,
    "report.triage": frozenset({GOVERNANCE_LEAD, SYSTEM_OWNER, ASSESSOR}),
    "report.settings": frozenset({GOVERNANCE_LEAD}),
    "record.view": ANY_MEMBER,
    "record.edit": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "record.publish": frozenset({GOVERNANCE_LEAD}),
    "agency.view": ANY_MEMBER,
    "agency.brand": frozenset({GOVERNANCE_LEAD}),
    # --- transparency: consultations, opt-out requests, record errors, exports ---
    "consultation.view": ANY_MEMBER,
    "consultation.manage": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "consultation.moderate": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "optout.view": frozenset({CASE_WORKER, SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "optout.handle": frozenset({CASE_WORKER, SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "export.download": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD, PROCUREMENT_OFFICER, VIEWER}),
    # --- people: training, certification, operators, oversight design ---
    "training.view": ANY_MEMBER,
    "training.take": ANY_MEMBER,
    "training.manage": frozenset({GOVERNANCE_LEAD}),
    "training.import": frozenset({GOVERNANCE_LEAD}),
    "operator.assign": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "oversight.edit": frozenset({SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "compliance.view": frozenset({GOVERNANCE_LEAD}),
    # --- remedy: notices, appeals, redress ---
    "notice.view": frozenset({CASE_WORKER, SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "notice.issue": frozenset({CASE_WORKER, SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "appeal.view": frozenset({CASE_WORKER, OPERATOR, SYSTEM_OWNER, GOVERNANCE_LEAD}),
    "appeal.enter": frozenset({CASE_WORKER, GOVERNANCE_LEAD}),
    "appeal.decide": frozenset({CASE_WORKER, OPERATOR, GOVERNANCE_LEAD}),
    "remedy.settings": frozenset({GOVERNANCE_LEAD}),
    # --- procurement: vendors, due diligence, claims, clauses, post-award ---
    "procurement.view": frozenset(
        {PROCUREMENT_OFFICER, GOVERNANCE_LEAD, SYSTEM_OWNER, ASSESSOR, VIEWER}
    ),
    "procurement.edit": frozenset({PROCUREMENT_OFFICER, GOVERNANCE_LEAD}),
    "claim.verify": frozenset({PROCUREMENT_OFFICER, ASSESSOR, GOVERNANCE_LEAD}),
}
