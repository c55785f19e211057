"""Browser-test harness: Playwright's sync API driving Debian's Chromium (/usr/bin/chromium)
against pytest-django's `live_server` (which serves static files through staticfiles'
handler, so site.css and django_htmx's htmx.min.js load as in development).

Playwright's own browser download does not work on closed networks, hence executable_path.
Without /usr/bin/chromium the tests skip locally; under CI=true they fail instead.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KIEMDIEM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API keeps an asyncio event loop running in the main thread, and Django
# refuses ORM calls from a thread with a running loop unless this is set. The browser tests
# (and their fixtures) call the ORM from that thread, so the browser conftest turns it off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: run `make browser-deps` (bash scripts/install-chromium.sh)"
        if _in_ci():
            pytest.fail(message + " — browser tests must run under CI", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session", autouse=True)
def _static_root_exists():
    # WhiteNoise warns on every live-server start when STATIC_ROOT is missing; static files are
    # served from the apps by the live server's staticfiles handler, so an empty dir is enough.
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def browser_cast(transactional_db):
    """The shared test cast (kiemdiem.testing), committed so the live server thread sees it."""
    from kiemdiem.testing import build_cast

    return build_cast()


class PageProblems:
    """Console errors, uncaught page errors and failed/4xx-5xx requests seen by a page."""

    def __init__(self, page):
        self.items: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.items.append(f"pageerror: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", lambda resp: resp.status >= 400 and self.items.append(f"HTTP {resp.status}: {resp.url}"))

    def _request_failed(self, request):
        error = request.failure or ""
        if "ERR_ABORTED" in error:  # cancelled by a navigation or an htmx swap: not a failure
            return
        self.items.append(f"requestfailed: {request.method} {request.url} {error}")

    def _console(self, msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if url.endswith("/favicon.ico"):  # Chromium asks for it on its own; there is none
            return
        self.items.append(f"console: {msg.text} ({url})" if url else f"console: {msg.text}")

    def assert_none(self):
        hints = []
        csp_style = [i for i in self.items if "Content Security Policy" in i and "inline style" in i]
        if any("htmx" in i for i in csp_style):
            hints.append(
                "htmx 2 injects an inline <style> for .htmx-indicator, which the CSP blocks: put "
                "<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false}'> in base.html "
                "and style .htmx-indicator in site.css"
            )
        if any("htmx" not in i for i in csp_style):
            hints.append(
                "a template uses style=\"...\" (or <style>), which the CSP (style-src 'self') blocks: "
                "use classes from site.css instead (e.g. class=\"depth-{{ n }}\")"
            )
        hint = "".join(f"\n({h})" for h in hints)
        assert not self.items, "problems in the browser:\n" + "\n".join(self.items) + hint


@pytest.fixture
def new_page(browser, live_server, request):
    """new_page(viewport=DESKTOP) -> (page, problems). Pages get `page.shot(name)` which saves
    test-artifacts/<test>-<name>.png; a failing test leaves a `-failure.png` behind."""
    contexts = []
    pages = []
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def make(viewport=DESKTOP, locale="vi-VN"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems(page)

        def shot(name: str):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{test_name}-{name}.png"), full_page=True)

        page.shot = shot
        pages.append(page)
        return page, problems

    yield make

    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for i, page in enumerate(pages):
            try:
                page.shot(f"failure{i or ''}")
            except Exception:  # the page may be gone; the failure itself is what matters
                pass
    for context in contexts:
        context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)

