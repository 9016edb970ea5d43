"""A comment is checked against the consultation as it is when it is stored, not as the page
read it: a consultation closed in the meantime (another request, another process) takes no
comment."""

from __future__ import annotations

import pytest

from ombuds.transparency import services
from ombuds.transparency.models import Consultation, ConsultationComment
from tests.transparency.helpers import open_consultation, publish


def test_a_consultation_closed_after_the_page_was_read_refuses(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    opened = open_consultation(world.system_a, world.lead)
    as_read = Consultation.objects.get(pk=opened.pk)  # what the public page had in hand
    services.close_consultation(world.lead, Consultation.objects.get(pk=opened.pk))
    assert as_read.closed_at is None and as_read.is_open()
    with pytest.raises(services.PublicationRefused) as refused:
        services.submit_comment(as_read, answers={None: "Just in time?"})
    assert refused.value.rule == "consultation-closed"
    assert not ConsultationComment.objects.exists()
