"""End-to-end tests in a real browser: Debian's headless Chromium driven by Playwright against live_server.

The browser is never downloaded: /usr/bin/chromium is used. Without it the module is skipped, unless
UNGCUU_REQUIRE_BROWSER=1 (set in CI), in which case the tests fail. Screenshots go to test-artifacts/.
Contexts use the "en-US" locale on purpose: pages must still come in Vietnamese until the user switches.
"""

import re

import pytest

from ungcuu import demo
from ungcuu.registry.models import InformationSystem
from ungcuu.tests.browser import require_chromium

pytestmark = pytest.mark.e2e
require_chromium()

from playwright.sync_api import expect  # noqa: E402 - only once the browser is known to be there

from ungcuu.tests.browser import ARTIFACTS, log_in  # noqa: E402

PORTAL = "Cổng thông tin điện tử tỉnh Quảng Ngãi"
HIS = "Hệ thống thông tin quản lý bệnh viện (HIS)"
HEALTH_WEBSITE = "Trang thông tin điện tử Sở Y tế"
ALL_SYSTEMS = [row[0] for row in demo.SYSTEMS]
HEALTH_SYSTEMS = [HIS, HEALTH_WEBSITE]


def system_pk(name):
    return InformationSystem.objects.get(name=name).pk


def stored_ranges(pk):
    return sorted(InformationSystem.objects.get(pk=pk).networks.values_list("cidr", flat=True))


def heading(page):
    return page.locator("main h1")


def system_names(page):
    return page.locator("main table tbody tr td:first-child a")


# Tests -------------------------------------------------------------------------------------------


def test_visitor_gets_vietnamese_login_page_served_only_from_this_server(page, live_server):
    """Opening the address sends a visitor to the sign-in page, in Vietnamese ("Đăng nhập"), styled
    by the system's own CSS and JavaScript: nothing is fetched from another site, so the page works
    on a closed government network."""
    requests, failed = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    static_status = {}
    page.on("response", lambda r: static_status.update({r.url: r.status}) if "/static/" in r.url else None)

    page.goto("/")
    page.wait_for_load_state("networkidle")

    assert page.url == f"{live_server.url}/accounts/login/?next=/"
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(heading(page)).to_have_text("Đăng nhập")
    expect(page.locator("main form input[name=username]")).to_be_visible()
    expect(page.locator("main form input[name=password]")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "login_vi.png", full_page=True)

    foreign = [url for url in requests if not url.startswith(f"{live_server.url}/")]
    assert foreign == [], f"requests to another host: {foreign}"
    assert failed == [], f"failed requests: {failed}"
    static = sorted(static_status)
    assert any(re.search(r"/static/.+\.css$", url) for url in static), static
    assert any(re.search(r"/static/.+\.js$", url) for url in static), static
    assert all(url.startswith(f"{live_server.url}/static/") for url in static), static
    assert {url: status for url, status in static_status.items() if status != 200} == {}
    # Both stylesheets (Pico and the app's own) are attached to the page.
    assert page.evaluate("document.styleSheets.length") >= 2


def test_standing_officer_browses_the_systems_list_and_opens_a_system(page, live_server):
    """The standing officer signs in with the demo password, arrives on the home page, follows the
    "Hệ thống thông tin" link in the menu's "Danh mục" (registry) group, sees all 8 demo systems and opens
    the provincial portal,
    whose domain name quangngai.gov.vn is shown."""
    log_in(page, "thuongtruc")
    assert page.url == f"{live_server.url}/"
    expect(page.locator("header nav")).to_contain_text("Phạm Minh Đức")

    page.locator("header nav summary", has_text="Danh mục").click()  # the registry group opens
    page.locator("header nav").get_by_role("link", name="Hệ thống thông tin", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/registry/systems/")
    expect(heading(page)).to_have_text("Hệ thống thông tin")
    expect(system_names(page)).to_have_count(len(ALL_SYSTEMS))
    assert sorted(system_names(page).all_inner_texts()) == sorted(ALL_SYSTEMS)
    page.screenshot(path=ARTIFACTS / "systems_vi.png", full_page=True)

    system_names(page).get_by_text(PORTAL, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/registry/systems/{system_pk(PORTAL)}/")
    expect(heading(page)).to_contain_text(PORTAL)
    expect(page.locator("dl.fields dd").filter(has_text=re.compile(r"^quangngai\.gov\.vn$"))).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "system_detail_vi.png", full_page=True)


def test_wrong_password_shows_an_error_and_does_not_sign_in(page, live_server):
    """A wrong password keeps the user on the sign-in page with an error message; the user name stays
    filled in, and the user is still not signed in afterwards."""
    log_in(page, "thuongtruc", password="not-the-password", expect_success=False)

    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    expect(heading(page)).to_have_text("Đăng nhập")
    alert = page.locator("main form [role=alert]")
    expect(alert).to_be_visible()
    assert alert.inner_text().strip()
    expect(page.locator("main form input[name=username]")).to_have_value("thuongtruc")
    expect(page.locator("main form input[name=password]")).to_have_value("")
    page.screenshot(path=ARTIFACTS / "login_wrong_password_vi.png", full_page=True)

    assert "sessionid" not in {cookie["name"] for cookie in page.context.cookies()}
    page.goto("/registry/systems/")
    assert page.url == f"{live_server.url}/accounts/login/?next=/registry/systems/"


def test_reporter_sees_only_own_agency_systems(page, live_server):
    """The reporter of Sở Y tế sees only Sở Y tế's systems (the hospital's HIS and the department's
    website), not the provincial portal; typing the portal's address directly gives "not found"."""
    log_in(page, "baocao")
    assert page.url == f"{live_server.url}/"

    page.goto("/registry/systems/")
    expect(heading(page)).to_have_text("Hệ thống thông tin")
    expect(system_names(page)).to_have_count(len(HEALTH_SYSTEMS))
    assert sorted(system_names(page).all_inner_texts()) == sorted(HEALTH_SYSTEMS)
    expect(page.locator("main table")).to_contain_text(HIS)
    expect(page.locator("main table")).not_to_contain_text(PORTAL)

    portal = system_pk(PORTAL)
    for path in (f"/registry/systems/{portal}/", f"/registry/systems/{portal}/edit/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404, path
        expect(page.locator("main")).not_to_contain_text(PORTAL)
        expect(page.locator("html")).to_have_attribute("lang", "vi")

    # Their own agency's system opens normally.
    response = page.goto(f"/registry/systems/{system_pk(HIS)}/")
    assert response is not None and response.status == 200
    expect(heading(page)).to_contain_text(HIS)


def test_language_switch_turns_the_page_english_and_back(page, live_server):
    """The "English" button in the header shows the same page in English ("Information systems");
    the "Tiếng Việt" button turns it back to Vietnamese ("Hệ thống thông tin")."""
    log_in(page, "thuongtruc")
    page.goto("/registry/systems/")
    expect(heading(page)).to_have_text("Hệ thống thông tin")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.locator('header button[name=language][value="en"]').click()
    expect(page).to_have_url(f"{live_server.url}/registry/systems/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page)).to_have_text("Information systems")
    expect(page.locator("header nav")).to_contain_text("Sign out")
    page.screenshot(path=ARTIFACTS / "systems_en.png", full_page=True)

    page.locator('header button[name=language][value="vi"]').click()
    expect(page).to_have_url(f"{live_server.url}/registry/systems/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(heading(page)).to_have_text("Hệ thống thông tin")


def test_systems_list_is_usable_on_a_phone(new_page, live_server):
    """On a 390×844 phone screen the systems table scrolls sideways inside its own box, while the page
    itself never scrolls sideways."""
    page = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                    has_touch=True)
    log_in(page, "thuongtruc")
    page.goto("/registry/systems/")
    expect(system_names(page)).to_have_count(len(ALL_SYSTEMS))
    page.screenshot(path=ARTIFACTS / "systems_phone.png", full_page=True)

    wrap = page.locator("main .table-wrap")
    expect(wrap.locator("> table")).to_have_count(1)
    assert wrap.evaluate("el => getComputedStyle(el).overflowX") in ("auto", "scroll")
    box = wrap.evaluate("el => ({client: el.clientWidth, scroll: el.scrollWidth})")
    assert box["client"] <= 390
    if box["scroll"] > box["client"]:  # A wide table: the box itself scrolls.
        assert wrap.evaluate("el => { el.scrollLeft = 50; return el.scrollLeft; }") > 0

    widths = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"] + 1, widths


def test_administrator_edits_a_system_and_a_bad_ip_range_is_refused(page, live_server):
    """The administrator edits the provincial portal. The level list only offers levels 1–5. A
    malformed range (10.0.0.300/24) is refused with a message next to the IP-ranges box and nothing
    is saved; adding 192.0.2.0/28 then saves and shows on the system's page."""
    pk = system_pk(PORTAL)
    before = stored_ranges(pk)
    assert before == ["203.0.113.0/28"]
    log_in(page, "admin")
    page.goto(f"/registry/systems/{pk}/")
    page.locator(f'main a[href="/registry/systems/{pk}/edit/"]').click()
    expect(page).to_have_url(f"{live_server.url}/registry/systems/{pk}/edit/")

    level = page.locator("main form select[name=level]")
    assert level.locator("option").evaluate_all("options => options.map(o => o.value)") == [
        "1", "2", "3", "4", "5"]
    expect(level).to_have_value("3")
    ranges = page.locator("main form textarea[name=ip_ranges]")
    expect(ranges).to_have_value("203.0.113.0/28")

    ranges.fill("203.0.113.0/28\n10.0.0.300/24")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server.url}/registry/systems/{pk}/edit/")
    expect(ranges).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_ip_ranges_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("10.0.0.300/24")
    assert "id_ip_ranges_error" in (ranges.get_attribute("aria-describedby") or "").split()
    # Shown right next to the box: between its label and the box itself.
    assert ranges.evaluate("el => el.previousElementSibling && el.previousElementSibling.id") == "id_ip_ranges_error"
    expect(ranges).to_have_value("203.0.113.0/28\n10.0.0.300/24")
    page.screenshot(path=ARTIFACTS / "system_edit_error_vi.png", full_page=True)
    assert stored_ranges(pk) == before

    ranges.fill("203.0.113.0/28\n192.0.2.0/28")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/registry/systems/{pk}/")
    expect(page.locator("dl.fields dd").filter(has_text="192.0.2.0/28")).to_contain_text("203.0.113.0/28")
    assert stored_ranges(pk) == ["192.0.2.0/28", "203.0.113.0/28"]
    system = InformationSystem.objects.get(pk=pk)
    assert system.level == 3
    assert system.domain_names() == ["quangngai.gov.vn"]
