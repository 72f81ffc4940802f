"""End-to-end: the team lead dispatches a member on the incident page and the member acknowledges there,
in headless Chromium on the demo data (set-up shared in ungcuu/tests/browser.py)."""

import re

import pytest

from ungcuu.accounts.models import User
from ungcuu.incidents.models import Incident, Responder
from ungcuu.tests.browser import require_chromium

pytestmark = pytest.mark.e2e
require_chromium()

from playwright.sync_api import expect  # noqa: E402 - only once the browser is known to be there

from ungcuu.tests.browser import log_in, screenshot  # noqa: E402

DDOS = "Tấn công từ chối dịch vụ (DDoS)"


def test_the_lead_dispatches_a_member_who_acknowledges_on_the_incident_page(new_page):
    incident = Incident.objects.get(description__startswith=DDOS)
    member = User.objects.get(username="thanhvien")

    lead = new_page()
    log_in(lead, "doitruong")
    lead.goto(f"/incidents/{incident.reference}/")
    panel = lead.locator("#coordination")
    panel.locator("summary", has_text=re.compile("Dispatch|Điều động", re.I)).first.click()
    form = panel.locator("#dispatch-form")
    form.locator("select[name=user]").select_option(str(member.pk))
    form.locator("input[name=role]").fill("Phân tích lưu lượng")
    form.locator("button[type=submit]").click()
    row = lead.locator(f"#responders tr:has-text('{member.get_full_name()}')")
    expect(row).to_contain_text("Phân tích lưu lượng")
    expect(row.locator(".badge.unverified")).to_be_visible()
    screenshot(lead, "coordination-dispatched.png")

    responder = Responder.objects.get(incident=incident, user=member)
    other = new_page()
    log_in(other, "thanhvien")
    other.goto(f"/incidents/{incident.reference}/")
    other.locator("#acknowledge-dispatch").click()
    own_row = other.locator(f"#responder-{responder.pk}")
    expect(own_row.locator(".badge.unverified")).to_have_count(0)
    expect(other.locator("#acknowledge-dispatch")).to_have_count(0)
    screenshot(other, "coordination-acknowledged.png")
    responder.refresh_from_db()
    assert responder.acknowledged_at is not None

    lead.reload()
    expect(lead.locator(f"#responder-{responder.pk} .badge.unverified")).to_have_count(0)
