"""The periodic report (Biểu mẫu 05) equals counts computed independently over generated incidents."""

import csv
import datetime
import io
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ungcuu.audit.models import AuditEntry
from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.models import AttackType
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.reports import actions, statistics
from ungcuu.reports.models import IncidentOutcome

HALF = statistics.preset_period(statistics.HALFYEAR, 2026)
SECOND_HALF = (HALF[1], datetime.date(2026, 12, 15))
# Detection times (local) spanning both halves of 2026 and the edges of the periods.
TIMES = ["2025-12-14T23:59", "2025-12-15T00:00", "2026-01-10T08:00", "2026-03-02T10:00", "2026-06-14T23:30",
         "2026-06-15T00:00", "2026-08-01T09:00", "2026-10-20T14:00", "2026-11-20T08:30"]
DOMESTIC = ["VNPT", "Viettel Cyber Security", "BKAV"]
FOREIGN = ["Kaspersky Lab", "Microsoft DART"]


def _in(period, detected: str) -> bool:
    day = datetime.datetime.fromisoformat(detected)
    return datetime.datetime.combine(period[0], datetime.time()) <= day < datetime.datetime.combine(
        period[1], datetime.time())


@pytest.fixture
def generated(province):
    """40 incidents made through the actions: classified, some with an outcome, one merged, one rejected,
    some of other causes or unclassified. Returns what the test expects, computed here in Python."""
    rng = random.Random(5)
    lead = province.lead
    made = []
    for i in range(40):
        detected = TIMES[i % len(TIMES)]
        reported = (datetime.datetime.fromisoformat(detected) + datetime.timedelta(hours=1)).isoformat()
        incident = make_incident(detected_at=detected, reported_at=reported, description=f"Sự cố thử nghiệm số {i}.")
        item = {"incident": incident, "detected": detected, "attack_type": "", "cause": "", "status": "ok",
                "outcome": None}
        kind = i % 10
        if kind == 8:
            pass  # left unclassified
        elif kind == 9:
            incident_actions.classify(actor=lead, incident=incident, cause="system_fault")
            item["cause"] = "system_fault"
        else:
            attack = rng.choice(AttackType.values)
            incident_actions.classify(actor=lead, incident=incident, cause="cyber_attack", attack_type=attack)
            item.update(cause="cyber_attack", attack_type=attack)
            if rng.random() < 0.8:
                outcome = {"self_handled": rng.random() < 0.5, "provincial_team": rng.random() < 0.4,
                           "national_coordinator": rng.random() < 0.2,
                           "other_organisations": rng.sample(DOMESTIC, rng.randint(0, 2)),
                           "foreign_organisations": rng.sample(FOREIGN, rng.randint(0, 1)),
                           "estimated_damage": rng.choice([None, 1_000_000, 25_500_000])}
                if not (outcome["self_handled"] or outcome["provincial_team"] or outcome["national_coordinator"]
                        or outcome["other_organisations"] or outcome["foreign_organisations"]):
                    outcome["self_handled"] = True
                actions.record_outcome(actor=lead, incident=incident, **outcome)
                item["outcome"] = outcome
        made.append(item)
    # A duplicate merged into the first, and a report rejected as not an incident: neither counts.
    incident_actions.merge_incident(actor=lead, duplicate=made[12]["incident"], into=made[2]["incident"])
    made[12]["status"] = "merged"
    incident_actions.reject_report(actor=lead, incident=made[13]["incident"], reason="Thử nghiệm")
    made[13]["status"] = "rejected"
    return made


def expected(made, period):
    counted = [m for m in made if m["status"] == "ok" and _in(period, m["detected"])]
    table = {t: dict.fromkeys(statistics.FIGURES, 0) for t in AttackType.values}
    others, foreign = {}, {}
    for m in counted:
        if not m["attack_type"]:
            continue
        row, o = table[m["attack_type"]], m["outcome"]
        row["count"] += 1
        if o:
            row["self_handled"] += o["self_handled"]
            row["provincial_team"] += o["provincial_team"]
            row["national_coordinator"] += o["national_coordinator"]
            row["other_support"] += bool(o["other_organisations"])
            row["foreign_support"] += bool(o["foreign_organisations"])
            row["damage"] += o["estimated_damage"] or 0
            for name in o["other_organisations"]:
                others[name] = others.get(name, 0) + 1
            for name in o["foreign_organisations"]:
                foreign[name] = foreign.get(name, 0) + 1
    return {
        "table": table, "total": {f: sum(r[f] for r in table.values()) for f in statistics.FIGURES},
        "others": sorted(others.items()), "foreign": sorted(foreign.items()),
        "without_outcome": sum(1 for m in counted if m["attack_type"] and not m["outcome"]),
        "other_causes": sum(1 for m in counted if m["cause"] == "system_fault"),
        "unclassified": sum(1 for m in counted if not m["cause"]),
    }


@pytest.mark.parametrize("period", [HALF, SECOND_HALF, statistics.preset_period(statistics.ANNUAL, 2026)],
                         ids=["first-half", "second-half", "annual"])
def test_periodic_report_equals_independent_counts(generated, period, django_assert_num_queries):
    want = expected(generated, period)
    assert want["total"]["count"] > 5  # the generated set really fills the period
    with django_assert_num_queries(4):  # table, supporters, what is left out, recommendations
        report = statistics.periodic_report(*period, form_variant=statistics.QUANG_NGAI)
    assert [r.attack_type for r in report.rows] == AttackType.values  # the rows of the form, in its order
    for row in report.rows:
        assert {f: getattr(row, f) for f in statistics.FIGURES} == want["table"][row.attack_type], row.label
    assert {f: getattr(report.total, f) for f in statistics.FIGURES} == want["total"]
    assert report.other_organisations == want["others"]
    assert report.foreign_organisations == want["foreign"]
    assert (report.without_outcome, report.other_causes, report.unclassified) == (
        want["without_outcome"], want["other_causes"], want["unclassified"])


def test_two_halves_add_up_to_the_annual_report(generated):
    first = statistics.periodic_report(*HALF)
    second = statistics.periodic_report(*SECOND_HALF)
    annual = statistics.periodic_report(*statistics.preset_period(statistics.ANNUAL, 2026))
    assert annual.total.count == first.total.count + second.total.count
    assert annual.total.damage == first.total.damage + second.total.damage


@pytest.mark.parametrize("preset, year, start, end", [
    # TT 20 Điều 6.1.c: half-year report before 20/6, annual before 15/12; data cut-off of NĐ 09/2019 Điều 12.2.
    (statistics.HALFYEAR, 2026, datetime.date(2025, 12, 15), datetime.date(2026, 6, 15)),
    (statistics.ANNUAL, 2026, datetime.date(2025, 12, 15), datetime.date(2026, 12, 15)),
    (statistics.HALFYEAR, 2025, datetime.date(2024, 12, 15), datetime.date(2025, 6, 15)),
])
def test_preset_periods_end_before_the_report_is_due(preset, year, start, end):
    assert statistics.preset_period(preset, year) == (start, end)
    due = datetime.date(year, 6, 20) if preset == statistics.HALFYEAR else datetime.date(year, 12, 15)
    assert end <= due


def test_national_form_has_no_provincial_team_column_and_quang_ngai_has_it_third():
    national = [k for k, _label in statistics.columns(statistics.NATIONAL)]
    quang_ngai = [k for k, _label in statistics.columns(statistics.QUANG_NGAI)]
    assert "provincial_team" not in national
    assert quang_ngai[2] == "provincial_team" and len(quang_ngai) == len(national) + 1


def test_outcome_needs_someone_who_handled_it_and_the_team(province):
    incident = make_incident()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        actions.record_outcome(actor=province.lead, incident=incident)
    assert "Say who handled the incident" in str(exc.value)
    with pytest.raises(ValidationError):
        actions.record_outcome(actor=province.lead, incident=incident, self_handled=True, estimated_damage=-1)
    with pytest.raises(PermissionDenied):
        actions.record_outcome(actor=province.member, incident=incident, self_handled=True)
    assert not IncidentOutcome.objects.exists()


def test_recording_an_outcome_twice_replaces_it_and_is_audited(province):
    incident = make_incident()
    actions.record_outcome(actor=province.lead, incident=incident, other_organisations="VNPT\nVNPT\n BKAV ")
    outcome = actions.record_outcome(actor=province.officer, incident=incident, foreign_organisations=["Kaspersky"],
                                     estimated_damage=5_000_000)
    assert [(s.name, s.foreign) for s in outcome.supporters.all()] == [("Kaspersky", True)]
    assert (outcome.other_support, outcome.foreign_support) == (False, True)
    entries = AuditEntry.objects.filter(action="reports.outcome", object_id=str(incident.pk))
    assert entries.count() == 2


# --- pages and API ------------------------------------------------------------------------------------

def test_periodic_page_shows_the_table_and_pins_its_queries(generated, province, client_for,
                                                            django_assert_max_num_queries):
    client = client_for(province.auditor)
    with django_assert_max_num_queries(10):
        response = client.get("/reports/periodic/?preset=halfyear&year=2026")
    assert response.status_code == 200
    want = expected(generated, HALF)
    html = response.content.decode()
    assert 'data-type="total"' in html
    assert f'<td class="number" data-col="count">{want["total"]["count"]}</td>' in html
    assert "15/12/2025" in html and "14/06/2026" in html


def test_periodic_csv_download_has_the_rows_of_the_form(generated, province, client_for):
    response = client_for(province.officer).get("/reports/periodic/?preset=annual&year=2026&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    want = expected(generated, statistics.preset_period(statistics.ANNUAL, 2026))
    assert len(rows[1]) == 1 + len(statistics.columns(statistics.NATIONAL))
    total_row = rows[2 + len(AttackType.values)]
    assert int(total_row[1]) == want["total"]["count"]


def test_periodic_custom_dates_and_recommendations(province, client_for):
    client = client_for(province.lead)
    url = "/reports/periodic/?preset=custom&start=2026-01-01&end=2026-03-31"
    response = client.post(url, {"text": "Tăng cường giám sát"})
    assert response.status_code == 302
    assert "Tăng cường giám sát" in client.get(url).content.decode()
    assert statistics.periodic_report(datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)).recommendations \
        == "Tăng cường giám sát"
    assert client.get("/reports/periodic/?preset=custom&start=2026-03-01&end=2026-01-01").status_code == 400


def test_auditor_may_read_but_not_write_recommendations(province, client_for):
    response = client_for(province.auditor).post("/reports/periodic/?preset=halfyear&year=2026", {"text": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["reporter", "outsider", "owner"])
def test_reporters_and_outsiders_do_not_see_the_statistics(province, client_for, api_for, persona):
    user = getattr(province, persona)
    assert client_for(user).get("/reports/periodic/").status_code == 403
    assert client_for(user).get("/reports/dashboard/").status_code == 403
    assert api_for(user).get("/api/v1/reports/periodic?preset=halfyear&year=2026").status_code == 403


def test_api_periodic_report(generated, province, api_for, django_assert_max_num_queries):
    api = api_for(province.auditor)
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/reports/periodic?preset=halfyear&year=2026")
    assert response.status_code == 200
    data = response.json()
    want = expected(generated, HALF)
    assert data["start"] == "2025-12-15" and data["last_day"] == "2026-06-14"
    assert data["total"]["count"] == want["total"]["count"]
    assert [r["attack_type"] for r in data["rows"]] == AttackType.values
    assert [(o["name"], o["incidents"]) for o in data["other_organisations"]] == want["others"]
    bad = api.get("/api/v1/reports/periodic?start=2026-03-01&end=2026-01-01")
    assert bad.status_code == 422 and "start" in bad.json()["errors"]


def test_outcome_form_on_the_incident_page_records_it(province, client_for):
    incident = make_incident()
    response = client_for(province.officer).post(f"/incidents/{incident.reference}/outcome/", {
        "provincial_team": "on", "other_organisations": "VNPT", "estimated_damage": "2000000"})
    assert response.status_code == 302
    outcome = IncidentOutcome.objects.get(incident=incident)
    assert outcome.provincial_team and outcome.other_support and outcome.estimated_damage == 2_000_000
    refused = client_for(province.member).post(f"/incidents/{incident.reference}/outcome/", {"self_handled": "on"})
    assert refused.status_code in (403, 404)


def test_incident_panel_prefills_from_answered_support_requests_and_shows_the_outcome(province):
    from django.template.loader import render_to_string

    from ungcuu.reports.views import incident_panel_context

    incident = make_incident()
    context = incident_panel_context(province.lead, incident)
    assert context["outcome_form"].initial["self_handled"] is True  # no support asked: handled alone
    html = render_to_string("reports/_incident_panel.html", {"incident": incident, **context})
    assert 'id="outcome-form"' in html
    actions.record_outcome(actor=province.lead, incident=incident, other_organisations=["VNPT"])
    html = render_to_string("reports/_incident_panel.html",
                            {"incident": incident, **incident_panel_context(province.auditor, incident)})
    assert "VNPT" in html and 'id="outcome-form"' not in html  # the auditor reads, does not record
