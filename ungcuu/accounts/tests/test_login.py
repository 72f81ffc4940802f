"""Signing in: Vietnamese pages, Argon2 hashes, lockout after repeated failures."""

import pytest
from django.test import Client
from django.utils import translation

from ungcuu.accounts import actions
from ungcuu.accounts.models import Role, User

PASSWORD = "mật-khẩu-đủ-dài-2026"


def vi(msgid: str) -> str:
    """The Vietnamese text of a message; fails if it has not been translated."""
    with translation.override("vi"):
        text = translation.gettext(msgid)
    assert text != msgid, f"not translated into Vietnamese: {msgid!r}"
    return text


@pytest.fixture
def officer(province):
    return actions.create_user(actor=None, username="truc", password=PASSWORD, full_name="Phạm Minh Đức",
                               organisation=province.pa05, roles=[Role.STANDING_OFFICER])


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_page_is_in_vietnamese_by_default(db):
    response = Client().get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in body
    assert vi("Sign in") in body


def test_anonymous_visitor_is_sent_to_login(db):
    response = Client().get("/registry/systems/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_good_password_signs_in_and_shows_home(officer):
    client = Client()
    response = login(client, "truc", PASSWORD)
    assert response.status_code == 302
    home = client.get("/")
    assert "Phạm Minh Đức" in home.content.decode()


def test_wrong_password_is_refused_with_a_vietnamese_message(officer):
    response = login(Client(), "truc", "sai-mật-khẩu")
    assert response.status_code == 200
    assert vi("Wrong user name or password. Both are case-sensitive.") in response.content.decode()


def test_passwords_are_hashed_with_argon2(officer, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    actions.change_password(actor=None, user=officer, new_password=PASSWORD + "!")
    assert User.objects.get(pk=officer.pk).password.startswith("argon2")


def test_account_locks_after_repeated_failures(officer, settings):
    """After the configured number of failures even the right password is refused for a while."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "truc", "wrong")
    response = login(client, "truc", PASSWORD)
    assert response.status_code == 429
    assert vi("Account locked") in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_weak_password_is_refused_with_reasons(province):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        actions.create_user(actor=None, username="yeu", password="123", organisation=province.health)
    assert "password" in caught.value.message_dict
    assert not User.objects.filter(username="yeu").exists()


def test_user_changes_own_password(officer):
    client = Client()
    login(client, "truc", PASSWORD)
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password": "một-mật-khẩu-mới-2026",
        "new_password_again": "một-mật-khẩu-mới-2026"})
    assert response.status_code == 302
    assert User.objects.get(pk=officer.pk).check_password("một-mật-khẩu-mới-2026")


def test_logout_needs_post_and_ends_the_session(officer):
    client = Client()
    login(client, "truc", PASSWORD)
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_user_holds_several_roles(province):
    user = actions.create_user(actor=None, username="hai-vai", password=None, organisation=province.health,
                               roles=[Role.REPORTER, Role.SYSTEM_OWNER])
    assert user.role_set == {"reporter", "system_owner"}
    actions.set_roles(actor=province.admin, user=user, roles=[Role.TEAM_MEMBER])
    assert User.objects.get(pk=user.pk).role_set == {"team_member"}


def test_only_an_administrator_manages_accounts(province):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.set_roles(actor=province.officer, user=province.reporter, roles=[Role.ADMINISTRATOR])
