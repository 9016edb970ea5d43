"""An answer to a reported error is given once: the person read it through their status link,
so it is not rewritten afterwards (like an opt-out request, once handled)."""

from __future__ import annotations

import pytest

from ombuds.transparency import services
from ombuds.transparency.models import ErrorStatus, RecordErrorReport
from tests.transparency.helpers import publish


def test_an_answered_report_is_not_answered_again(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    report, _token = services.report_record_error(world.system_a, description="Wrong contact.")
    services.answer_record_error(world.lead, report, ErrorStatus.CORRECTED, "Fixed, thank you.")
    with pytest.raises(services.PublicationRefused):
        services.answer_record_error(world.lead, report, ErrorStatus.REJECTED, "Not an error.")
    client.force_login(world.users["system_owner"])
    url = f"/systems/{world.system_a.pk}/record-errors/{report.pk}/"
    page = client.post(
        url, {"status": "rejected", "answer": "Not an error after all."}, follow=True
    ).content.decode()
    assert "already answered" in page
    assert 'name="answer"' not in page
    found = RecordErrorReport.objects.get(pk=report.pk)
    assert (found.status, found.answer) == (ErrorStatus.CORRECTED, "Fixed, thank you.")
