"""The lean path of POST /api/v1/alerts (alerts/intake.py): the same answers as the API view, its writer
thread committing concurrent requests together, and everything unusual left to Django.

The application is called as the server calls it (WSGI), in this process; the writer thread has its own
database connection, so these tests commit (transaction=True)."""

import io
import json
import threading
import time

import pytest
from django.core.wsgi import get_wsgi_application
from django.test import Client

from ungcuu.accounts import actions as account_actions
from ungcuu.alerts import actions, intake
from ungcuu.alerts.models import Alert, AlertStatus, PendingAlert, RejectedAlert
from ungcuu.alerts.tests.helpers import generic_alert
from ungcuu.audit.models import AuditEntry
from ungcuu.incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


APPLICATION = intake.AlertIntake(get_wsgi_application())  # one writer thread for the module, as in a server


class Wsgi:
    """Calls the WSGI application the way gunicorn does; counts the answers the lean path gave."""

    def __init__(self):
        self.app = APPLICATION
        self.lean = 0
        real = intake.SecurityMiddleware(self.app._answer)

        def counted(request):
            self.lean += 1
            return real(request)

        self.app.security = counted

    def post(self, body, token=None, content_type="application/json", query="", language="vi", app=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/alerts", "QUERY_STRING": query,
                   "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
                   "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
                   "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_ACCEPT_LANGUAGE": language}
        if token:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        answer = {}

        def start_response(status, headers):
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(headers)

        response = (app or self.app)(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
        # The writer groups single alerts a moment later; waiting for it keeps the next step of a test from
        # writing at the same time (SQLite's in-memory test database refuses a second writer at once).
        wait_until(lambda: not self.app.writer.waiting)
        return answer["status"], json.loads(content), answer["headers"]


def token(user) -> str:
    return account_actions.create_api_token(actor=None, user=user)[1]


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer did not group the waiting alerts in time"
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def allowed_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    yield
    # The writer groups in the background: let it finish before the database is emptied for the next test.
    wait_until(lambda: not APPLICATION.writer.waiting)
    APPLICATION.tokens.clear()


def test_the_lean_path_answers_as_the_api_view_does(province):
    """A batch with a valid, an invalid and a repeated item: same status and items on both paths."""
    raw = token(province.officer)
    batch = [generic_alert("a1"), {"source": "x", "title": "no reference"}, generic_alert("a1")]
    wsgi = Wsgi()
    status, body, headers = wsgi.post(batch, raw, language="en")
    assert wsgi.lean == 1
    assert status == 201
    assert (body["created"], body["duplicate"], body["invalid"], body["received"]) == (1, 1, 1, 3)
    assert body["items"][1]["errors"]["source_ref"] == ["This field is required."]
    assert headers["Content-Language"] == "en" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert RejectedAlert.objects.get().errors == body["items"][1]["errors"]

    # The same items with other references, through Django's stack (the test client).
    batch = [generic_alert("b1"), {"source": "x", "title": "no reference"}, generic_alert("b1")]
    view = Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"}).post(
        "/api/v1/alerts", data=json.dumps(batch), content_type="application/json")
    assert view.status_code == status
    strip = [{k: v for k, v in item.items() if k not in ("id", "kept_id", "source_ref")} for item in body["items"]]
    assert strip == [{k: v for k, v in item.items() if k not in ("id", "kept_id", "source_ref")}
                     for item in view.json()["items"]]


def test_the_same_alert_twice_is_a_duplicate_with_the_first_id(province):
    raw = token(province.officer)
    wsgi = Wsgi()
    _status, first, _h = wsgi.post(generic_alert("d1"), raw)
    status, second, _h = wsgi.post(generic_alert("d1"), raw)
    assert status == 200
    assert second["items"][0]["status"] == "duplicate"
    assert second["items"][0]["id"] == first["items"][0]["id"]
    assert Alert.objects.filter(source_ref="d1").count() == 1


def test_single_alerts_are_grouped_by_the_writer_soon_after(province):
    """One alert per request is stored waiting and grouped within a second, into one incident per system."""
    raw = token(province.officer)
    wsgi = Wsgi()
    for i in range(6):
        status, body, _h = wsgi.post(generic_alert(f"s{i}", host="198.51.100.5"), raw)
        assert status == 201 and body["created"] == 1
    wait_until(lambda: not PendingAlert.objects.exists())
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.GROUPED}
    assert Incident.objects.count() == 1
    assert Alert.objects.filter(incident=Incident.objects.get()).count() == 6


def test_concurrent_requests_are_all_stored(province):
    """40 requests at once, one alert each: every one answered 201 and stored, then grouped."""
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared in-memory test database refuses a second writer at once instead of waiting; "
                    "the file database of a deployment waits (timeout 20 s)")
    raw = token(province.officer)
    wsgi = Wsgi()
    answers, errors = [], []

    def send(i):
        try:
            answers.append(wsgi.post(generic_alert(f"c{i}", severity="low"), raw)[0])
        except Exception as exc:  # reported below with the others
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and answers == [201] * 40
    assert Alert.objects.count() == 40
    wait_until(lambda: not PendingAlert.objects.exists())


def test_a_large_batch_on_the_lean_path_is_grouped_as_it_is_stored(province):
    raw = token(province.officer)
    status, body, _h = Wsgi().post([generic_alert(f"l{i}") for i in range(actions.COPY_FROM * 3)], raw)
    assert status == 201 and body["created"] == actions.COPY_FROM * 3
    assert not PendingAlert.objects.exists()
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.GROUPED}
    assert AuditEntry.objects.filter(action="alerts.group").count() == 1


@pytest.mark.parametrize(("case", "expected"), [
    ("no token", 401), ("unknown token", 401), ("reporter", 403), ("not json", 422), ("unknown format", 422),
])
def test_anything_unusual_is_answered_by_django_as_elsewhere_in_the_api(province, case, expected):
    """The answer is Django's own, byte for byte the one the API gives without the lean path."""
    wsgi = Wsgi()
    if case in ("no token", "unknown token"):
        raw = None if case == "no token" else "ucu_nope"
    else:
        raw = token(province.reporter if case == "reporter" else province.officer)
    body = b"{not json" if case == "not json" else json.dumps(generic_alert("u1")).encode()
    query = "format=splunk" if case == "unknown format" else ""
    answer = wsgi.post(body, raw, query=query)
    assert wsgi.lean == 0
    assert answer[0] == expected and answer[1]["detail"]
    assert answer[:2] == wsgi.post(body, raw, query=query, app=APPLICATION.application)[:2]
    assert not Alert.objects.exists()


def test_a_revoked_token_stops_sending_within_the_second_it_is_remembered(province):
    api_token, raw = account_actions.create_api_token(actor=None, user=province.officer)
    wsgi = Wsgi()
    assert wsgi.post(generic_alert("r1"), raw)[0] == 201
    wait_until(lambda: not APPLICATION.writer.waiting)  # SQLite's in-memory test database: one writer at a time
    account_actions.revoke_api_token(actor=province.admin, token=api_token)
    time.sleep(intake.TOKEN_SECONDS + 0.1)
    status, _body, _h = wsgi.post(generic_alert("r2"), raw)
    assert wsgi.lean == 1 and status == 401  # Django's answer to a refused token
    assert not Alert.objects.filter(source_ref="r2").exists()


def test_a_request_with_few_valid_alerts_among_many_items_is_grouped_too(province):
    """55 items of which 30 are valid: the 30 are few enough to be stored waiting, and still grouped."""
    raw = token(province.officer)
    items = [generic_alert(f"v{i}") for i in range(30)] + [{"source": "x"}] * 25
    status, body, _h = Wsgi().post(items, raw)
    assert status == 201 and (body["created"], body["invalid"]) == (30, 25)
    assert not PendingAlert.objects.exists()
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.GROUPED}
