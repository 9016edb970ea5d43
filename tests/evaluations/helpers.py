"""Records the permission matrix (tests/core/test_permission_matrix.py) needs for the routes of
the evaluations app."""

from __future__ import annotations

# The smallest result the API accepts (each protected column with a group compared): what a
# matrix POST of an evaluation sends.
MINIMAL_AUDIT = {
    "schema": "ombuds.audit/1",
    "config": {"protected": ["sex"]},
    "groups": [{"attributes": {"sex": "F"}, "n": 40, "suppressed": False, "metrics": {}}],
    "disparities": [],
    "findings": [],
}

# Request bodies of the evaluations API, by (method, path), in the matrix's BODIES form.
API_BODIES = {
    ("post", "/api/v1/systems/{system_id}/evaluations"): lambda w, own: {"result": MINIMAL_AUDIT},
}


def matrix_records(world, own: bool) -> dict[str, int]:
    """One evaluation in agency A (own) or B, by the URL parameter that names it."""
    from ombuds.evaluations.services import record_result

    system = world.system_a if own else world.system_b
    lead = world.lead if own else world.other_lead
    evaluation = record_result(lead, system, MINIMAL_AUDIT)
    return {"ev": evaluation.pk, "evaluation_id": evaluation.pk}
