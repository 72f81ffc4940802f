"""Against a running server: thehive4py sends alerts unchanged; a server killed mid-stream loses no
acknowledged alert."""

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from thehive4py import TheHiveApi
from thehive4py.errors import TheHiveError

from ungcuu.accounts import actions as account_actions
from ungcuu.alerts.models import Alert
from ungcuu.alerts.tests.helpers import generic_alert, thehive_alert
from ungcuu.incidents.models import Incident

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db(transaction=True)
def test_thehive4py_creates_an_alert_against_the_running_server(province, live_server):
    _token, raw = account_actions.create_api_token(actor=None, user=province.officer)
    hive = TheHiveApi(url=live_server.url, apikey=raw, max_retries=0)
    created = hive.alert.create(alert=thehive_alert("hive-1"))
    alert = Alert.objects.get(pk=int(created["_id"]))
    assert (alert.source, alert.source_ref, alert.format) == ("soc-quoc-gia", "external/hive-1", "thehive")
    assert created["sourceRef"] == "hive-1" and created["severity"] == 3 and created["observableCount"] == 2
    assert created["caseId"] == Incident.objects.get().reference  # grouped on the HIS system
    assert hive.alert.get(created["_id"])["title"] == "Mã độc liên lạc C2"
    # TheHive refuses a second alert with the same source reference; so do we, and nothing is added.
    with pytest.raises(TheHiveError, match="CreateError"):
        hive.alert.create(alert=thehive_alert("hive-1"))
    # TheHive keeps one alert per (type, source, sourceRef): another type under the same reference is new.
    assert hive.alert.create(alert=thehive_alert("hive-1", type="internal"))["sourceRef"] == "hive-1"
    with pytest.raises(TheHiveError, match="AttributeCheckingError"):
        hive.alert.create(alert={"type": "x", "source": "y", "sourceRef": "z", "description": "no title"})
    assert Alert.objects.count() == 2
    with pytest.raises(TheHiveError):
        TheHiveApi(url=live_server.url, apikey="wrong", max_retries=0).alert.create(alert=thehive_alert("h2"))


@pytest.mark.django_db(transaction=True)
def test_the_thehive_4_path_takes_an_alert_with_artifacts(province, live_server):
    _token, raw = account_actions.create_api_token(actor=None, user=province.officer)
    alert = thehive_alert("v4-1")
    alert["artifacts"] = alert.pop("observables")
    host = live_server.url.removeprefix("http://")
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.request("POST", "/api/alert", body=json.dumps(alert),
                 headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 201, response.read()
    assert json.loads(response.read())["sourceRef"] == "v4-1"
    assert Alert.objects.get().system == province.his


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_a_server_killed_mid_stream_keeps_every_acknowledged_alert(province, tmp_path):
    _token, raw = account_actions.create_api_token(actor=None, user=province.officer)
    if connection.vendor == "sqlite":
        # The test database lives in memory: the server gets a copy of it in a file.
        database = tmp_path / "crash.sqlite3"
        target = sqlite3.connect(database)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        url = f"sqlite:///{database}"
    else:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "UNGCUU_DATA_DIR": str(tmp_path / "data"),
           "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([sys.executable, "-m", "ungcuu.cli", "serve", "--no-collectstatic", "--no-access-log",
                               "--no-worker", "--port", str(port), "--workers", "2", "--threads", "2"],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    acknowledged: list[str] = []
    sent = {"batches": 0, "failed": 0}
    stop = threading.Event()

    def stream():
        batch = 0
        while not stop.is_set():
            refs = [f"crash-{batch}-{i}" for i in range(200)]
            body = json.dumps([generic_alert(ref, host=["198.51.100.5", "203.0.113.2"][i % 2])
                               for i, ref in enumerate(refs)])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/api/v1/alerts", body=body,
                             headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
            except OSError:
                sent["failed"] += 1
                if sent["failed"] > 50:
                    return
                time.sleep(0.05)
                continue
            if 200 <= response.status < 300:
                acknowledged.extend(refs)
                sent["batches"] += 1
            batch += 1

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        client = threading.Thread(target=stream)
        client.start()
        deadline = time.monotonic() + 120
        while sent["batches"] < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.15)  # somewhere inside the next batch
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        time.sleep(0.5)
        stop.set()
        client.join()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert sent["batches"] >= 5, (tmp_path / "serve.log").read_text()
    if connection.vendor == "sqlite":
        with sqlite3.connect(database) as db:
            stored = {row[0] for row in db.execute("SELECT source_ref FROM alerts_alert")}
    else:
        stored = set(Alert.objects.values_list("source_ref", flat=True))
    assert set(acknowledged) <= stored
    assert len(stored) >= len(acknowledged)
