"""A result is kept as the JSON it is, whether it came over HTTP or was made in Python by
`ombuds.assurance.audit` (numpy numbers and all)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from ombuds.assurance import audit
from ombuds.assurance.report import to_json
from ombuds.evaluations import services

from .conftest import decision_log


def test_an_engine_result_made_in_python_is_kept_as_its_json(world):
    doc = audit(decision_log(gap=True), label="outcome", prediction="decision", protected=["sex"])
    doc["rows"] = np.int64(doc["rows"])  # what a notebook may hand over
    evaluation = services.record_result(world.users["assessor"], world.system_a, doc)
    evaluation.refresh_from_db()
    assert evaluation.result == json.loads(to_json(doc))
    assert evaluation.flagged and evaluation.covers == ["sex_gender"]


def test_a_result_that_is_not_plain_json_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.record_result(
            world.lead,
            world.system_a,
            {"schema": "ombuds.audit/1", "config": {"protected": ["sex"]}, "x": float("nan")},
        )
    assert "not finite" in refused.value.message_dict["result"][0]
    assert not world.system_a.evaluations.exists()
