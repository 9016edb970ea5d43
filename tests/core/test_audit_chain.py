"""The audit log is a chain nobody can quietly rewrite: edits and deletions are found and named."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from ombuds.core import audit
from ombuds.core.models import AuditEvent
from ombuds.registry import lifecycle, services


def verify_cli() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("auditlog", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def history(world):
    services.update_system(world.lead, world.system_a, {"team": "Team 1"})
    services.update_system(world.lead, world.system_a, {"team": "Team 2"})
    lifecycle.transition(world.system_a, "development", "built", world.lead)
    services.update_system(world.lead, world.system_a, {"vendor_name": "Acme"})
    return list(AuditEvent.objects.order_by("id"))


def test_changes_are_recorded_with_before_and_after(history, world):
    team_changes = [
        e.changes["team"] for e in history if e.action == "system.update" and "team" in e.changes
    ]
    assert team_changes == [{"from": "", "to": "Team 1"}, {"from": "Team 1", "to": "Team 2"}]
    assert all(e.actor == world.lead and e.agency == world.a for e in history)
    assert [e.id for e in history] == list(range(history[0].id, history[0].id + len(history)))


def test_intact_chain_verifies(history):
    assert audit.verify().ok
    code, text = verify_cli()
    assert code == 0 and f"{len(history)} events verified" in text


def test_an_edited_event_is_named(history):
    target = history[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET changes = %s WHERE id = %s",
            ['{"team": {"from": "", "to": "Someone else"}}', target.id],
        )
    result = audit.verify()
    assert not result.ok and result.broken_event_id == target.id
    code, text = verify_cli()
    assert code == 1 and f"event {target.id}" in text


def test_an_edited_actor_is_named(history):
    target = history[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["mallory", target.id]
        )
    assert audit.verify().broken_event_id == target.id


def test_a_deleted_event_is_found(history):
    target = history[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [target.id])
    result = audit.verify()
    assert not result.ok and result.broken_event_id == target.id
    assert verify_cli()[0] == 1


def test_a_deleted_newest_event_is_found(history):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [history[-1].id])
    assert not audit.verify().ok


def test_deleting_the_first_events_is_found(history):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [history[0].id])
    assert audit.verify().broken_event_id is not None


def test_a_rehashed_forgery_is_still_caught_by_the_next_link(history):
    target = history[1]
    forged = AuditEvent.objects.get(pk=target.pk)
    forged.changes = {"team": {"from": "", "to": "Forged"}}
    forged.hash = audit.compute_hash(forged)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET changes = %s, hash = %s WHERE id = %s",
            ['{"team": {"from": "", "to": "Forged"}}', forged.hash, target.id],
        )
    result = audit.verify()
    assert not result.ok and result.broken_event_id == history[2].id


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(world):
    with pytest.raises(RuntimeError):
        audit.record(action="x", obj=world.system_a)


def test_history_page_and_endpoint_show_the_changes(history, world, client, token_for):
    client.force_login(world.users["viewer"])
    html = client.get(f"/systems/{world.system_a.pk}/history/").content.decode()
    assert "Team 1" in html and "Team 2" in html and "system.transition" in html
    data = client.get(
        f"/api/v1/systems/{world.system_a.pk}/history", headers=token_for(world.users["viewer"])
    ).json()
    assert data["count"] == len(history)
    assert data["items"][0]["id"] == history[0].id
    assert data["items"][-1]["changes"]["vendor_name"] == {"from": "", "to": "Acme"}
