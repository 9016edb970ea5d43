"""Demo public records: the flagship system's, written plainly and published by two people, so
that the public register has something true to show (and the gate's notice control is met)."""

from __future__ import annotations

from django.utils import timezone

FLAGSHIP_RECORD = {
    "what_it_does": (
        "When you apply for income support, this system reads your application and estimates "
        "how likely it is that you are eligible. Straightforward applications reach an officer "
        "first, so most people get an answer sooner."
    ),
    "use_in_decisions": (
        "It recommends; it never decides. An officer reads every application and makes the "
        "decision. The system cannot refuse anyone."
    ),
    "human_role": (
        "An officer trained on this system decides every application and can disagree with the "
        "system's estimate at any time. A supervisor checks a sample every week."
    ),
    "data_used": (
        "The answers on your application form and your past claims with this office. It does "
        "not use your race, religion or disability, and nothing from social media."
    ),
    "risks": (
        "It could rank some groups' applications lower than others. We test its results for "
        "each group every week and stop using it if a group is treated worse."
    ),
    "opt_out": (
        "You can ask for your application to be handled by an officer without the system's "
        "estimate. It will not slow down your application."
    ),
    "complaints": (
        "If you disagree with a decision, you can appeal online, by phone or by post within 30 "
        "days. A different officer reviews your case."
    ),
    "contact": "ai@benefits-ca.example.org",
    "opt_out_available": True,
    "human_alternative_available": True,
}


def evidence(system, people: dict) -> None:
    from ombuds.transparency import services

    services.save_draft(
        people["system-owner"],
        system,
        {**FLAGSHIP_RECORD, "last_reviewed": timezone.localdate().isoformat()},
    )
    services.submit(people["system-owner"], system)
    services.publish(people["governance-lead"], system)
