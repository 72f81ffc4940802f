"""End-to-end tests of the incident pages in headless Chromium, on the demo data.

The browser set-up is shared with ungcuu/tests/test_e2e_browser.py (ungcuu/tests/browser.py). With
UNGCUU_DOCS_SCREENSHOTS=1 the report form, incident page and incident list are also written to
docs/screenshots/.
"""

import hashlib
import re

import pytest

from ungcuu.incidents.models import Incident, Submission, SubmissionStatus
from ungcuu.registry.models import InformationSystem
from ungcuu.tests.browser import require_chromium

pytestmark = pytest.mark.e2e
require_chromium()

from playwright.sync_api import expect  # noqa: E402 - only once the browser is known to be there

from ungcuu.tests.browser import log_in, screenshot  # noqa: E402

HIS = "Hệ thống thông tin quản lý bệnh viện (HIS)"
HOSPITAL = "Bệnh viện Đa khoa tỉnh Quảng Ngãi"
HEALTH = "Sở Y tế"
REFERENCE = re.compile(r"^SC-\d{4}-\d{4}$")
RANSOMWARE = "mã độc tống tiền"  # in the confidential demo incident on the HIS
DDOS = "Tấn công từ chối dịch vụ (DDoS)"  # the demo incident not yet verified nor classified
LOG_NAME = "his-access.log"
LOG_BYTES = b"2026-11-20 08:12:03 198.51.100.5 POST /his/login 200\n2026-11-20 08:13:44 encryptor.exe started\n"


# Fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Uploaded files go to a temporary store, not the developer's var/evidence."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


# Helpers ------------------------------------------------------------------------------------------


def fill_incident(form, description):
    """Sections 4–8 of Biểu mẫu 03: what the reporter always has to fill in themselves."""
    form.locator("#id_description").fill(description)
    form.locator("#id_detected_at").fill("2026-11-20T08:30")
    form.locator("input[name=handling_status][value=not_handled]").check()
    form.locator("input[name=detection_method][value=log_review]").check()
    form.locator("input[name=notified_parties][value=network_member]").check()


def fill_reporter_details(form):
    """The demo's Sở Y tế has no address, phone or e-mail on record, so these three are not prefilled."""
    form.locator("#id_reporter_address").fill("15A Lê Trung Đình, phường Cẩm Thành")
    form.locator("#id_reporter_phone").fill("0255 3822 123")
    form.locator("#id_reporter_email").fill("syt@demo.quangngai.gov.vn")


def fill_public_reporter(form):
    """Sections 1–3 as a citizen without an account fills them in."""
    for name, value in [
        ("reporter_name", "Nguyễn Thị Hoa"), ("reporter_address", "12 Lê Lợi, phường Cẩm Thành"),
        ("reporter_phone", "0905 123 456"), ("reporter_email", "hoa@example.vn"), ("contact_name", "Nguyễn Thị Hoa"),
        ("contact_phone", "0905 123 456"), ("contact_email", "hoa@example.vn"), ("operator_name", "Không rõ"),
    ]:
        form.locator(f"#id_{name}").fill(value)


def send(form):
    """Press "Send the report" (empty file inputs are sent as the browser sends them)."""
    form.locator("button[name=action][value=submit]").click()


def sent(page):
    """Wait until the report was answered: the acknowledgement, or the form again with an error message."""
    expect(page.locator("#incident-reference, main .messages li.error")).to_be_visible()


def acknowledged_reference(page) -> str:
    reference = page.locator("#incident-reference")
    expect(reference).to_have_text(REFERENCE)
    return reference.inner_text().strip()


def demo_reference(text) -> str:
    return Incident.objects.get(description__contains=text).reference


def rows(page):
    return page.locator("#incident-rows tbody tr")


# Tests --------------------------------------------------------------------------------------------


def test_reporter_picks_a_registered_system_attaches_a_log_and_gets_a_reference(page, live_server):
    """The reporter of Sở Y tế opens the report form with their organisation filled in; choosing the
    HIS fills its operator (the hospital), owner, level 3, IP range and domain without reloading the
    page. They describe the incident, attach a log file and send: the acknowledgement shows an
    SC-yyyy-nnnn reference, and the incident page lists the log with its SHA-256."""
    log_in(page, "baocao")
    page.goto("/incidents/report/")
    form = page.locator("#report-form")
    expect(form.locator("#id_reporter_name")).to_have_value(HEALTH)
    expect(form.locator("#id_contact_name")).to_have_value("Đỗ Văn Minh")
    expect(form.locator("#id_operator_name")).to_have_value(HEALTH)  # the user's organisation until a system is chosen
    fill_reporter_details(form)

    form.locator("#id_system").select_option(label=HIS)
    expect(form.locator("#id_operator_name")).to_have_value(HOSPITAL)
    expect(form.locator("#id_owner_name")).to_have_value(HEALTH)
    expect(form.locator("#id_system_name")).to_have_value(HIS)
    expect(form.locator("#id_system_level")).to_have_value("3")
    expect(form.locator("#id_ip_addresses")).to_have_value("198.51.100.0/28")
    expect(form.locator("#id_domains")).to_have_value("his.bvquangngai.vn")
    expect(form.locator("#id_system")).to_have_value(str(InformationSystem.objects.get(name=HIS).pk))
    # The reporter narrows the prefilled range down to the attacked address.
    form.locator("#id_ip_addresses").fill("198.51.100.5")

    fill_incident(form, "Máy chủ HIS bị mã hóa dữ liệu, các máy trạm không mở được hồ sơ bệnh án.")
    form.locator("#files_system_log").set_input_files(
        files=[{"name": LOG_NAME, "mimeType": "text/plain", "buffer": LOG_BYTES}])
    screenshot(page, "incident_report_form_vi.png", "incident-report-form.png")
    send(form)

    expect(page.locator("article.acknowledgement h1")).to_be_visible()
    reference = acknowledged_reference(page)
    screenshot(page, "incident_acknowledgement_vi.png")
    incident = Incident.objects.get(reference=reference)
    assert incident.system.name == HIS
    assert (incident.operator_name, incident.owner_name, incident.system_level) == (HOSPITAL, HEALTH, 3)
    assert incident.domains == ["his.bvquangngai.vn"] and incident.ip_addresses == ["198.51.100.5"]
    assert incident.created_by.username == "baocao" and not incident.confidential

    page.locator(f'main a[href="/incidents/{reference}/"]').click()
    expect(page).to_have_url(f"{live_server.url}/incidents/{reference}/")
    expect(page.locator("main h1")).to_contain_text(reference)
    evidence = page.locator("#evidence tbody tr")
    expect(evidence).to_have_count(1)
    expect(evidence).to_contain_text(LOG_NAME)
    expect(evidence.locator("code")).to_have_text(hashlib.sha256(LOG_BYTES).hexdigest())
    expect(page.locator("#report")).to_contain_text(HOSPITAL)
    screenshot(page, "incident_detail_vi.png", "incident-detail.png")


def test_report_on_a_registered_system_is_accepted_as_prefilled(page):
    """Choosing the HIS and sending without touching the prefilled IP addresses gives no error on them."""
    log_in(page, "baocao")
    page.goto("/incidents/report/")
    form = page.locator("#report-form")
    form.locator("#id_system").select_option(label=HIS)
    expect(form.locator("#id_ip_addresses")).to_have_value("198.51.100.0/28")
    fill_reporter_details(form)
    fill_incident(form, "Máy chủ HIS không truy cập được.")
    send(form)
    sent(page)
    expect(page.locator("#id_ip_addresses_errors")).to_have_count(0, timeout=1)
    acknowledged_reference(page)


def test_report_with_empty_file_inputs_is_accepted(page):
    """A complete report sent as the browser sends it, with its three file inputs left empty, is accepted."""
    page.goto("/bao-cao-su-co/")
    form = page.locator("#report-form")
    fill_public_reporter(form)
    fill_incident(form, "Trang chủ cổng thông tin tỉnh không truy cập được.")
    send(form)
    sent(page)
    expect(page.locator("main .form-errors")).to_have_count(0, timeout=1)
    acknowledged_reference(page)


def test_missing_fields_are_marked_and_a_draft_is_saved_and_resumed(page, live_server):
    """Sending the form without the incident's details marks each missing field ("Bắt buộc…") right
    above it and creates no incident. "Save as draft" keeps the half-filled report; it is listed on the
    report page, opens again with what was typed, and once completed becomes an incident."""
    incidents_before = Incident.objects.count()
    log_in(page, "baocao")
    page.goto("/incidents/report/")
    form = page.locator("#report-form")
    send(form)

    expect(page).to_have_url(f"{live_server.url}/incidents/report/")
    for name in ("description", "detected_at", "handling_status", "detection_method", "notified_parties"):
        error = page.locator(f"#id_{name}_errors")
        expect(error).to_be_visible()
        expect(error).to_contain_text(re.compile(r"^\s*Bắt buộc"))
    # Beside its field: the description's message sits between its label and the box.
    assert page.locator("#id_description").evaluate("el => el.previousElementSibling.id") == "id_description_errors"
    expect(page.locator("#id_description")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_reporter_name_errors")).to_have_count(0)
    expect(page.locator("#id_reporter_name")).to_have_value(HEALTH)  # what was sent is kept
    expect(page.locator("#incident-reference")).to_have_count(0)
    screenshot(page, "incident_report_errors_vi.png")
    assert Incident.objects.count() == incidents_before

    description = "Trang thông tin Sở Y tế chậm bất thường, đang kiểm tra nhật ký."
    form.locator("#id_description").fill(description)
    form.locator("button[name=action][value=draft]").click()
    expect(page).to_have_url(re.compile(r"/incidents/report/draft/\d+/$"))
    draft = Submission.objects.get(status=SubmissionStatus.DRAFT, submitted_by__username="baocao")
    expect(page).to_have_url(f"{live_server.url}/incidents/report/draft/{draft.pk}/")
    expect(page.locator("main .messages li.success")).to_be_visible()
    expect(page.locator("#id_description")).to_have_value(description)
    assert Incident.objects.count() == incidents_before

    page.goto("/incidents/report/")
    expect(page.locator("#id_description")).to_have_value("")
    drafts = page.locator("main details")
    drafts.locator("summary").click()
    link = drafts.locator(f'a[href="/incidents/report/draft/{draft.pk}/"]')
    expect(link).to_contain_text(description[:40])
    link.click()
    expect(page).to_have_url(f"{live_server.url}/incidents/report/draft/{draft.pk}/")
    form = page.locator("#report-form")
    expect(form.locator("#id_description")).to_have_value(description)

    fill_reporter_details(form)
    fill_incident(form, description)
    send(form)
    reference = acknowledged_reference(page)
    assert Incident.objects.get(reference=reference).description == description
    assert not Submission.objects.filter(status=SubmissionStatus.DRAFT).exists()


def test_anyone_can_report_on_the_public_page_without_signing_in(page, live_server):
    """A visitor without an account opens /bao-cao-su-co/ (no sign-in asked), fills in who they are and
    what happened, and gets a reference; the report is marked as coming from the public form."""
    response = page.goto("/bao-cao-su-co/")
    assert response is not None and response.status == 200
    expect(page).to_have_url(f"{live_server.url}/bao-cao-su-co/")
    form = page.locator("#report-form")
    expect(form.locator("#id_system")).to_have_count(0)  # registered systems are not shown to the public
    expect(form.locator("button[name=action][value=draft]")).to_have_count(0)
    expect(form.locator("#id_reported_at")).to_have_value(re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d$"))

    fill_public_reporter(form)
    form.locator("#id_system_name").fill("Cổng thông tin điện tử tỉnh")
    form.locator("#id_domains").fill("quangngai.gov.vn")
    fill_incident(form, "Trang chủ cổng thông tin tỉnh hiện quảng cáo cờ bạc.")
    send(form)

    reference = acknowledged_reference(page)
    expect(page.locator(f'main a[href="/incidents/{reference}/"]')).to_have_count(0)
    screenshot(page, "incident_public_acknowledgement_vi.png")
    incident = Incident.objects.get(reference=reference)
    assert (incident.channel, incident.created_by, incident.verified_at) == ("public_form", None, None)
    assert incident.reporter_email == "hoa@example.vn"


def test_standing_officer_finds_verifies_and_classifies_incidents(page, live_server):
    """The standing officer lists the incidents, types "ma doc" without diacritics in the search box
    and sees the HIS ransomware report ("mã độc tống tiền") appear in place; then opens the DDoS report,
    records that the sender was called back and classifies it as a denial-of-service attack: both
    show on the page and at the top of its history."""
    log_in(page, "thuongtruc")
    page.goto("/incidents/")
    expect(rows(page)).to_have_count(Incident.objects.count())  # the demo reports, the e-mailed one, the alerts
    screenshot(page, "incident_list_vi.png", "incident-list.png")

    ransomware, ddos = demo_reference(RANSOMWARE), demo_reference(DDOS)
    page.evaluate("window.stillSamePage = true")
    page.locator("#id_q").press_sequentially("ma doc")
    expect(page).to_have_url(re.compile(r"[?&]q=ma(\+|%20)doc(&|$)"))
    expect(rows(page).locator(f'a[href="/incidents/{ransomware}/"]')).to_have_count(1)
    expect(rows(page).locator(f'a[href="/incidents/{ddos}/"]')).to_have_count(0)
    assert page.evaluate("window.stillSamePage") is True  # updated by htmx, not reloaded
    expect(page.locator("#id_q")).to_have_value("ma doc")

    page.locator("#id_q").fill("")
    page.locator("#id_q").press_sequentially("ddos")
    link = rows(page).locator(f'a[href="/incidents/{ddos}/"]')
    expect(rows(page)).to_have_count(1)
    link.click()
    expect(page).to_have_url(f"{live_server.url}/incidents/{ddos}/")
    expect(page.locator("main hgroup .badge.unverified")).to_have_count(1)
    history = page.locator("#history tbody tr")
    history_before = history.count()
    assert history_before >= 1

    verify = page.locator("#verify-form")
    verify.locator("select[name=verification_method]").select_option("phone_callback")
    method_label = verify.locator("select[name=verification_method] option:checked").inner_text().strip()
    note = "Gọi lại số 0255 000 0000 của Văn phòng, ông Đức xác nhận."
    verify.locator("textarea[name=verification_note]").fill(note)
    verify.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/incidents/{ddos}/")
    expect(page.locator("main .messages li.success")).to_be_visible()
    expect(page.locator("main hgroup .badge.unverified")).to_have_count(0)
    expect(page.locator("#triage dl.fields")).to_contain_text(note)
    expect(page.locator("#triage dl.fields")).to_contain_text("Phạm Minh Đức")

    classify = page.locator("#classify-form")
    classify.locator("select[name=cause]").select_option("cyber_attack")
    classify.locator("select[name=attack_type]").select_option("denial_of_service")
    attack_label = classify.locator("select[name=attack_type] option:checked").inner_text().strip()
    classify.locator("input[name=effects][value=service_interruption]").check()
    classify.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/incidents/{ddos}/")
    expect(page.locator("#triage dl.fields")).to_contain_text(attack_label)

    expect(history).to_have_count(history_before + 2)
    expect(history.nth(0)).to_contain_text(attack_label)
    expect(history.nth(1)).to_contain_text(method_label)
    for row in (history.nth(0), history.nth(1)):
        expect(row.locator("td").nth(1)).to_have_text("thuongtruc")  # the history names accounts
    screenshot(page, "incident_triaged_vi.png")
    incident = Incident.objects.get(reference=ddos)
    assert (incident.status, incident.verification_method) == ("verified", "phone_callback")
    assert (incident.cause, incident.attack_type, incident.effects) == (
        "cyber_attack", "denial_of_service", ["service_interruption"])


def test_auditor_cannot_open_the_confidential_incident(page, live_server):
    """The HIS ransomware report was marked confidential: the auditor does not find it in the list, and
    its address gives the "not found" page without any of its content."""
    confidential = Incident.objects.get(description__contains=RANSOMWARE)
    assert confidential.confidential
    log_in(page, "kiemtoan")
    page.goto("/incidents/")
    expect(rows(page)).to_have_count(Incident.objects.filter(confidential=False).count())
    expect(page.locator("#incident-rows")).not_to_contain_text(confidential.reference)

    response = page.goto(f"/incidents/{confidential.reference}/")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main")).not_to_contain_text(confidential.reference)
    expect(page.locator("main")).not_to_contain_text(RANSOMWARE)
    expect(page.locator("#evidence")).to_have_count(0)

    # A non-confidential one opens normally.
    ddos = demo_reference(DDOS)
    response = page.goto(f"/incidents/{ddos}/")
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_contain_text(ddos)
    expect(page.locator("#verify-form")).to_have_count(0)  # oversight only: no triage forms


def test_the_team_moves_an_incident_through_the_procedure_and_is_stopped_when_the_record_is_incomplete(page):
    """The standing officer opens the demo ransomware incident (in containment), moves it to eradication,
    then tries to skip recovery: the page refuses with the order of the procedure and nothing changes.
    The procedure page shows the step, the lead and who must act."""
    incident = Incident.objects.get(description__contains=RANSOMWARE)
    log_in(page, "thuongtruc")
    page.goto(f"/incidents/{incident.reference}/")
    page.locator("#procedure-summary a").click()
    expect(page.locator("#step-label")).to_contain_text("2.")
    expect(page.locator("ul.procedure-steps li.current")).to_have_attribute("data-step", "contain")
    form = page.locator("#move-form")
    form.locator("select[name=to_step]").select_option("eradicate")
    form.locator("textarea[name=reason]").fill("Đã cô lập máy chủ, thu thập bộ nhớ và nhật ký")
    form.locator("button[type=submit]").click()
    expect(page.locator("ul.procedure-steps li.current")).to_have_attribute("data-step", "eradicate")
    expect(page.locator("#transitions")).to_contain_text("Đã cô lập máy chủ")
    screenshot(page, "incident_procedure_vi.png", "incident-procedure.png")

    # A crafted form asking to jump to verification: refused, in Vietnamese, the step unchanged.
    page.evaluate("""() => { const s = document.querySelector('#move-form select[name=to_step]');
        const o = document.createElement('option'); o.value = 'verify_recovery'; o.text = 'x'; s.add(o);
        s.value = 'verify_recovery'; }""")
    page.locator("#move-form button[type=submit]").click()
    expect(page.locator("#move-form")).to_contain_text("3b")
    incident.refresh_from_db()
    assert incident.step == "eradicate"
