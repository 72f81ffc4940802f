"""Shared fixtures: personas made through the product's own actions (STYLE.md §7).

The province tree: province → health (Sở Y tế) → hospital; province → finance (Sở Tài chính);
province → pa05 (standing office). Personas: admin, officer (standing officer), lead, deputy,
member, auditor, reporter and owner of health, and an outsider (reporter + system owner) of finance.
"""

from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role
from ungcuu.registry import actions as registry_actions

# The browser fixtures of the end-to-end modules (they skip themselves without Chromium).
pytest_plugins = ["ungcuu.tests.browser", "ungcuu.notifications.tests.fixtures"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests use a fast hasher unless they check hashing itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Province:
    """The organisations, personas and systems of one test province."""

    def __init__(self):
        make_org = registry_actions.create_organisation
        self.province = make_org(actor=None, name="UBND tỉnh Thử nghiệm", kind="province")
        self.pa05 = make_org(actor=None, name="Phòng PA05", kind="standing_office", parent=self.province)
        self.health = make_org(actor=None, name="Sở Y tế", kind="provincial_agency", parent=self.province)
        self.hospital = make_org(actor=None, name="Bệnh viện Đa khoa", kind="public_service_unit",
                                 parent=self.health)
        self.finance = make_org(actor=None, name="Sở Tài chính", kind="provincial_agency", parent=self.province)
        self.isp = make_org(actor=None, name="VNPT", kind="enterprise")

        def user(name, organisation, *roles):
            return account_actions.create_user(actor=None, username=name, password=None, full_name=name.title(),
                                               organisation=organisation, roles=list(roles))

        self.admin = user("admin", self.province, Role.ADMINISTRATOR)
        self.officer = user("officer", self.pa05, Role.STANDING_OFFICER)
        self.lead = user("lead", self.pa05, Role.TEAM_LEAD)
        self.deputy = user("deputy", self.pa05, Role.DEPUTY_LEAD)
        self.member = user("member", self.hospital, Role.TEAM_MEMBER)
        self.auditor = user("auditor", self.province, Role.AUDITOR)
        self.reporter = user("reporter", self.health, Role.REPORTER)
        self.owner = user("owner", self.health, Role.SYSTEM_OWNER)
        self.outsider = user("outsider", self.finance, Role.REPORTER, Role.SYSTEM_OWNER)

        self.his = registry_actions.create_system(
            actor=None, name="HIS bệnh viện", owner=self.health, operator=self.hospital, level=3,
            ip_ranges=["198.51.100.0/28"], domains=["his.example.vn"], services=["web", "database"])
        self.budget = registry_actions.create_system(
            actor=None, name="Quản lý ngân sách", owner=self.finance, operator=self.finance, level=2,
            ip_ranges=["203.0.113.0/29"], domains=["ngansach.example.vn"])


@pytest.fixture
def province(db):
    return Province()


@pytest.fixture
def client_for():
    """A logged-in test client for a persona."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for():
    """A test client sending a fresh Bearer token of the persona with every request."""

    def make(user):
        _token, raw = account_actions.create_api_token(actor=None, user=user)
        return Client(headers={"authorization": f"Bearer {raw}"})

    return make


@pytest.fixture
def run_tasks(db):
    """Run the queued background tasks, as `ungcuu worker` would, until the queue is empty."""

    def run():
        # The worker closes connections it thinks stale, which would end the test's transaction.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None):
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run
