"""List pages and API lists: paginated, and a fixed number of SQL queries however many rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ungcuu.registry import actions


def add_systems(province, count, start=0):
    for i in range(start, start + count):
        actions.create_system(
            actor=None, name=f"Hệ thống {i:03d}", owner=province.health, operator=province.hospital, level=1 + i % 4,
            ip_ranges=[f"10.{i // 250}.{i % 250}.0/24"], domains=[f"ht{i}.example.vn", f"www.ht{i}.example.vn"],
            connectivity_providers=[province.isp], security_provider=province.isp, services=["web"])


def add_people(province, count, start=0):
    for i in range(start, start + count):
        actions.create_person(actor=None, full_name=f"Người {i:03d}", organisation=province.health,
                              team_position="member" if i % 2 else "")


def add_organisations(province, count, start=0):
    for i in range(start, start + count):
        actions.create_organisation(actor=None, name=f"Xã {i:03d}", kind="commune", parent=province.province)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# (url, row factory, persona). The count is measured with few rows, then with many; both must match.
LISTS = [
    ("/registry/systems/", add_systems, "officer"),
    ("/registry/systems/", add_systems, "owner"),
    ("/registry/people/", add_people, "officer"),
    ("/registry/people/?team=1", add_people, "officer"),
    ("/registry/organisations/", add_organisations, "reporter"),
    ("/api/v1/systems", add_systems, "officer"),
    ("/api/v1/systems", add_systems, "owner"),
    ("/api/v1/people", add_people, "officer"),
    ("/api/v1/organisations", add_organisations, "reporter"),
    ("/audit/", add_organisations, "auditor"),
]


@pytest.mark.parametrize(("url", "factory", "persona"), LISTS)
def test_query_count_does_not_grow_with_rows(province, client_for, api_for, url, factory, persona):
    user = getattr(province, persona)
    client = api_for(user) if url.startswith("/api/") else client_for(user)
    factory(province, 3)
    client.get(url)  # warm-up: the first API call also notes the token's last use
    few = queries(client, url)
    factory(province, 40, start=3)
    many = queries(client, url)
    assert few == many, f"{url}: {few} queries with few rows, {many} with many"
    assert many <= 12, f"{url}: {many} queries"


def test_systems_list_page_queries_are_pinned(province, client_for, django_assert_max_num_queries):
    """Session, user, roles, deployment, count, rows, domains: the page stays at this number."""
    add_systems(province, 30)
    client = client_for(province.officer)
    with django_assert_max_num_queries(8):
        client.get("/registry/systems/")


def test_api_systems_list_queries_are_pinned(province, api_for, django_assert_max_num_queries):
    add_systems(province, 30)
    client = api_for(province.officer)
    with django_assert_max_num_queries(9):
        client.get("/api/v1/systems")


def test_lists_are_paginated(province, client_for, api_for, settings):
    settings.PAGE_SIZE = 50
    add_systems(province, 60)
    body = api_for(province.officer).get("/api/v1/systems").json()
    assert body["count"] == 62
    assert len(body["items"]) == 50
    second = api_for(province.officer).get("/api/v1/systems?page=2").json()
    assert len(second["items"]) == 12
    page = client_for(province.officer).get("/registry/systems/?page=2").content.decode()
    assert "page=1" in page
    assert page.count("/registry/systems/") >= 12


def test_web_filters_keep_their_values_across_pages(province, client_for):
    add_systems(province, 60)
    body = client_for(province.officer).get("/registry/systems/?q=0").content.decode()
    assert "q=0&amp;page=2" in body
