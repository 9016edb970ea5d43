"""Shared fixtures. Tests that need no database run once: with OMBUDS_TEST_DB_ONLY=1 (the
PostgreSQL pass of .ci/run) only tests that touch the database are collected. With
OMBUDS_REQUIRE_ALL_TESTS=1 a skipped test counts as a failure."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from ombuds.core.roles import GOVERNANCE_LEAD, ROLES

REQUIRE_ALL = os.environ.get("OMBUDS_REQUIRE_ALL_TESTS") == "1"
DB_ONLY = os.environ.get("OMBUDS_TEST_DB_ONLY") == "1"
DB_FIXTURES = {"db", "transactional_db", "live_server"}


def uses_db(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    if not DB_ONLY:
        return
    keep = [i for i in items if uses_db(i)]
    dropped = [i for i in items if not uses_db(i)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped, but OMBUDS_REQUIRE_ALL_TESTS=1 forbids skips: {report.longrepr}"
        )


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever the previous one visited."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The public page cache is tested on its own (tests/core/test_public_page_cache.py): the
    # database rolls back between tests but a memory cache would not.
    settings.OMBUDS_PUBLIC_CACHE = 0


@pytest.fixture
def make_user(django_user_model):
    from ombuds.core.models import Membership

    def make(username, agency=None, role=None, superuser=False):
        user = django_user_model.objects.create_user(
            username=username,
            password="correct horse battery",
            email=f"{username}@example.org",
            is_superuser=superuser,
            is_staff=superuser,
        )
        if agency is not None and role is not None:
            Membership.objects.create(user=user, agency=agency, role=role)
        return user

    return make


@pytest.fixture
def make_system():
    from ombuds.registry.models import AISystem

    def make(agency, name="System", **kw):
        kw.setdefault("short_description", "Does something")
        kw.setdefault("sector", "public_benefits")
        return AISystem.objects.create(agency=agency, name=name, **kw)

    return make


@pytest.fixture
def world(db, make_user, make_system):
    """Agency A with one user per role and a system; agency B with its own lead and system."""
    from ombuds.core.models import Agency

    a = Agency.objects.create(slug="agency-a", name="Agency A", country="CA")
    b = Agency.objects.create(slug="agency-b", name="Agency B", country="FR")
    users = {role: make_user(f"a-{role}", a, role) for role in ROLES}
    return SimpleNamespace(
        a=a,
        b=b,
        users=users,
        lead=users[GOVERNANCE_LEAD],
        other_lead=make_user("b-lead", b, GOVERNANCE_LEAD),
        admin=make_user("root", superuser=True),
        system_a=make_system(a, "Alpha"),
        system_b=make_system(b, "Beta"),
    )


@pytest.fixture
def token_for(db):
    from ombuds.core.models import ApiToken

    def issue(user) -> dict:
        _token, raw = ApiToken.issue(user)
        return {"Authorization": f"Bearer {raw}"}

    return issue
