"""The menu shows each role the pages it may open, and only those: deadlines, coordination (the workload, with
the delegations linked from it), notifications and checklist templates included."""

import pytest
from django.urls import reverse

PERSONAS = ["admin", "officer", "lead", "deputy", "member", "auditor", "reporter", "owner", "outsider"]

# The entries that depend on the role, per persona.
PREPAREDNESS = {"inspections:list", "plans:list", "plans:annual_index", "drills:drills", "dossiers:dossiers"}
OWNER_PAGES = {"inspections:list", "plans:list"}  # a system owner's own systems' duties and plans
TEAM_PAGES = {"deadlines:list", "coordination:workload", "reports:dashboard", "documents:register",
              "notifications:deliveries", "alerts:queue", "mailintake:messages", *PREPAREDNESS}
EXPECTED = {
    "admin": {"deadlines:list", "reports:dashboard", "documents:register", "notifications:deliveries",
              "investigation:template_list", "audit:log", "registry:deployment", "alerts:queue", *PREPAREDNESS},
    "officer": TEAM_PAGES,
    "lead": TEAM_PAGES,
    "deputy": TEAM_PAGES,
    "member": {"deadlines:list", "reports:dashboard", "alerts:queue", *PREPAREDNESS},
    "auditor": {"deadlines:list", "reports:dashboard", "documents:register", "audit:log", *PREPAREDNESS},
    "reporter": set(),
    "owner": OWNER_PAGES,
    "outsider": OWNER_PAGES,
}
EVERYONE = {"home", "incidents:list", "incidents:report", "registry:systems", "registry:organisations",
            "registry:people", "registry:resolve", "advisories:list"}
NEW_PAGES = ["deadlines:list", "coordination:workload", "reports:dashboard", "documents:register",
             "notifications:deliveries", "investigation:template_list", "alerts:queue", "mailintake:messages",
             "plans:annual_index", "drills:drills"]  # the dossiers page lists an agency its own dossier


def menu(client) -> dict[str, str]:
    """url → label of the menu on the home page."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {item["url"]: str(item["label"]) for item in response.context["nav"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_of_each_role(province, client_for, persona):
    urls = set(menu(client_for(getattr(province, persona))))
    assert urls == {reverse(name) for name in EVERYONE | EXPECTED[persona]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_offers_exactly_the_new_pages_the_role_may_open(province, client_for, persona):
    client = client_for(getattr(province, persona))
    shown = set(menu(client))
    for name in NEW_PAGES:
        status = client.get(reverse(name)).status_code
        assert status == (200 if reverse(name) in shown else 403), (name, status)


@pytest.mark.parametrize("persona", ["officer", "lead", "deputy"])
def test_the_delegations_are_reached_from_the_coordination_page(province, client_for, persona):
    client = client_for(getattr(province, persona))
    page = client.get(reverse("coordination:workload")).content.decode()
    assert f'href="{reverse("coordination:delegations")}"' in page
    assert client.get(reverse("coordination:delegations")).status_code == 200


@pytest.mark.parametrize("persona", ["lead", "deputy"])
def test_the_leads_see_the_deliveries_but_do_not_manage_webhooks(province, client_for, persona):
    client = client_for(getattr(province, persona))
    page = client.get(reverse("notifications:deliveries"))
    assert page.status_code == 200
    assert reverse("notifications:webhooks") not in page.content.decode()
    assert client.get(reverse("notifications:webhooks")).status_code == 403


def test_the_administrator_reaches_the_webhooks_from_the_deliveries(province, client_for):
    page = client_for(province.admin).get(reverse("notifications:deliveries")).content.decode()
    assert f'href="{reverse("notifications:webhooks")}"' in page


def test_the_current_page_is_marked_in_the_menu(province, client_for):
    response = client_for(province.lead).get(reverse("coordination:workload"))
    current = [item for item in response.context["nav"] if item["active"]]
    assert [item["url"] for item in current] == [reverse("coordination:workload")]
