"""Decision logs and engine results for the evaluations tests: real `ombuds audit` output, built
in memory from small logs whose gaps are known in advance."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ombuds.assurance import audit
from ombuds.assurance.report import to_json


def decision_log(gap: bool = False, per_group: int = 200) -> pd.DataFrame:
    """Two sexes and two ethnic groups, equally many people in each cell. Without a gap the
    decision equals the outcome for everyone; with one, women are selected far less often."""
    rows = []
    for sex in ("F", "M"):
        for ethnicity in ("X", "Y"):
            for i in range(per_group):
                outcome = i % 2
                decision = outcome
                if gap and sex == "F" and outcome == 1 and i % 10 < 8:
                    decision = 0  # most deserving women are passed over
                rows.append(
                    {
                        "sex": sex,
                        "ethnicity": ethnicity,
                        "outcome": outcome,
                        "decision": decision,
                    }
                )
    return pd.DataFrame(rows)


def audit_result(protected=("sex",), gap: bool = False) -> dict:
    """The JSON document `ombuds audit --format json` writes for such a log."""
    doc = audit(
        decision_log(gap), label="outcome", prediction="decision", protected=list(protected)
    )
    return json.loads(to_json(doc))


@pytest.fixture
def clean_audit():
    return audit_result(("sex", "ethnicity"))


@pytest.fixture
def gap_audit():
    return audit_result(("sex", "ethnicity"), gap=True)


@pytest.fixture
def api(client):
    """JSON calls as a pipeline makes them."""

    class Api:
        def post(self, url, body, headers):
            return client.post(url, body, content_type="application/json", headers=headers)

        def get(self, url, headers):
            return client.get(url, headers=headers)

    return Api()
