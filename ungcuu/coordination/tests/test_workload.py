"""The standing office sees who is on what (SPEC §6): open incidents and open orders per team member, in a
constant number of queries whatever the team's size."""

import pytest

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role
from ungcuu.coordination import actions
from ungcuu.coordination.tests.helpers import issue
from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.tests.helpers import make_incident


def team(province, n):
    return [account_actions.create_user(actor=None, username=f"m{i}", password=None, full_name=f"Thành viên {i}",
                                        organisation=province.hospital, roles=[Role.TEAM_MEMBER]) for i in range(n)]


def load(province, members):
    incidents = [make_incident(province.reporter) for _n in range(2)]
    for member in members:
        for incident in incidents:
            actions.dispatch_member(actor=province.lead, incident=incident, user=member, role="Phân tích")
        issue(province, incidents[0], users=[member], channel="phone", urgent=True)
    return incidents


def test_the_workload_page_shows_open_incidents_and_open_orders(province, client_for):
    incident = make_incident(province.reporter)
    closed = make_incident(province.reporter)
    responder = actions.dispatch_member(actor=province.lead, incident=incident, user=province.member, role="Phân tích")
    actions.dispatch_member(actor=province.lead, incident=closed, user=province.member)
    incident_actions.reject_report(actor=province.officer, incident=closed, reason="Thử nghiệm")
    order = issue(province, incident)
    page = client_for(province.officer).get("/coordination/workload/").content.decode()
    row = page.split(f'id="member-{province.member.pk}"')[1].split("</tr>")[0]
    assert incident.reference in row and closed.reference not in row
    assert order.reference in row
    assert row.count("badge unverified") == 2  # neither the dispatch nor the order acknowledged yet

    actions.acknowledge_dispatch(actor=province.member, responder=responder)
    recipient = order.recipients.get()
    actions.acknowledge_order(actor=province.member, recipient=recipient)
    actions.record_order_result(actor=province.member, recipient=recipient, text="Xong")
    row = client_for(province.officer).get("/coordination/workload/").content.decode().split(
        f'id="member-{province.member.pk}"')[1].split("</tr>")[0]
    assert incident.reference in row and order.reference not in row and "badge unverified" not in row

    actions.release_member(actor=province.lead, responder=responder)
    row = client_for(province.officer).get("/coordination/workload/").content.decode().split(
        f'id="member-{province.member.pk}"')[1].split("</tr>")[0]
    assert incident.reference not in row


@pytest.mark.parametrize("persona", ["member", "reporter", "outsider", "auditor"])
def test_only_the_standing_office_and_leads_see_the_workload(province, client_for, api_for, persona):
    user = getattr(province, persona)
    assert client_for(user).get("/coordination/workload/").status_code == 403
    assert api_for(user).get("/api/v1/workload").status_code == 403


@pytest.mark.parametrize("size", [2, 8])
def test_the_workload_page_makes_a_constant_number_of_queries(province, client_for, size,
                                                              django_assert_max_num_queries):
    load(province, team(province, size))
    client = client_for(province.officer)
    # Session, user, roles, navigation's deployment, count, page of members, dispatches, orders.
    with django_assert_max_num_queries(10):
        page = client.get("/coordination/workload/")
    assert page.content.decode().count("written-pending") == size


@pytest.mark.parametrize("size", [2, 8])
def test_the_workload_api_makes_a_constant_number_of_queries(province, api_for, size, django_assert_max_num_queries):
    members = team(province, size)
    incidents = load(province, members)
    api = api_for(province.lead)
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/workload").json()
    rows = {row["user"]: row for row in body["items"]}
    assert len(rows[members[0].pk]["incidents"]) == 2
    assert rows[members[0].pk]["orders"][0]["written_pending"] is True
    assert {i["incident"] for i in rows[members[-1].pk]["incidents"]} == {i.reference for i in incidents}
