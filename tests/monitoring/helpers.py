"""Records the permission matrix (tests/core/test_permission_matrix.py) needs for the routes of
the monitoring app."""

from __future__ import annotations


def matrix_records(world, own: bool) -> dict[str, int]:
    """One monitor and one alert in agency A (own) or B, by the URL parameter that names them."""
    from ombuds.monitoring.models import Alert
    from tests.assessments.builders import watch

    system = world.system_a if own else world.system_b
    lead = world.lead if own else world.other_lead
    monitor = watch(system, lead)
    alert = Alert.objects.create(
        system=system,
        monitor=monitor,
        severity="warning",
        metric="override_rate",
        message="override rate above the warning threshold",
    )
    return {"monitor": monitor.pk, "alert": alert.pk}
