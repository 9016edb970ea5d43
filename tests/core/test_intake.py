"""The machinery every form taken from the public without an account shares
(ombuds.core.intake): text cleaning, references, secret links, keyed network hashes, hourly
limits and private pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from ombuds.core import intake

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _report(world, reference: str, secret: str = "s3cret", *, at=T0, digest: str = ""):
    from ombuds.feedback.models import Report

    return Report.objects.create(
        agency=world.a,
        reference=reference,
        token_digest=hashlib.sha256(secret.encode()).hexdigest(),
        kind="harm",
        description="d",
        channel="public",
        client_hash=digest,
        received_at=at,
        respond_by=at + dt.timedelta(days=10),
    )


# --- free text ---------------------------------------------------------------------------------


def test_text_is_stripped_and_problems_are_named_by_field():
    errors: dict[str, str] = {}
    assert intake.clean_text(errors, "a", "  hello  ", 10) == "hello"
    assert intake.clean_text(errors, "b", None, 10) == ""
    assert errors == {}
    intake.clean_text(errors, "c", "   ", 10, required=True)
    intake.clean_text(errors, "d", "x" * 11, 10)
    intake.clean_text(errors, "e", 42, 10)
    assert errors == {
        "c": "This field is required.",
        "d": "At most 10 characters (you wrote 11).",
        "e": "Give text.",
    }


def test_screening_refuses_nul_characters_only_when_asked():
    plain: dict[str, str] = {}
    intake.clean_text(plain, "note", "nul\x00", 100)
    screened: dict[str, str] = {}
    intake.clean_text(screened, "note", "nul\x00", 100, screen=True)
    assert plain == {} and "note" in screened


# --- references and secrets --------------------------------------------------------------------


def test_a_new_reference_is_grouped_and_uses_only_unambiguous_characters():
    ref = intake.new_reference("R")
    assert re.fullmatch(
        r"R-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}", ref
    )
    long = intake.new_reference("N", alphabet="AB", length=16, group=4)
    assert re.fullmatch(r"N(-[AB]{4}){4}", long)
    assert re.fullmatch(r"AP-[AB]{8}", intake.new_reference("AP", alphabet="AB", group=8))


def test_normalising_a_reference_ignores_case_and_surrounding_space():
    assert intake.normalise_reference("  r-abcd-efgh \n") == "R-ABCD-EFGH"
    assert intake.normalise_reference(None) == ""


def test_only_the_digest_of_a_new_secret_is_handed_to_be_stored():
    raw, digest = intake.new_secret()
    assert len(raw) >= 32 and raw not in digest
    assert digest == hashlib.sha256(raw.encode()).hexdigest()
    assert intake.secret_matches(digest, raw)
    assert not intake.secret_matches(digest, raw + "x")


def test_no_digest_no_secret_or_an_oversize_secret_never_match():
    _raw, digest = intake.new_secret()
    assert not intake.secret_matches(None, "anything")
    assert not intake.secret_matches(digest, "")
    assert not intake.secret_matches(digest, None)
    assert not intake.secret_matches(digest, "x" * 201)


@pytest.mark.django_db
def test_a_row_is_found_only_by_its_reference_and_its_secret(world):
    from ombuds.feedback.models import Report

    report = _report(world, "R-ABCD-EFGH", "right-secret")
    _report(world, "R-WXYZ-2345", "other-secret")
    rows = Report.objects.all()
    assert intake.find_by_secret(rows, "R-ABCD-EFGH", "right-secret") == report
    assert intake.find_by_secret(rows, "R-ABCD-EFGH", "other-secret") is None
    assert intake.find_by_secret(rows, "R-NONE-NONE", "right-secret") is None
    assert intake.find_by_secret(rows, "", "right-secret") is None
    assert intake.find_by_secret(rows, "R-ABCD-EFGH", "") is None


@pytest.mark.django_db
def test_a_unique_reference_skips_those_already_taken(world):
    from ombuds.feedback.models import Report

    _report(world, "R-TAKE-N222")
    offered = iter(["R-TAKE-N222", "R-FREE-3333"])
    assert intake.unique_reference(Report, lambda: next(offered)) == "R-FREE-3333"


# --- the sender's network ----------------------------------------------------------------------


def test_the_network_hash_is_keyed_stable_and_never_the_address(settings):
    settings.OMBUDS_PSEUDONYM_KEY = "key-one"
    one = intake.client_hash("203.0.113.5", "ombuds.test")
    assert one == intake.client_hash(" 203.0.113.5 ", "ombuds.test")
    assert "203.0.113.5" not in one
    assert one != intake.client_hash("203.0.113.6", "ombuds.test")
    assert one != intake.client_hash("203.0.113.5", "ombuds.other")
    settings.OMBUDS_PSEUDONYM_KEY = "key-two"
    assert one != intake.client_hash("203.0.113.5", "ombuds.test")


def test_an_ipv6_household_counts_once_and_mapped_ipv4_as_ipv4():
    home = intake.client_hash("2001:db8:1:2::1", "p")
    assert home == intake.client_hash("2001:db8:1:2:ffff::9", "p")
    assert home != intake.client_hash("2001:db8:1:3::1", "p")
    assert intake.client_hash("::ffff:198.51.100.7", "p") == intake.client_hash("198.51.100.7", "p")
    assert intake.client_hash("not an address", "p") == intake.client_hash("", "p")


def test_the_forwarded_address_counts_only_behind_the_declared_proxy(settings):
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.9", REMOTE_ADDR="192.0.2.1"
    )
    settings.SECURE_PROXY_SSL_HEADER = None
    assert intake.client_address(request) == "192.0.2.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert intake.client_address(request) == "198.51.100.9"


# --- hourly limits -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_wait_runs_until_the_oldest_of_the_hour_is_an_hour_old(world):
    from ombuds.feedback.models import Report

    mine = intake.client_hash("203.0.113.5", "t")
    _report(world, "R-AAAA-2222", at=T0, digest=mine)
    _report(world, "R-AAAA-3333", at=T0 + dt.timedelta(minutes=20), digest=mine)
    _report(world, "R-AAAA-4444", at=T0 + dt.timedelta(minutes=5), digest="someone-else")
    rows = Report.objects.all()
    now = T0 + dt.timedelta(minutes=30)
    assert intake.rate_limited(rows, "received_at", mine, now, 3) is None
    assert intake.rate_limited(rows, "received_at", mine, now, 2) == 30 * 60 + 1
    # An hour after the first, only the second counts.
    later = T0 + dt.timedelta(hours=1, seconds=1)
    assert intake.rate_limited(rows, "received_at", mine, later, 2) is None


@pytest.mark.django_db
def test_network_hashes_are_forgotten_after_a_day(world):
    from ombuds.feedback.models import Report

    old = _report(world, "R-BBBB-2222", at=T0, digest="h1")
    new = _report(world, "R-BBBB-3333", at=T0 + dt.timedelta(hours=20), digest="h2")
    now = T0 + dt.timedelta(hours=25)
    assert intake.forget_client_hashes(Report.objects, "received_at", now) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.client_hash, new.client_hash) == ("", "h2")


def test_a_limit_comes_from_settings_then_environment_then_default(settings, monkeypatch):
    monkeypatch.delenv("OMBUDS_TEST_LIMIT", raising=False)
    assert intake.hourly_limit("OMBUDS_TEST_LIMIT", 7) == 7
    monkeypatch.setenv("OMBUDS_TEST_LIMIT", "9")
    assert intake.hourly_limit("OMBUDS_TEST_LIMIT", 7) == 9
    settings.OMBUDS_TEST_LIMIT = 3
    assert intake.hourly_limit("OMBUDS_TEST_LIMIT", 7) == 3


# --- public pages ------------------------------------------------------------------------------


def test_a_large_body_or_a_filled_honeypot_is_refused_before_reading():
    factory = RequestFactory()
    fine = factory.post("/", {"text": "hello", "website": ""})
    assert intake.screened(fine, "website", 64 * 1024) is None
    trap = factory.post("/", {"text": "hello", "website": "http://spam"})
    assert intake.screened(trap, "website", 64 * 1024) == "honeypot"
    big = factory.post("/", {"text": "x" * 2000, "website": ""})
    assert intake.screened(big, "website", 1000) == "too_large"


def test_a_private_page_is_kept_out_of_caches_referrers_and_search_engines():
    response = intake.private_page(HttpResponse("secret link"))
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
