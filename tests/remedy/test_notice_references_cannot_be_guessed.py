"""Notice references carry 80 bits, grouped to be read aloud; older short references still work;
a wrong reference gets one answer whatever the reason; and references not found count toward
the network's hourly limit (in the database), so they cannot be tried one after another."""

from __future__ import annotations

import re

from ombuds.remedy import services
from ombuds.remedy.models import Appeal, Notice

from .helpers import APPELLANT, NOTICE


def post(client, ref, ip="203.0.113.60"):
    data = {**APPELLANT, "system": "", "contact_address": "", "website": ""}
    return client.post("/public/appeal/", {**data, "notice_reference": ref}, REMOTE_ADDR=ip)


def test_a_new_reference_has_80_bits_in_groups_of_four(world, notice):
    assert re.fullmatch(r"N-([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", notice.reference)
    bits = 16 * 5  # 16 characters from a 32-letter alphabet
    assert bits >= 80


def test_a_reference_is_found_however_it_is_typed(world, client, notice):
    typed = notice.reference.replace("-", " ").lower()
    assert post(client, typed).status_code == 200
    assert Appeal.objects.get().notice == notice


def test_an_old_short_reference_stays_valid(world, client, notice):
    Notice.objects.filter(pk=notice.pk).update(reference="N-ABCD2345")
    assert post(client, "n-abcd2345").status_code == 200
    assert Appeal.objects.get().notice_id == notice.pk


def test_failed_look_ups_count_toward_the_hourly_limit(world, client, notice, settings):
    settings.OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR = 3
    for n in range(3):
        assert post(client, f"N-AAAA-BBBB-CCCC-DDD{n + 2}").status_code == 400
    from django.core.cache import cache

    cache.clear()  # the count lives in the database, not in a process's memory
    blocked = post(client, notice.reference)
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert not Appeal.objects.exists()
    assert post(client, notice.reference, ip="198.51.100.61").status_code == 200


def test_another_agencys_notice_gets_the_same_answer_as_none(world, client):
    other = services.issue_notice(world.other_lead, world.system_b, dict(NOTICE))
    client.force_login(world.users["case_worker"])
    data = {**APPELLANT, "channel": "phone", "system": world.system_a.pk, "contact_address": ""}
    url = f"/agencies/{world.a.slug}/appeals/new/"
    theirs = client.post(url, {**data, "notice_reference": other.reference}).content.decode()
    unknown = client.post(url, {**data, "notice_reference": "N-AAAA-BBBB-CCCC-DDDD"})
    assert "We found no notice with the reference" in theirs
    assert "We found no notice with the reference" in unknown.content.decode()
    assert world.system_b.name not in theirs and "another system" not in theirs
    assert not Appeal.objects.exists()
