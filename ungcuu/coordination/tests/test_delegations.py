"""The delegations page: the team lead grants and revokes; a deputy sees whether they may dispatch now."""

from datetime import timedelta

from django.utils import timezone

from ungcuu.coordination.models import Delegation
from ungcuu.coordination.tests.helpers import delegate


def test_the_lead_grants_and_revokes_a_delegation_on_the_page(province, client_for):
    lead = client_for(province.lead)
    today = timezone.localdate()
    response = lead.post("/coordination/delegations/", {
        "delegate": province.deputy.pk, "reference": "12/UQ-ĐƯCSC", "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=6)).isoformat(), "scope": "Sự cố trong thời gian Đội trưởng đi công tác"})
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    deputy_page = client_for(province.deputy).get("/coordination/delegations/").content.decode()
    assert "12/UQ-ĐƯCSC" in deputy_page and 'id="my-right"' in deputy_page and 'id="delegation-form"' not in deputy_page
    lead.post(f"/coordination/delegations/{delegation.pk}/revoke/", {"reason": "Đội trưởng đã về"})
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None and delegation.revoked_by == province.lead


def test_a_wrong_period_is_shown_on_the_form(province, client_for):
    today = timezone.localdate()
    response = client_for(province.lead).post("/coordination/delegations/", {
        "delegate": province.deputy.pk, "reference": "12/UQ", "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    assert not Delegation.objects.exists()


def test_others_may_neither_grant_nor_revoke(province, client_for, api_for):
    delegation = delegate(province)
    assert client_for(province.deputy).post("/coordination/delegations/", {}).status_code == 403
    client_for(province.deputy).post(f"/coordination/delegations/{delegation.pk}/revoke/")
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    assert client_for(province.reporter).get("/coordination/delegations/").status_code == 403
    assert api_for(province.outsider).get("/api/v1/delegations").status_code == 403
    refused = api_for(province.deputy).post("/api/v1/delegations", {
        "delegate": province.deputy.pk, "reference": "1/UQ", "starts_on": "2026-11-01", "ends_on": "2026-11-02"},
        content_type="application/json")
    assert refused.status_code == 403


def test_the_api_grants_lists_and_revokes(province, api_for, django_assert_max_num_queries):
    api = api_for(province.lead)
    created = api.post("/api/v1/delegations", {"delegate": province.deputy.pk, "reference": "1/UQ",
                                               "starts_on": "2026-11-01", "ends_on": "2026-11-10"},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    for n in range(5):
        delegate(province, reference=f"{n + 2}/UQ")
    with django_assert_max_num_queries(6):
        listed = api.get("/api/v1/delegations").json()
    assert listed["count"] == 6
    revoked = api.post(f"/api/v1/delegations/{created.json()['id']}/revoke", {"reason": "x"},
                       content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    right = api_for(province.deputy).get("/api/v1/dispatch-right").json()
    assert right["allowed"] is True
