"""The tracking link shows that case's status and nothing else; a wrong token shows nothing
about any case (the same 404 as for an unknown reference); look-ups are rate-limited."""

from __future__ import annotations

from ombuds.remedy import services

from .helpers import APPELLANT


def test_the_link_shows_the_status_and_no_personal_details(world, client, appeal):
    case, token = appeal
    page = client.get(f"/public/appeal/{case.reference}/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert case.reference in text and "Alpha" in text
    for private in ("Ada", "ada.appellant", "7946", "income was counted twice"):
        assert private not in text
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"


def test_it_shows_only_its_own_case(world, client, appeal, notice):
    case, token = appeal
    other, other_token = services.submit_public_appeal(
        {**APPELLANT, "notice_reference": notice.reference}, client_address="192.0.2.1"
    )
    text = client.get(f"/public/appeal/{case.reference}/{token}/").content.decode()
    assert other.reference not in text
    # One case's token does not open another.
    assert client.get(f"/public/appeal/{other.reference}/{token}/").status_code == 404


def test_a_wrong_token_and_an_unknown_reference_get_the_same_page(world, client, appeal):
    case, token = appeal
    wrong = client.get(f"/public/appeal/{case.reference}/{token[:-2]}xx/")
    unknown = client.get(f"/public/appeal/AP-NOTHING1/{token}/")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert case.reference not in wrong.content.decode()


def test_the_token_carries_at_least_128_bits_and_only_its_hash_is_kept(world, appeal):
    case, token = appeal
    assert len(token) >= 22  # base64url: 6 bits a character
    assert token not in str(case.__dict__.values())


def test_tracking_look_ups_are_rate_limited(world, client, appeal, settings):
    settings.OMBUDS_APPEAL_TRACKING_PER_HOUR = 3
    case, token = appeal
    for _n in range(3):
        client.get(f"/public/appeal/{case.reference}/wrong/", REMOTE_ADDR="203.0.113.50")
    blocked = client.get(f"/public/appeal/{case.reference}/{token}/", REMOTE_ADDR="203.0.113.50")
    assert blocked.status_code == 429 and "Retry-After" in blocked
    other = client.get(f"/public/appeal/{case.reference}/{token}/", REMOTE_ADDR="203.0.113.51")
    assert other.status_code == 200


def test_the_tracking_limit_is_kept_in_the_database(world, client, appeal, settings):
    """Every worker process sees the same count: clearing a process's cache changes nothing,
    and the rows are forgotten after a day."""
    import datetime as dt

    from django.core.cache import cache
    from django.utils import timezone

    from ombuds.remedy import services
    from ombuds.remedy.models import PublicAttempt

    settings.OMBUDS_APPEAL_TRACKING_PER_HOUR = 2
    case, token = appeal
    for _n in range(2):
        client.get(f"/public/appeal/{case.reference}/{token}/", REMOTE_ADDR="203.0.113.70")
        cache.clear()
    blocked = client.get(f"/public/appeal/{case.reference}/{token}/", REMOTE_ADDR="203.0.113.70")
    assert blocked.status_code == 429
    assert "203.0.113.70" not in repr(list(PublicAttempt.objects.values()))
    services.forget_networks(now=timezone.now() + dt.timedelta(days=1, minutes=1))
    assert not PublicAttempt.objects.exists()
