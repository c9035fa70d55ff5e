"""The `diurna serve` page in a real browser: Debian's Chromium driven by Playwright.

Skipped, with the reason in the summary, when Chromium or Playwright is missing (`.ci/run`
installs both).
"""
from __future__ import annotations

import socket
import threading
import time
from urllib.parse import parse_qs, urlparse

import pytest
import uvicorn

from diurna.serve import create_app
from diurna.serve.browser import chromium_problem, launch
from tests.serve_support import KHARKIV_EVENTS, STORED_EVENTS, XSS_SENTENCE_MARKUP, build_database

_PROBLEM = chromium_problem()
pytestmark = pytest.mark.skipif(_PROBLEM is not None, reason=f"BROWSER TESTS SKIPPED: {_PROBLEM}")
SYRIA = "760"  # ISO numeric id of Syria in the world-atlas outlines


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, coder):
    db = build_database(tmp_path_factory.mktemp("browser") / "serve.duckdb", coder)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, base_url):
    """A fresh page that records console errors, page errors, dialogs and every request."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.errors, page.requests, page.dialogs = [], [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def open_page(page, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}/{query}")
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)


def wait_rows(page, count: int) -> None:
    """Wait until the table shows `count` rows and every view has redrawn (no eval: the CSP forbids it)."""
    from playwright.sync_api import expect

    expect(page.locator("#events tbody tr")).to_have_count(count)
    page.wait_for_selector("body:not([data-busy])", state="attached")


def test_page_loads_with_no_errors_and_nothing_leaves_localhost(page, base_url):
    open_page(page, base_url)
    assert page.errors == []
    assert page.requests and all(url.startswith(base_url + "/") or url.startswith("data:") for url in page.requests)
    assert page.locator("#events tbody tr").count() == STORED_EVENTS
    assert page.locator("#network .node").count() >= 6
    assert page.locator("#timeline rect.bar").count() >= 4
    assert page.locator("#map path.land").count() > 150  # Natural Earth outlines from the world-atlas package


def test_map_shows_the_sample_events_in_syria(page, base_url):
    open_page(page, base_url)
    inside = page.evaluate("""(syria) => {
        const box = document.getElementById('country-' + syria).getBBox();
        return [...document.querySelectorAll('#map circle.point[data-country=SYR]')].map((c) => {
            const [x, y] = [+c.getAttribute('cx'), +c.getAttribute('cy')];
            return [+c.dataset.events, box.x <= x && x <= box.x + box.width && box.y <= y && y <= box.y + box.height];
        });
    }""", SYRIA)
    assert inside and all(within for _, within in inside)
    assert sum(n for n, _ in inside) >= 13  # the sample's 11 Idlib events (its mentions merged) plus Aleppo and Saraqib
    # an event placed at country level has the country's centre point (Sudan)
    assert page.locator("#map circle.point[data-country=SDN]").count() >= 1


def test_a_filter_changes_table_map_and_url(page, base_url):
    open_page(page, base_url)
    before = page.locator("#map circle.point").count()
    page.select_option("select[name=country]", "UKR")
    wait_rows(page, KHARKIV_EVENTS)
    places = page.locator("#events tbody tr td:nth-child(7)").all_text_contents()
    assert places == ["Kharkiv, UKR"] * KHARKIV_EVENTS
    countries = page.locator("#map circle.point").evaluate_all("cs => cs.map(c => c.dataset.country)")
    assert countries == ["UKR"] and before > 1
    assert parse_qs(urlparse(page.url).query) == {"country": ["UKR"]}
    # the URL is the view: opening it again gives the same filtered page
    again = page.context.new_page()
    open_page(again, base_url, "?" + urlparse(page.url).query)
    assert again.locator("#events tbody tr").count() == KHARKIV_EVENTS
    assert again.locator("select[name=country]").input_value() == "UKR"
    assert page.errors == []


def test_network_click_filters_by_actor(page, base_url):
    open_page(page, base_url)
    page.locator("#network .node", has_text="FRAGOV").locator("circle").click()
    wait_rows(page, 2)
    assert page.locator("input[name=actor]").input_value() == "FRAGOV"
    assert "actor=FRAGOV" in page.url


def test_a_row_click_shows_the_evidence_highlighted(page, base_url):
    open_page(page, base_url, "?country=SYR&since=2020-03-07")
    row = page.locator("#events tbody tr", has_text="TURMIL").first
    row.click()
    page.wait_for_selector("#evidence mark.hl-trigger")
    marks = {m.get_attribute("class"): m.text_content() for m in page.locator("#evidence .sentence mark").all()}
    assert marks == {"hl-trigger": "attacked", "hl-source": "Turkish troops", "hl-target": "Syrian forces",
                     "hl-place": "Aleppo", "hl-date": "Saturday"}
    assert "event=" in page.url
    page.click("#show-article")
    assert page.locator("#evidence .article-text mark.hl-trigger").text_content() == "attacked"
    assert page.errors == []
    # the API's link to the article view opens the same evidence and article text
    event_id = parse_qs(urlparse(page.url).query)["event"][0]
    link = page.request.get(f"{base_url}/api/events/{event_id}").json()["article_page_url"]
    shared = page.context.new_page()
    open_page(shared, base_url, link.lstrip("/"))
    assert shared.locator("#evidence .sentence mark.hl-trigger").text_content() == "attacked"
    assert shared.locator("#evidence .article-text mark.hl-trigger").text_content() == "attacked"


def test_an_article_with_markup_renders_inert(page, base_url):
    open_page(page, base_url, "?country=SYR&since=2020-03-07")
    page.locator("#events tbody tr", has_text="Saraqib").first.click()
    page.wait_for_selector("#evidence mark.hl-trigger")
    # the read stage strips markup from the sentence, outlet and title and drops the javascript: URL
    assert XSS_SENTENCE_MARKUP not in page.locator("#evidence .sentence").text_content()
    evidence = page.locator("#evidence").text_content()
    assert "Evil" in evidence and "pwned-outlet" not in evidence and "javascript:" not in evidence
    page.click("#show-article")
    assert "<script>document.title='pwned-content'</script>" in page.locator("#evidence .article-text").text_content()
    assert page.locator("#evidence img, #evidence script, #events img, #events script, a[href^=javascript]").count() == 0
    assert page.title() == "diurna events" and page.dialogs == [] and page.errors == []


def test_the_api_docs_page_renders_offline(page, base_url):
    page.goto(f"{base_url}/docs")
    page.get_by_text("/api/events/{event_id}", exact=True).wait_for(timeout=20_000)
    assert all(url.startswith(base_url + "/") or url.startswith("data:") for url in page.requests)
    assert page.errors == []


def test_the_map_zooms_in_and_separates_nearby_places(page, base_url):
    open_page(page, base_url)
    labels = lambda: set(page.locator("#map .point-label").all_text_contents())  # noqa: E731
    assert "Aleppo 1" not in labels()  # at world scale Aleppo's label would overlap Idlib's
    box = page.locator("#map circle.point[data-country=SYR]").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(10):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    assert "scale(" in page.locator("#map > g").get_attribute("transform")
    assert {"Aleppo 1", "Saraqib 1"} <= labels() and any(label.startswith("Idlib ") for label in labels())
    assert page.errors == []
