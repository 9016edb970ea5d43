"""A name a commenter asked not to show is not shown to anyone: the agency's staff page of the
consultation says it was withheld at the commenter's request, as the public page hides it; a
name the commenter agreed to show appears on both."""

from __future__ import annotations

from ombuds.transparency import services
from tests.transparency.helpers import open_consultation, publish

HIDDEN, SHOWN = "Hidden Hortensia", "Shown Samuel"


def test_staff_see_only_names_the_commenter_agreed_to_show(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    consultation = open_consultation(world.system_a, world.lead)
    hidden = services.submit_comment(consultation, answers={None: "Please check."}, name=HIDDEN)
    shown = services.submit_comment(
        consultation, answers={0: "Fair enough."}, name=SHOWN, show_name=True
    )
    for comment in (*hidden, *shown):
        services.moderate(world.lead, comment, True)
    url = f"/systems/{world.system_a.pk}/consultations/{consultation.pk}/"
    for role in ("viewer", "case_worker", "system_owner", "governance_lead"):
        client.force_login(world.users[role])
        page = client.get(url).content.decode()
        assert HIDDEN not in page, role
        assert SHOWN in page, role
        assert "(name withheld at the commenter's request)" in page, role
    public = client.get(f"/public/systems/{world.system_a.pk}/consultations/{consultation.pk}/")
    assert HIDDEN not in public.content.decode() and SHOWN in public.content.decode()
