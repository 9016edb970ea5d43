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


POLICY = (
    "# How we use AI\n\n"
    "We use AI systems to help our staff, never to replace their judgement about your rights.\n\n"
    "- Every system that can affect you is listed here before we use it, in plain language.\n"
    "- A person makes every decision about your benefits, and you can always ask for one.\n"
    "- We test each system for unfair treatment before and during use, and stop it if it harms "
    "people.\n"
    "- You can comment when we consult, report a problem, and appeal any decision."
)
POLICY_FR = (
    "# Notre usage de l'IA\n\n"
    "Nous utilisons des systèmes d'IA pour aider notre personnel, jamais pour remplacer son "
    "jugement sur vos droits.\n\n"
    "- Chaque système qui peut vous concerner est décrit ici en langage clair avant usage.\n"
    "- Une personne prend chaque décision sur vos prestations, et vous pouvez toujours en "
    "demander une.\n"
    "- Vous pouvez commenter nos consultations, signaler un problème et contester toute décision."
)
POLICY_ES = (
    "# Cómo usamos la IA\n\n"
    "Usamos sistemas de IA para ayudar a nuestro personal, nunca para sustituir su criterio "
    "sobre sus derechos.\n\n"
    "- Cada sistema que pueda afectarle figura aquí en lenguaje claro antes de usarse.\n"
    "- Una persona toma cada decisión sobre sus prestaciones, y usted siempre puede pedirla.\n"
    "- Puede comentar nuestras consultas, informar de un problema y recurrir cualquier decisión."
)


def extras(system, people: dict) -> None:
    """The agency's AI policy, a consultation on the flagship with moderated comments and the
    agency's answer, and an opt-out request handled by a person."""
    import datetime as dt

    from ombuds.transparency import services

    lead, owner = people["governance-lead"], people["system-owner"]
    today = timezone.localdate()
    services.save_policy(
        lead, system.agency, {"text": POLICY, "text_fr": POLICY_FR, "text_es": POLICY_ES}
    )
    past = services.open_consultation(
        owner,
        system,
        {
            "title": "Before the pilot: how should the pre-screening work?",
            "description": "We asked applicants and advocates before testing the system.",
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=30),
            "questions": [
                "What would make you trust an estimate made by a computer?",
                "How should we tell you that the system was used on your application?",
            ],
        },
    )
    comments = [
        ({0: "Tell me which answers on my form mattered most."}, "Advocate, Legal Aid Clinic"),
        ({1: "Say it in the decision letter, not on a website I will never read."}, ""),
        ({None: "Please make sure people without internet can still reach a person."}, ""),
    ]
    for answers, name in comments:
        for comment in services.submit_comment(
            past, answers=answers, name=name, show_name=bool(name), client_address=""
        ):
            services.moderate(lead, comment, approve=True)
    services.close_consultation(owner, past)
    services.publish_response(
        owner,
        past,
        heard="People want to know which answers mattered, and to be told in the letter itself.",
        changed="Decision letters now say that the system was used, list the main factors, and "
        "give a phone number to reach an officer.",
    )
    services.open_consultation(
        owner,
        system,
        {
            "title": "Should pre-screening also be used for renewals?",
            "description": "We are thinking of using the same system when people renew their "
            "benefits. Tell us what you think before we decide.",
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=45),
            "questions": [
                "Would you be comfortable with renewals being pre-screened?",
                "What should we check before deciding?",
            ],
        },
    )
    request, _token = services.request_opt_out(
        system,
        {"contact_phone": "+1 613 555 0100", "details": "I would like an officer to read my file."},
    )
    services.handle_opt_out(
        people["case-worker"],
        request,
        {"status": "honoured", "how": "person", "note": "An officer handled the application."},
    )
