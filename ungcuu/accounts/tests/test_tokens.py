"""API tokens: printed once by the CLI, stored only as a hash, revocable, last use recorded."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import ApiToken, token_digest


def cli_create_token(username: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "--user", username, stdout=out, stderr=err)
    return out.getvalue().strip()


def bearer(raw: str) -> Client:
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_created_token_authorises_organisations_and_systems(province):
    """`ungcuu token create --user admin` prints a token that opens the registry endpoints."""
    raw = cli_create_token("admin")
    client = bearer(raw)
    organisations = client.get("/api/v1/organisations")
    systems = client.get("/api/v1/systems")
    assert organisations.status_code == 200
    assert systems.status_code == 200
    assert organisations.json()["count"] == 6
    assert {s["name"] for s in systems.json()["items"]} == {"HIS bệnh viện", "Quản lý ngân sách"}


def test_only_the_hash_of_a_token_is_stored(province):
    raw = cli_create_token("admin")
    token = ApiToken.objects.get()
    assert token.digest == token_digest(raw)
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get()]
    assert not any(raw in value for value in stored)
    assert raw.startswith(token.prefix)


def test_revoked_token_gets_401(province):
    """After `ungcuu token revoke`, the same token is refused with 401."""
    raw = cli_create_token("admin")
    assert bearer(raw).get("/api/v1/systems").status_code == 200
    call_command("token", "revoke", str(ApiToken.objects.get().pk), stdout=io.StringIO())
    response = bearer(raw).get("/api/v1/systems")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_revoke_by_printed_prefix(province):
    raw = cli_create_token("admin")
    call_command("token", "revoke", raw[:10], stdout=io.StringIO())
    assert bearer(raw).get("/api/v1/organisations").status_code == 401


def test_unknown_or_missing_token_gets_401(province):
    assert bearer("ucu_not-a-real-token").get("/api/v1/systems").status_code == 401
    assert Client().get("/api/v1/systems").status_code == 401


def test_token_of_a_disabled_account_stops_working(province):
    raw = cli_create_token("admin")
    province.admin.is_active = False
    province.admin.save()
    assert bearer(raw).get("/api/v1/systems").status_code == 401


def test_last_used_time_is_recorded(province):
    raw = cli_create_token("officer")
    assert ApiToken.objects.get().last_used_at is None
    bearer(raw).get("/api/v1/me")
    assert ApiToken.objects.get().last_used_at is not None


def test_token_for_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user named"):
        cli_create_token("nobody")


def test_me_reports_the_token_owner_and_roles(province, api_for):
    body = api_for(province.owner).get("/api/v1/me").json()
    assert body["username"] == "owner"
    assert body["roles"] == ["system_owner"]
    assert body["organisation_id"] == province.health.pk


@pytest.mark.django_db
def test_a_post_with_a_wrong_token_and_no_session_is_told_401_not_a_csrf_failure(province):
    """A script's POST carries no session cookie: a wrong token is "not authenticated" (401), as on GET.
    A browser session still needs its CSRF token for a POST."""
    script = Client(enforce_csrf_checks=True, headers={"authorization": "Bearer ucu_not-a-real-token"})
    response = script.post("/api/v1/alerts", data="{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(province.officer)
    response = browser.post("/api/v1/alerts", data="{}", content_type="application/json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_lean_token_check_gives_the_roles_and_notes_the_use_once_a_minute(province):
    from ungcuu.accounts.actions import token_roles

    api_token, raw = account_actions.create_api_token(actor=None, user=province.officer)
    assert token_roles(raw) == (province.officer.pk, frozenset({"standing_officer"}))
    api_token.refresh_from_db()
    first = api_token.last_used_at
    assert first is not None
    token_roles(raw)
    api_token.refresh_from_db()
    assert api_token.last_used_at == first  # not again within the minute
    assert token_roles("ucu_not-a-real-token") is None
    account_actions.revoke_api_token(actor=None, token=api_token)
    assert token_roles(raw) is None
