"""A notice must tell the person how to appeal: while the system has no appeal route (the gate
control's gaps), no notice is issued, one by one or in a batch."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ombuds.registry.models import AISystem
from ombuds.remedy import services
from ombuds.remedy.models import AppealRoute, Notice

from .helpers import NOTICE


def test_no_template_chosen_no_notice(world, client, token_for):
    AppealRoute.objects.filter(system=world.system_a).delete()
    with pytest.raises(ValidationError) as err:
        services.issue_notice(world.lead, world.system_a, dict(NOTICE))
    assert "no notice template is chosen" in str(err.value)
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/notices",
        dict(NOTICE),
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 422
    assert not Notice.objects.exists()


def test_no_public_contact_no_batch(world):
    AISystem.objects.filter(pk=world.system_a.pk).update(public_contact="")
    world.system_a.refresh_from_db()
    text = ",".join(services.CSV_COLUMNS) + "\nC-1,Refused,Income,en,2026-03-01,P-1\n"
    with pytest.raises(ValidationError) as err:
        services.issue_batch(world.lead, world.system_a, text)
    assert "public contact" in str(err.value)
    assert not Notice.objects.exists()
