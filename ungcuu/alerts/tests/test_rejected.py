"""SPEC §3: nothing sent is lost, even when invalid — rejected items are kept with their reasons and shown."""

import json

import pytest

from ungcuu.alerts.models import Alert, RejectedAlert
from ungcuu.alerts.tests.helpers import generic_alert
from ungcuu.alerts.tests.test_intake import post


@pytest.mark.django_db
def test_an_invalid_item_is_kept_with_its_reasons_and_the_valid_ones_stored(province, api_for):
    client = api_for(province.officer)
    broken = {"source": "soc-x", "title": "no reference"}
    response = post(client, [generic_alert(1), broken, "not an object", generic_alert(2)])
    assert response.status_code == 201
    items = response.json()["items"]
    assert [i["status"] for i in items] == ["created", "invalid", "invalid", "created"]
    assert sorted(Alert.objects.values_list("source_ref", flat=True)) == ["1", "2"]
    kept = RejectedAlert.objects.get(pk=items[1]["kept_id"])
    assert kept.raw == broken and kept.source == "soc-x" and kept.received_by == province.officer
    assert kept.errors == items[1]["errors"] == {"source_ref": ["This field is required."]}
    other = RejectedAlert.objects.get(pk=items[2]["kept_id"])
    assert other.raw == "not an object" and other.source == ""
    assert RejectedAlert.objects.count() == 2


@pytest.mark.django_db
def test_an_all_invalid_batch_is_kept_and_answered_422(province, api_for):
    response = post(api_for(province.officer), [{"title": "x"}], source="soc-y")
    assert response.status_code == 422
    item = response.json()["items"][0]
    assert item["status"] == "invalid" and RejectedAlert.objects.get(pk=item["kept_id"]).source == "soc-y"


@pytest.mark.django_db
def test_a_broken_ndjson_line_is_kept_as_text(province, api_for):
    client = api_for(province.officer)
    body = "\n".join([json.dumps(generic_alert(1)), "{broken", json.dumps(generic_alert(2)), ""])
    response = post(client, body, content_type="application/x-ndjson")
    assert response.status_code == 201
    items = response.json()["items"]
    assert [i["status"] for i in items] == ["created", "invalid", "created"]
    kept = RejectedAlert.objects.get(pk=items[1]["kept_id"])
    assert kept.raw == "{broken"
    assert kept.errors == {"__all__": ["Line 2 is not valid JSON."]}


@pytest.mark.django_db
def test_a_huge_invalid_item_is_kept_capped(province, api_for):
    from ungcuu.alerts.formats import RAW_LIMIT

    response = post(api_for(province.officer), [{"title": "x", "description": "a" * (RAW_LIMIT * 2)}])
    kept = RejectedAlert.objects.get(pk=response.json()["items"][0]["kept_id"])
    assert isinstance(kept.raw, str) and len(kept.raw) == RAW_LIMIT


@pytest.mark.django_db
def test_the_rejected_page_lists_them_for_the_standing_officer(province, api_for, client_for,
                                                               django_assert_max_num_queries):
    post(api_for(province.officer), [{"source": "soc-z", "title": "<script>x</script>"}] * 3)
    client = client_for(province.officer)
    queue = client.get("/alerts/")
    assert queue.status_code == 200 and b"/alerts/rejected/" in queue.content
    assert queue.context["rejected_count"] == 3
    with django_assert_max_num_queries(8):
        page = client.get("/alerts/rejected/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('id="rejected-') == 3
    assert "soc-z" in html and province.officer.get_username() in html
    assert "<code>source_ref</code>: This field is required." in html
    assert "&lt;script&gt;" in html and "<script>x</script>" not in html
    post(api_for(province.officer), [{"source": "soc-z", "title": "y"}] * 10)
    with django_assert_max_num_queries(8):
        assert client.get("/alerts/rejected/").status_code == 200


@pytest.mark.django_db
def test_a_reporter_cannot_see_rejected_alerts(province, client_for):
    assert client_for(province.reporter).get("/alerts/rejected/").status_code in (403, 404)
