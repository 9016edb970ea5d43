"""Every public page, found from the URL configuration rather than listed by hand, loads in
headless Chromium in English, French and Spanish with the page's language declared, and passes
axe-core with no serious or critical violation. A new public page is checked without anyone
remembering to add it here."""

from __future__ import annotations

import pytest

from tests.app_helpers import app_helpers
from tests.core.test_permission_matrix import fill, web_routes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Not pages: machine formats, redirects and actions (each tested where it is built).
NOT_PAGES = {
    "security_txt",
    "logout",
    "healthz",
    "set_language",
    "public_feed",
    "public_register_csv",
    "public_register_json",
    "public_consultation_document",
    "home",
}


def public_pages():
    return [
        (route, p.name)
        for route, p in web_routes()
        if getattr(p.callback, "ombuds_access", None) == "public" and p.name not in NOT_PAGES
    ]


def test_every_public_page_in_three_languages(browser, live_server, world, axe_check):
    objects: dict = {}
    for helpers in app_helpers():
        more = getattr(helpers, "matrix_records", None)
        if more is not None:
            objects.update(more(world, True))
    problems = []
    pages = public_pages()
    assert len(pages) >= 15, pages  # the register, forms, status pages, vendor page…
    for lang in ("en", "fr", "es"):
        context = browser.new_context(locale=lang, extra_http_headers={"Accept-Language": lang})
        page = context.new_page()
        for route, name in pages:
            url = fill(route, world, True, objects)
            response = page.goto(live_server.url + url)
            if response is None or response.status >= 400:
                problems.append(f"{lang} {name} {url}: {response and response.status}")
                continue
            declared = page.evaluate("document.documentElement.lang")
            if declared != lang:
                problems.append(f"{lang} {name} {url}: <html lang={declared!r}>")
            if lang != "es":  # axe once per page is enough for the markup; twice for the words
                for violation in axe_check(page):
                    problems.append(f"{lang} {name} {url}: {violation}")
        context.close()
    assert not problems, "\n".join(problems)
