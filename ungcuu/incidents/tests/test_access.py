"""Need-to-know (SPEC §11, issue 3 §7): an agency sees its own incidents; confidential ones are limited to the
standing office, the team and the reporting organisation; team members see what they are dispatched to."""

import pytest

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role
from ungcuu.coordination import actions as coordination_actions
from ungcuu.incidents.models import Incident
from ungcuu.incidents.tests.helpers import make_incident


def _user(province, name, organisation, *roles):
    return account_actions.create_user(actor=None, username=name, password=None, full_name=name,
                                       organisation=organisation, roles=list(roles))


@pytest.fixture
def incidents(province):
    """An ordinary report on the hospital's HIS, and a confidential one, both from Sở Y tế."""
    ordinary = make_incident(province.reporter, system=province.his.pk)
    secret = make_incident(province.reporter, system=province.his.pk, confidential=True,
                           description="Lộ dữ liệu bệnh nhân")
    return ordinary, secret


# persona → (sees the ordinary report, sees the confidential one)
VISIBILITY = [
    ("officer", True, True),  # standing office
    ("lead", True, True),  # the team's lead
    ("deputy", True, True),
    ("reporter", True, True),  # the reporting organisation (Sở Y tế)
    ("owner", True, True),  # same organisation
    ("hospital_it", True, False),  # operator of the system, not the reporter: not the confidential one
    ("admin", True, False),  # oversight without need-to-know of confidential reports
    ("auditor", True, False),
    ("isp_member", False, False),  # a team member (from the ISP) not dispatched
    ("outsider", False, False),  # another agency
]


@pytest.mark.parametrize(("persona", "sees_ordinary", "sees_secret"), VISIBILITY)
def test_who_sees_which_incident(province, incidents, client_for, api_for, persona, sees_ordinary, sees_secret):
    if persona == "hospital_it":
        user = _user(province, "hospital_it", province.hospital, Role.REPORTER)
    elif persona == "isp_member":
        user = _user(province, "isp_member", province.isp, Role.TEAM_MEMBER)
    else:
        user = getattr(province, persona)
    ordinary, secret = incidents

    for incident, expected in ((ordinary, sees_ordinary), (secret, sees_secret)):
        page = client_for(user).get(f"/incidents/{incident.reference}/")
        api = api_for(user).get(f"/api/v1/incidents/{incident.reference}")
        assert page.status_code == (200 if expected else 404), incident.reference
        assert api.status_code == (200 if expected else 404), incident.reference
    listed = {row["reference"] for row in api_for(user).get("/api/v1/incidents").json()["items"]}
    assert listed == {i.reference for i, ok in ((ordinary, sees_ordinary), (secret, sees_secret)) if ok}
    page = client_for(user).get("/incidents/").content.decode()
    assert (secret.reference in page) is sees_secret


def test_a_dispatched_team_member_sees_the_incident_even_confidential(province, incidents, client_for):
    _ordinary, secret = incidents
    member = _user(province, "isp_member", province.isp, Role.TEAM_MEMBER)
    assert client_for(member).get(f"/incidents/{secret.reference}/").status_code == 404
    coordination_actions.dispatch_member(actor=province.lead, incident=secret, user=member, role="phân tích mã độc")
    assert client_for(member).get(f"/incidents/{secret.reference}/").status_code == 200


def test_a_confidential_report_is_not_shown_to_the_organisation_above_the_one_that_sent_it(province, client_for):
    hospital_it = _user(province, "hospital_it", province.hospital, Role.REPORTER)
    secret = make_incident(hospital_it, confidential=True)
    ordinary = make_incident(hospital_it)

    assert client_for(hospital_it).get(f"/incidents/{secret.reference}/").status_code == 200
    assert client_for(province.reporter).get(f"/incidents/{secret.reference}/").status_code == 404  # Sở Y tế
    assert client_for(province.reporter).get(f"/incidents/{ordinary.reference}/").status_code == 200


def test_confidential_text_does_not_leak_through_search(province, incidents, api_for):
    found = api_for(province.admin).get("/api/v1/incidents", {"q": "benh nhan"}).json()["items"]
    assert found == []
    found = api_for(province.officer).get("/api/v1/incidents", {"q": "benh nhan"}).json()["items"]
    assert [row["reference"] for row in found] == [incidents[1].reference]


def test_outsider_cannot_attach_to_or_triage_another_agencys_incident(province, incidents, client_for):
    ordinary, _secret = incidents
    client = client_for(province.outsider)
    assert client.post(f"/incidents/{ordinary.reference}/verify/",
                       {"verification_method": "in_person"}).status_code == 403
    assert Incident.objects.get(pk=ordinary.pk).verified_at is None


def test_anonymous_visitors_are_sent_to_login(province, incidents, client):
    response = client.get(f"/incidents/{incidents[0].reference}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.get("/api/v1/incidents").status_code == 401
