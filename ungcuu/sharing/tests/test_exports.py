"""Exports: CSV/XLSX lists, the STIX 2.1 bundle and the MISP event of one incident."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pymisp import MISPEvent
from stix2validator import ValidationOptions, validate_string

from ungcuu.incidents.models import Incident
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation import actions as investigation
from ungcuu.sharing import stix

HASH = "44d88612fea8a8f36de82e1278abb02f"
SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
INDICATORS = [
    ("ip", "203.0.113.66"), ("ip", "2001:db8::66"), ("domain", "evil.example.com"),
    ("url", "http://evil.example.com/payload.exe"), ("email", "attacker@evil.example.com"),
    ("md5", HASH), ("sha1", "3395856ce81f2b7382dee72602f798b642f14140"), ("sha256", SHA256),
    ("file_name", "hoa-don.exe"),
]


@pytest.fixture
def incidents(province):
    """A normal incident with one indicator of each kind, and a confidential one of the hospital."""
    public = make_incident(actor=province.reporter, description="Mã độc tống tiền trên máy chủ HIS.")
    for kind, value in INDICATORS:
        investigation.add_indicator(actor=province.officer, incident=public, kind=kind, value=value)
    secret = make_incident(actor=province.reporter, description="Lộ lọt hồ sơ bệnh án.", confidential=True,
                           detected_at="2026-11-19T07:05", ip_addresses=["198.51.100.9"], domains=[])
    return public, secret


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx_rows(response) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet["A1"].font.bold
    return [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]


# CSV / XLSX lists -------------------------------------------------------------------------------


def test_incident_csv_has_vietnamese_headers_local_dates_and_every_visible_incident(province, incidents, client_for):
    public, secret = incidents
    response = client_for(province.officer).get(reverse("sharing:incidents_csv"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Số hiệu", "Tiêu đề", "Trạng thái"]
    assert "Ngày, giờ phát hiện" in rows[0]
    by_reference = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_reference) == {public.reference, secret.reference}
    # Detected 2026-11-19T07:05 local time: shown dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh.
    assert by_reference[secret.reference]["Ngày, giờ phát hiện"] == "19/11/2026 07:05"
    assert by_reference[secret.reference]["Giữ bí mật"] == "Có"
    assert by_reference[public.reference]["Tiêu đề"] == public.title


def test_incident_csv_uses_the_list_filters(province, incidents, client_for):
    public, secret = incidents
    response = client_for(province.officer).get(reverse("sharing:incidents_csv"), {"detected_to": "2026-11-19"})
    assert [row[0] for row in _csv_rows(response)[1:]] == [secret.reference]
    response = client_for(province.officer).get(reverse("sharing:incidents_csv"), {"q": "tong tien"})
    assert [row[0] for row in _csv_rows(response)[1:]] == [public.reference]


def test_confidential_incidents_are_left_out_for_those_who_may_not_see_them(province, incidents, client_for):
    public, _secret = incidents
    rows = _csv_rows(client_for(province.auditor).get(reverse("sharing:incidents_csv")))
    assert [row[0] for row in rows[1:]] == [public.reference]
    indicator_rows = _csv_rows(client_for(province.auditor).get(reverse("sharing:indicators_csv")))
    assert {row[0] for row in indicator_rows[1:]} == {public.reference}
    assert "198.51.100.9" not in {row[2] for row in indicator_rows[1:]}


def test_an_outsider_exports_empty_lists(province, incidents, client_for):
    client = client_for(province.outsider)
    assert len(_csv_rows(client.get(reverse("sharing:incidents_csv")))) == 1  # the header row only
    assert len(_csv_rows(client.get(reverse("sharing:indicators_csv")))) == 1
    assert len(_xlsx_rows(client.get(reverse("sharing:incidents_xlsx")))) == 1


def test_exports_need_a_login(client, incidents):
    response = client.get(reverse("sharing:incidents_csv"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_incident_xlsx_opens_with_bold_vietnamese_headers_and_the_rows(province, incidents, client_for):
    public, secret = incidents
    response = client_for(province.officer).get(reverse("sharing:incidents_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx_rows(response)
    assert rows[0][0] == "Số hiệu" and "Loại hình tấn công" in rows[0]
    assert {row[0] for row in rows[1:]} == {public.reference, secret.reference}
    # The newest detected first, as on the list.
    assert rows[1][0] == public.reference


def test_indicator_csv_and_xlsx_list_each_indicator_with_its_incident(province, incidents, client_for):
    public, secret = incidents
    client = client_for(province.officer)
    rows = _csv_rows(client.get(reverse("sharing:indicators_csv")))
    assert rows[0] == ["Sự cố", "Loại hình", "Giá trị", "Nguồn", "Thời điểm bổ sung"]
    values = {(row[0], row[2]) for row in rows[1:]}
    assert (public.reference, HASH) in values and (public.reference, "evil.example.com") in values
    assert (secret.reference, "198.51.100.9") in values
    xlsx = _xlsx_rows(client.get(reverse("sharing:indicators_xlsx")))
    assert len(xlsx) == len(rows)


@pytest.mark.parametrize("name", ["sharing:incidents_csv", "sharing:incidents_xlsx", "sharing:indicators_csv",
                                  "sharing:indicators_xlsx"])
def test_list_exports_make_the_same_number_of_queries_for_more_rows(province, client_for, name):

    def count() -> int:
        client = client_for(province.auditor)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
            b"".join(response.streaming_content)
        return len(queries)

    make_incident(actor=province.reporter)
    few = count()
    for _ in range(4):
        make_incident(actor=province.reporter, ip_addresses=["198.51.100.7"], domains=["his.example.vn"])
    assert count() == few
    assert few <= 6, few


def test_text_from_a_report_never_becomes_a_spreadsheet_formula(province, client_for):
    """A reporter's description like "=HYPERLINK(…)" stays text in CSV and XLSX (CSV injection)."""
    make_incident(actor=province.reporter, description='=HYPERLINK("http://evil.example.com","Xem")', system_name="")
    client = client_for(province.officer)
    title = _csv_rows(client.get(reverse("sharing:incidents_csv")))[1][1]
    assert title == """'=HYPERLINK("http://evil.example.com","Xem")"""
    workbook = load_workbook(io.BytesIO(b"".join(client.get(reverse("sharing:incidents_xlsx")).streaming_content)))
    cell = workbook.active["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil.example.com","Xem")'


# STIX 2.1 -----------------------------------------------------------------------------------------


def test_stix_bundle_passes_the_oasis_validator_in_strict_mode(province, incidents, client_for):
    public, _secret = incidents
    response = client_for(province.officer).get(reverse("sharing:incident_stix", args=[public.reference]))
    assert response.status_code == 200
    result = validate_string(response.content.decode(), ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, [str(e) for e in result.errors] + [str(w) for w in result.warnings]
    bundle = json.loads(response.content)
    by_type: dict[str, list] = {}
    for obj in bundle["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)
    assert by_type["incident"][0]["external_references"][0]["external_id"] == public.reference
    patterns = {obj["pattern"] for obj in by_type["indicator"]}
    assert "[ipv4-addr:value = '203.0.113.66']" in patterns
    assert "[ipv6-addr:value = '2001:db8::66']" in patterns
    assert "[domain-name:value = 'evil.example.com']" in patterns
    assert "[url:value = 'http://evil.example.com/payload.exe']" in patterns
    assert "[email-addr:value = 'attacker@evil.example.com']" in patterns
    assert f"[file:hashes.'MD5' = '{HASH}']" in patterns
    assert f"[file:hashes.'SHA-256' = '{SHA256}']" in patterns
    assert "[file:name = 'hoa-don.exe']" in patterns
    # Every object is made by the team and marked TLP:GREEN (the incident is not confidential).
    team = by_type["identity"][0]["id"]
    for obj in by_type["indicator"] + by_type["incident"] + by_type["relationship"]:
        assert obj["created_by_ref"] == team
        assert obj["object_marking_refs"] == [stix.stix2.TLP_GREEN.id]
    assert len(by_type["relationship"]) == len(by_type["indicator"])


def test_a_confidential_incident_is_marked_tlp_amber_and_the_ids_are_stable(province, incidents, client_for):
    _public, secret = incidents
    client = client_for(province.officer)
    first = json.loads(client.get(reverse("sharing:incident_stix", args=[secret.reference])).content)
    again = json.loads(client.get(reverse("sharing:incident_stix", args=[secret.reference])).content)
    markings = [obj for obj in first["objects"] if obj["type"] == "marking-definition"]
    assert [m["definition"]["tlp"] for m in markings] == ["amber"]
    assert [obj["id"] for obj in first["objects"]] == [obj["id"] for obj in again["objects"]]
    result = validate_string(json.dumps(first), ValidationOptions(version="2.1", strict=True))
    assert result.is_valid


# MISP ---------------------------------------------------------------------------------------------


def test_misp_event_loads_in_pymisp_with_every_attribute(province, incidents, client_for):
    public, _secret = incidents
    response = client_for(province.officer).get(reverse("sharing:incident_misp", args=[public.reference]))
    assert response.status_code == 200
    event = MISPEvent()
    event.load(response.content.decode())
    assert event.info.startswith(public.reference)
    assert event.threat_level_id == 3 and event.distribution == 1
    assert [tag.name for tag in event.tags] == ["tlp:green"]
    attributes = {(a.type, a.value): a for a in event.attributes}
    for pair in [("ip-dst", "203.0.113.66"), ("ip-dst", "2001:db8::66"), ("domain", "evil.example.com"),
                 ("url", "http://evil.example.com/payload.exe"), ("email-src", "attacker@evil.example.com"),
                 ("md5", HASH), ("sha256", SHA256), ("filename", "hoa-don.exe")]:
        assert pair in attributes, pair
    assert attributes[("md5", HASH)].to_ids is True
    # The affected system's own address from the report is shared, but not to be detected on.
    assert attributes[("ip-dst", "198.51.100.5")].to_ids is False
    assert attributes[("filename", "hoa-don.exe")].to_ids is False


def test_misp_event_of_a_confidential_incident_stays_in_the_organisation(province, incidents, client_for):
    _public, secret = incidents
    event = MISPEvent()
    event.load(client_for(province.lead).get(reverse("sharing:incident_misp", args=[secret.reference])).content)
    assert event.distribution == 0
    assert [tag.name for tag in event.tags] == ["tlp:amber"]
    assert str(event.date) == "2026-11-19"


# Visibility and the API ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sharing:incident_stix", "sharing:incident_misp"])
def test_an_incident_the_user_may_not_see_is_not_found(province, incidents, client_for, name):
    public, secret = incidents
    assert client_for(province.outsider).get(reverse(name, args=[public.reference])).status_code == 404
    assert client_for(province.auditor).get(reverse(name, args=[secret.reference])).status_code == 404
    assert client_for(province.auditor).get(reverse(name, args=[public.reference])).status_code == 200


def test_api_gives_stix_and_misp_by_reference_or_id(province, incidents, api_for):
    public, _secret = incidents
    api = api_for(province.officer)
    stix_response = api.get(f"/api/v1/incidents/{public.reference}/stix")
    assert stix_response.status_code == 200
    assert validate_string(stix_response.content.decode(), ValidationOptions(version="2.1", strict=True)).is_valid
    misp_response = api.get(f"/api/v1/incidents/{public.pk}/misp")
    assert misp_response.status_code == 200
    event = MISPEvent()
    event.load(misp_response.content.decode())
    assert len(event.attributes) == public.indicators.count()


def test_api_refuses_an_outsider_with_404(province, incidents, api_for):
    public, secret = incidents
    api = api_for(province.outsider)
    for path in (f"/api/v1/incidents/{public.reference}/stix", f"/api/v1/incidents/{secret.pk}/misp"):
        response = api.get(path)
        assert response.status_code == 404
        assert "Event" not in response.json() and "objects" not in response.json()


def test_incident_panel_links_to_the_exports(province, incidents, client_for):
    from django.template.loader import render_to_string

    from ungcuu.sharing.views import incident_panel_context

    public, _secret = incidents
    with translation.override("vi"):
        html = render_to_string("sharing/_incident_panel.html", incident_panel_context(province.officer, public))
    assert reverse("sharing:incident_stix", args=[public.reference]) in html
    assert reverse("sharing:incident_misp", args=[public.reference]) in html
    buttons = render_to_string("sharing/_export_buttons.html", {"query": "status=closed"})
    assert reverse("sharing:incidents_xlsx") + "?status=closed" in buttons
    assert Incident.objects.count() == 2
