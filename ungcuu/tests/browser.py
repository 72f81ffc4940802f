"""Shared set-up of the end-to-end tests: Debian's headless Chromium driven by Playwright against live_server.

Loaded as a pytest plugin by the root conftest, so its fixtures (browser, new_page, page, demo_data) are
there for every e2e module. The browser is never downloaded: /usr/bin/chromium is used. Without it an
e2e module calling require_chromium() is skipped, unless UNGCUU_REQUIRE_BROWSER=1 (set in CI), in which
case the tests fail.
Screenshots go to test-artifacts/ (and to docs/screenshots/ with UNGCUU_DOCS_SCREENSHOTS=1). Contexts use
the "en-US" locale on purpose: pages must still come in Vietnamese until the user switches.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from ungcuu import demo

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BROWSER_REQUIRED = os.environ.get("UNGCUU_REQUIRE_BROWSER") == "1"
ARTIFACTS = ROOT / "test-artifacts"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots" if os.environ.get("UNGCUU_DOCS_SCREENSHOTS") == "1" else None
DOCS_VIEWPORT = {"width": 1280, "height": 800}



def require_chromium() -> None:
    """Call at the top of an e2e test module: skips it when Playwright or Chromium is missing, unless
    UNGCUU_REQUIRE_BROWSER=1, in which case the tests fail instead."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        if BROWSER_REQUIRED:
            raise
        pytest.skip("the playwright Python package is not installed", allow_module_level=True)
    if not CHROMIUM.exists() and not BROWSER_REQUIRED:
        pytest.skip(f"no Chromium at {CHROMIUM} (set UNGCUU_REQUIRE_BROWSER=1 to fail instead)",
                    allow_module_level=True)


@pytest.fixture(scope="module")
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; let the ORM run here anyway."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(allow_orm_beside_playwright):
    """One headless Chromium for the whole module."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"UNGCUU_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def demo_data(transactional_db):
    demo.load()


@pytest.fixture
def new_page(browser, live_server, demo_data):
    """Open a page in a fresh context (own cookies) on the live server; closed at the end of the test."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-US")
        options.setdefault("viewport", DOCS_VIEWPORT)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, username, password=demo.DEMO_PASSWORD, *, expect_success=True):
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    if expect_success:
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    else:
        page.wait_for_load_state()


def screenshot(page, name, docs_name=None):
    """Full-page screenshot into test-artifacts/, and into docs/screenshots/ when asked for."""
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    if docs_name and DOCS_SCREENSHOTS is not None:
        shutil.copyfile(path, DOCS_SCREENSHOTS / docs_name)
    return path
