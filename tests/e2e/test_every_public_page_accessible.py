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


FOCUSABLE = (
    "main form[method=post] input:not([type=hidden]), main form[method=post] select, "
    "main form[method=post] textarea, main form[method=post] button"
)


def test_every_public_form_is_reachable_with_the_keyboard(browser, live_server, world):
    """Tab from the top of each page with a form: every visible field and button of the form is
    reached, in the order it is shown (the honeypot, hidden from everyone, is not; a group of
    radio buttons is one stop, its choices are taken with the arrow keys)."""
    objects: dict = {}
    for helpers in app_helpers():
        more = getattr(helpers, "matrix_records", None)
        if more is not None:
            objects.update(more(world, True))
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    problems, forms = [], 0
    for route, name in public_pages():
        page.goto(live_server.url + fill(route, world, True, objects))
        wanted = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
                .filter(e => e.offsetParent !== null && !e.disabled && e.tabIndex >= 0)
                .map(e => e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name || e.textContent.trim()))
                .filter((v, i, all) => all.indexOf(v) === i)""",
            FOCUSABLE,
        )
        if not wanted:
            continue
        forms += 1
        reached = []
        where = """() => { const e = document.activeElement;
                   return e && e.closest('main form[method=post]')
                     ? (e.type === 'radio' ? 'radio:' + e.name
                        : (e.id || e.name || e.textContent.trim())) : null; }"""
        here = page.evaluate(where)  # a field with autofocus starts there
        for _step in range(len(wanted) + 40):
            if here is not None and here not in reached:
                reached.append(here)
            if len(reached) == len(wanted):
                break
            page.keyboard.press("Tab")
            here = page.evaluate(where)
        if reached != wanted:
            problems.append(f"{name}: reached {reached}, expected {wanted}")
    context.close()
    assert forms >= 5, forms  # report, appeal, opt-out, record error, comment, vendor…
    assert not problems, "\n".join(problems)
