import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ombuds.core import audit
from ombuds.core.cli import OmbudsCommand
from ombuds.core.models import Agency, Membership
from ombuds.core.roles import ROLES
from ombuds.registry import determination, lifecycle, services
from ombuds.registry.models import AISystem

from . import _demo_evidence

# The system whose whole path through the gate the demo shows, with real evidence.
FLAGSHIP = "Benefit eligibility pre-screening"

AGENCIES = [
    ("benefits-ca", "Benefits Delivery Service", "CA", "#1f3a5f"),
    ("justice-fr", "Direction des services judiciaires", "FR", "#5b2a86"),
    ("health-gb", "Regional Health Authority", "GB", "#005a4e"),
]
# username, agency, role
USERS = [(role.replace("_", "-"), "benefits-ca", role) for role in ROLES] + [
    ("deputy-lead", "benefits-ca", "governance_lead"),
    ("second-assessor", "benefits-ca", "assessor"),
    ("lead-fr", "justice-fr", "governance_lead"),
    ("owner-fr", "justice-fr", "system_owner"),
    ("lead-gb", "health-gb", "governance_lead"),
]
# agency, name, sector, decision role, Annex III area, path of stages, short description
BOUGHT = "Call-centre transcription"
SYSTEMS = [
    (
        "benefits-ca",
        "Benefit eligibility pre-screening",
        "public_benefits",
        "recommendation",
        5,
        ["development", "pilot", "deployed"],
        "Scores new benefit applications so that straightforward ones are approved faster.",
    ),
    (
        "benefits-ca",
        "Overpayment risk triage",
        "public_benefits",
        "triage",
        5,
        ["development", "pilot", "deployed", "suspended"],
        "Ranks open files by the estimated risk of an overpayment for review by an officer.",
    ),
    (
        "benefits-ca",
        "Call-centre transcription",
        "other",
        "other",
        None,
        ["procurement"],
        "Transcribes recorded calls so that agents can search past conversations.",
    ),
    (
        "benefits-ca",
        "Employment services job matching",
        "employment",
        "recommendation",
        4,
        ["development"],
        "Suggests job openings to jobseekers registered with the agency.",
    ),
    (
        "benefits-ca",
        "Letter plain-language assistant",
        "other",
        "other",
        None,
        [],
        "Drafts plain-language versions of standard letters for staff to edit.",
    ),
    (
        "justice-fr",
        "Case backlog prioritisation",
        "justice",
        "triage",
        8,
        ["development", "pilot"],
        "Orders pending civil cases by urgency for the court registry.",
    ),
    (
        "justice-fr",
        "Probation risk assessment",
        "justice",
        "recommendation",
        6,
        ["decommissioned"],
        "A retired tool that scored the risk of reoffending.",
    ),
    (
        "justice-fr",
        "Court hearing translation",
        "justice",
        "other",
        None,
        ["procurement"],
        "Machine translation support for hearings, with a human interpreter present.",
    ),
    (
        "justice-fr",
        "Legal aid application checker",
        "public_benefits",
        "recommendation",
        5,
        ["development", "pilot", "deployed"],
        "Checks legal aid applications for completeness and eligibility.",
    ),
    (
        "health-gb",
        "Sepsis early warning",
        "healthcare",
        "recommendation",
        None,
        ["development", "pilot", "deployed"],
        "Alerts ward staff to patients at risk of sepsis.",
    ),
    (
        "health-gb",
        "Referral triage for outpatient clinics",
        "healthcare",
        "triage",
        5,
        ["development"],
        "Sorts GP referrals by urgency for clinicians to confirm.",
    ),
    (
        "health-gb",
        "Ambulance demand forecasting",
        "critical_infrastructure",
        "other",
        2,
        ["development", "pilot", "deployed"],
        "Forecasts ambulance demand by area and hour for rostering.",
    ),
]


class Command(OmbudsCommand):
    help = (
        "Load demo data: three agencies, a dozen systems, one user per role. Idempotent. "
        "Passwords are printed once, when a user is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give every demo user a new password and print them",
        )

    def handle(self, *args, reset_passwords, **opts):
        User = get_user_model()
        printed = []
        with transaction.atomic():
            agencies = {}
            for slug, name, country, colour in AGENCIES:
                agency = Agency.objects.filter(slug=slug).first()
                if agency is None:
                    agency = Agency.objects.create(
                        slug=slug, name=name, country=country, brand_colour=colour
                    )
                    audit.record(
                        action="agency.create",
                        obj=agency,
                        agency=agency,
                        changes=audit.diff({}, audit.snapshot(agency, ["slug", "name", "country"])),
                    )
                agencies[slug] = agency
            for username, slug, role in USERS:
                user = User.objects.filter(username=username).first()
                if user is None or reset_passwords:
                    created = user is None
                    user = user or User(username=username, email=f"{username}@example.org")
                    password = secrets.token_urlsafe(9)
                    user.set_password(password)
                    user.save()
                    printed.append((username, role, slug, password))
                    if created:
                        audit.record(
                            action="user.create",
                            obj=user,
                            agency=agencies[slug],
                            object_repr=username,
                            changes={"role": {"from": None, "to": role}},
                        )
                Membership.objects.get_or_create(user=user, agency=agencies[slug], role=role)
            admin = User.objects.filter(username="admin").first()
            if admin is None or reset_passwords:
                admin = admin or User(
                    username="admin", email="admin@example.org", is_staff=True, is_superuser=True
                )
                password = secrets.token_urlsafe(9)
                admin.set_password(password)
                admin.save()
                printed.append(("admin", "platform admin", "all", password))
            leads: dict = {}
            for u, a, r in USERS:
                if r == "governance_lead" and a not in leads:
                    leads[a] = User.objects.get(username=u)
            people = {u: User.objects.get(username=u) for u, a, r in USERS if a == "benefits-ca"}
            today = timezone.localdate()
            for i, (slug, name, sector, role, area, path, short) in enumerate(SYSTEMS):
                if AISystem.objects.filter(agency=agencies[slug], name=name).exists():
                    continue
                lead = leads[slug]
                system = services.create_system(
                    lead,
                    agencies[slug],
                    {
                        "name": name,
                        "short_description": short,
                        "sector": sector,
                        "decision_role": role,
                        "eu_annex_iii_area": area,
                        "review_due": today + timedelta(days=(i * 47) % 400 - 60),
                        "team": "Data and digital services",
                        "public_contact": f"ai@{slug}.example.org",
                        "uses_personal_data": sector != "critical_infrastructure",
                    },
                )
                proposal = determination.propose(sector, role, area, {})
                in_use = [s for s in path if s in lifecycle.IN_USE]
                if in_use or i % 4 != 3:  # leave a few undetermined, as in real life
                    determination.determine(
                        system,
                        lead,
                        answers={},
                        determination=proposal.impact,
                        justification="Demo: as the rules propose.",
                    )
                if name == FLAGSHIP:
                    _demo_evidence.build(system, people)
                    _demo_evidence.app_extras(system, people)
                elif in_use and system.is_high_impact:
                    # In use before the agency governed it: recorded at its real stage, and
                    # listed on the dashboard until it passes the gate.
                    lifecycle.onboard_in_use(
                        system, in_use[-1], "Demo: in use since before Ombuds.", lead
                    )
                else:
                    for stage in path:
                        lifecycle.transition(system, stage, "Demo: reached this stage.", lead)
                if name == BOUGHT:
                    from ombuds.procurement import demo as procurement_demo

                    # Two bids; one vendor's "95 % accurate" refuted for one group locally.
                    procurement_demo.load(agencies[slug], system, people)
        if printed:
            self.stdout.write(
                "Demo users (passwords are shown only now; "
                "`ombuds demo --reset-passwords` makes new ones):"
            )
            for username, role, slug, password in printed:
                self.stdout.write(f"  {username:<22} {password:<16} {role} ({slug})")
        self.stderr.write(
            f"demo data ready: {Agency.objects.count()} agencies, "
            f"{AISystem.objects.count()} systems, {User.objects.count()} users"
        )
