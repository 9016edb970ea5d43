"""The flagship demo system's evidence, built through the same services people use: an approved
assessment with its risks, engagement and sign-offs, a pilot, a real bias audit by the engine
and a peer review, so that the gate opens for the right reasons."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ombuds.assessments import services as assessments
from ombuds.assessments import templates_catalogue as catalogue
from ombuds.assessments.questionnaire import visible
from ombuds.registry import lifecycle
from ombuds.registry import services as registry

TEXT = {
    "obligations.legal_basis": "Benefits Act, s. 12, which allows automated assistance in eligibility checks.",
    "obligations.instruments": "Charter of Rights s. 15; Privacy Act; Accessible Canada Act.",
    "purpose.intended": "Scores new applications so that officers see the straightforward ones first.",
    "purpose.foreseeable_uses": "Use as an automatic refusal is foreseeable and is prevented: refusals need an officer.",
    "purpose.benefits": "Median time to a first decision falls from 21 to 9 days; measured monthly.",
}


def _answers() -> dict:
    """Answers of middling risk to every question shown, with real words where we have them."""
    template = catalogue.get("ombuds-impact-assessment")
    answers: dict = {}
    for _ in range(3):
        for q in visible(template, answers):
            if q.id in answers:
                continue
            if q.choices:
                ordered = sorted(q.choices, key=lambda c: c.risk)
                pick = ordered[len(ordered) // 2]
                answers[q.id] = [pick.id] if q.type == "multiple" else pick.id
            elif q.type == "number":
                answers[q.id] = 120000
            elif q.type == "date":
                answers[q.id] = "2026-09-01"
            else:
                answers[q.id] = TEXT.get(q.id, "Recorded in the system and data cards.")
    return answers


def _synthetic_log(rows: int = 6000):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2026)
    frame = pd.DataFrame(
        {
            "race": rng.choice(
                ["Black", "White", "Asian", "Indigenous"], rows, p=[0.2, 0.5, 0.2, 0.1]
            ),
            "sex": rng.choice(["F", "M"], rows),
            "eligible": rng.integers(0, 2, rows),
        }
    )
    noise = rng.random(rows) < 0.1
    frame["fast_tracked"] = np.where(noise, 1 - frame["eligible"], frame["eligible"])
    return frame


def build(system, people: dict) -> None:
    from ombuds.assurance.audit import audit
    from ombuds.evaluations import services as evaluations

    owner, assessor, assessor2 = (
        people["system-owner"],
        people["assessor"],
        people["second-assessor"],
    )
    lead, deputy = people["governance-lead"], people["deputy-lead"]
    registry.save_card(
        owner,
        system,
        "model",
        {
            "model_type": "Gradient-boosted trees",
            "version": "1.4",
            "intended_use": "Order new applications for officers; never refuse on its own.",
            "limitations": "Less accurate for applicants with irregular income.",
        },
    )
    registry.save_card(
        owner,
        system,
        "system",
        {
            "inputs": "The application form and the applicant's benefit history.",
            "outputs": "A priority score and the three main reasons.",
            "human_oversight": "An officer decides every application and sees the reasons.",
            "contingency": "Applications are processed in date order, as before, if it is stopped.",
        },
    )
    registry.save_card(
        owner,
        system,
        "data",
        {
            "provenance": "Decided applications 2019-2024 from the case system.",
            "collection": "Extracted nightly; no new collection from applicants.",
            "retention": "Seven years, then deleted.",
            "representativeness": "Compared with census shares by region, age and sex.",
            "known_gaps": "Rural and Indigenous applicants are under-represented before 2021.",
        },
    )
    registry.save_protected_characteristics(
        owner,
        system,
        [
            {"id": "race", "collected": True},
            {"id": "sex_gender", "collected": True},
            {
                "id": "disability",
                "collected": False,
                "why_not": "The application form does not ask about disability.",
                "alternative": "A yearly survey of 2,000 applicants, linked with consent.",
            },
        ],
    )
    lifecycle.transition(system, "development", "Demo: built in-house.", owner)
    a = assessments.start(owner, system, "ombuds-impact-assessment")
    assessments.save_answers(owner, a, _answers())
    assessments.add_risk(
        owner,
        a,
        {
            "risk": "Applicants with irregular income wait longer",
            "affected_groups": "Seasonal workers, single parents",
            "likelihood": 3,
            "severity": 3,
            "mitigation": "Income volatility feature; monthly audit by group",
            "owner": "Head of eligibility",
            "residual": "medium",
        },
    )
    assessments.add_engagement(
        owner,
        a,
        {
            "who": "Two claimant advocacy groups and 14 applicants",
            "when": dt.date(2026, 3, 4),
            "how": "Workshops and interviews",
            "what_changed": "Reasons are now shown to officers and in letters.",
        },
    )
    assessments.submit(owner, a)
    a.refresh_from_db()
    reviewers = [assessor, assessor2][
        : assessments.rules.policy_for(system.agency, a.level).reviewers_required
    ]
    for r in reviewers:
        assessments.review(
            r, a, "conditions", "Sound, provided applicants are told how it is used."
        )
    for approver in [lead, deputy][
        : assessments.rules.policy_for(system.agency, a.level).approvers_required
    ]:
        a = assessments.sign_off(
            approver,
            a,
            "conditions",
            "Approved with a condition.",
            [{"text": "Publish the plain-language explanation letter", "before_deployment": True}],
        )
    assessments.save_pilot_plan(
        owner,
        system,
        {
            "scope": "Two regional offices",
            "population": "New applicants in those regions",
            "duration": "Three months",
            "success_criteria": "No group's fast-track rate below 0.8 of the highest; decisions 50 % faster",
            "monitoring": "Weekly audit of decisions by group",
        },
    )
    doc = audit(
        _synthetic_log(), label="eligible", prediction="fast_tracked", protected=["race", "sex"]
    )
    ev = evaluations.record_result(
        assessor,
        system,
        doc,
        characteristics={"race": "race", "sex": "sex_gender"},
        note="Demo: pre-pilot audit on last year's decisions.",
    )
    if ev.result.get("findings"):
        evaluations.respond_to_findings(
            assessor,
            ev,
            "Reviewed with the owner: gaps are within sampling noise; monitored weekly in the pilot.",
        )
    app_evidence(system, people)
    lifecycle.transition(system, "pilot", "Demo: assessment approved, pilot planned.", owner)
    assessments.evaluate_pilot(
        assessor, system, "All groups within 0.8; decisions 55 % faster.", True
    )
    for c in a.conditions.all():
        assessments.meet_condition(owner, c, "Letter published on the agency website.")
    for n in range(max(0, 1 if (a.level or 4) == 3 else 2 if (a.level or 4) == 4 else 0)):
        evaluations.add_peer_review(
            assessor,
            system,
            reviewer_name=["Dr Amina Okafor", "Prof. Luc Tremblay"][n],
            organisation="University public-algorithms lab",
            reviewed_on=timezone.localdate(),
            conclusion="The evaluation is sound and the safeguards are adequate for deployment.",
            independent=True,
        )
    monitors = watch(system, owner)
    from ombuds.monitoring import runner

    for monitor in monitors:  # the pilot weeks, healthy: the monitors have run before deployment
        first = runner.windows(monitor, timezone.localdate())[0]
        runner.run_window(monitor, *first)
    lifecycle.transition(system, "deployed", "Demo: pilot evaluated, conditions met.", lead)
    # In use, its monitors catch what went wrong in the last two weeks: suspension recommended.
    for monitor in monitors:
        runner.run_monitor(monitor)


def _weekly_log(weeks: int = 12, per_week: int = 1500):
    """Twelve weeks of decisions up to last Monday; in the last two the system starts refusing
    women far more often — what its monitors should catch."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(12)
    today = timezone.localdate()
    last_monday = today - dt.timedelta(days=today.weekday())
    start = last_monday - dt.timedelta(weeks=weeks)
    frames = []
    for w in range(weeks):
        n = per_week
        day = np.datetime64(start + dt.timedelta(weeks=w))
        bad = w >= weeks - 2
        sex = rng.choice(["F", "M"], n)
        label = rng.integers(0, 2, n)
        wrong = rng.random(n) < (np.where(sex == "F", 0.35, 0.1) if bad else 0.1)
        pred = np.where(wrong, 1 - label, label)
        overridden = rng.random(n) < (0.25 if bad else 0.06)
        frames.append(
            pd.DataFrame(
                {
                    "decided_at": day + rng.integers(0, 7 * 86400, n).astype("timedelta64[s]"),
                    "sex": sex,
                    "region": rng.choice(["north", "south", "east", "west"], n),
                    "income": rng.normal(32000, 9000, n),
                    "fast_tracked": pred,
                    "eligible": label,
                    "overridden": overridden,
                    "final": np.where(overridden, 1 - pred, pred),
                }
            )
        )
    return pd.concat(frames, ignore_index=True), start


def watch(system, owner) -> list:
    """A decision log under the data directory and three weekly monitors on it."""
    from pathlib import Path

    from django.conf import settings

    from ombuds.monitoring import services as monitoring

    frame, start = _weekly_log()
    folder = Path(settings.MEDIA_ROOT) / "monitoring" / str(system.pk)  # an "upload" source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-decisions.parquet"
    frame.to_parquet(path)
    source = monitoring.save_source(
        owner,
        system,
        {
            "name": "Eligibility decisions (demo)",
            "kind": "upload",
            "location": str(path),
            "mapping": {
                "time": "decided_at",
                "prediction": "fast_tracked",
                "label": "eligible",
                "protected": "sex",
                "features": "region, income",
                "final_decision": "final",
                "overridden": "overridden",
            },
        },
    )
    return [
        monitoring.create_monitor(
            owner,
            system,
            {
                "source": source,
                "kind": kind,
                "window": "weekly",
                "reference_start": start,
                "reference_end": start + dt.timedelta(weeks=4),
            },
        )
        for kind in ("performance", "fairness", "oversight")
    ]


DEMO_APPS = ("transparency", "people", "remedy", "procurement")


def _app_demos():
    """Each app's demo module (ombuds/<app>/demo.py), for what its own controls ask."""
    import importlib

    for app in DEMO_APPS:
        try:
            yield importlib.import_module(f"ombuds.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"ombuds.{app}.demo":
                raise


def app_evidence(system, people: dict) -> None:
    for demo in _app_demos():
        if hasattr(demo, "evidence"):
            demo.evidence(system, people)


def app_extras(system, people: dict) -> None:
    """After deployment: notices and appeals, a procurement, public records of the others."""
    for demo in _app_demos():
        if hasattr(demo, "extras"):
            demo.extras(system, people)
