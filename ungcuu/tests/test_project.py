"""The product as a whole: migrations, settings, the `ungcuu` command, demo data and the real server."""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from ungcuu import demo
from ungcuu.accounts.models import Role, User
from ungcuu.audit.models import verify_chain
from ungcuu.incidents.models import Incident
from ungcuu.incidents.tests.helpers import report_payload
from ungcuu.registry.models import Deployment, InformationSystem, Organisation, Person

ROOT = Path(__file__).resolve().parents[2]


def test_models_and_migrations_agree(db):
    """No model change is left without its migration."""
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def test_settings_defaults_are_vietnamese_and_safe():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_dates_are_day_month_year_and_times_24h(db):
    from datetime import datetime

    from django.template import Context, Template
    from django.utils import translation

    moment = datetime(2026, 2, 5, 14, 30)
    for language in ("vi", "en"):
        with translation.override(language):
            text = Template('{{ d|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"d": moment}))
        assert text == "05/02/2026 14:30", language


def test_demo_data_matches_the_issue_and_loads_idempotently(db):
    """The demo: Quảng Ngãi, a lead, two deputies, a standing officer, five members, ≥4 agencies,
    ≥3 communes, eight systems at levels 1–4, one user per role; a second load creates nothing."""
    assert demo.load() > 0
    assert demo.load() == 0
    assert Deployment.current().province_name == "Quảng Ngãi"
    team = Person.objects.on_team()
    assert team.filter(team_position="lead").count() == 1
    assert team.filter(team_position="deputy").count() == 2
    assert team.filter(team_position="standing_officer").count() == 1
    assert team.filter(team_position="member").count() == 5
    assert len({p.organisation_id for p in team.filter(team_position="member")}) >= 3
    assert Organisation.objects.filter(kind="provincial_agency").count() >= 4
    assert Organisation.objects.filter(kind="commune").count() >= 3
    systems = InformationSystem.objects.all()
    assert systems.count() == 8
    assert {s.level for s in systems} == {1, 2, 3, 4}
    held = set().union(*(u.role_set for u in User.objects.all()))
    assert held == set(Role.values)
    for user in User.objects.all():
        assert user.check_password(demo.DEMO_PASSWORD), user.username
    # The reports of the demo, plus one made from a "[TBSC]" e-mail and one from grouped monitoring alerts.
    assert Incident.objects.filter(channel="email").count() == 1
    assert Incident.objects.filter(channel="monitoring").count() == 1
    incidents = Incident.objects.exclude(channel__in=["email", "monitoring"])
    assert incidents.count() == len(demo.INCIDENTS)
    assert incidents.filter(status="merged").count() == 1  # a duplicate already merged, to show how it looks
    assert incidents.filter(confidential=True).count() == 1
    assert incidents.exclude(attack_type="").count() == 3
    assert verify_chain().ok


def test_ungcuu_command_lists_the_operations():
    result = subprocess.run([sys.executable, "-m", "ungcuu.cli", "help"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0
    for command in ("serve", "migrate", "demo", "worker", "createsuperuser", "token", "audit"):
        assert command in result.stdout, command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the served database is a throw-away SQLite file")
def test_serve_runs_gunicorn_with_static_files_and_the_task_worker(tmp_path):
    """`ungcuu serve` starts a real server: the Vietnamese login page and its static files load, and a
    report through the API gets its acknowledgement e-mail from the worker that serve started."""
    env = {**os.environ, "UNGCUU_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("EMAIL_HOST", None)
    env.pop("EMAIL_BACKEND", None)
    cli = [sys.executable, "-m", "ungcuu.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=120)
    subprocess.run([*cli, "demo"], env=env, check=True, cwd=ROOT, timeout=120, capture_output=True)
    token = subprocess.run([*cli, "token", "create", "--user", "baocao"], env=env, check=True, cwd=ROOT,
                           timeout=60, capture_output=True, text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer")
        body = page.read().decode()
        assert page.headers["Server"].startswith("gunicorn")
        assert "Đăng nhập" in body
        css = urllib.request.urlopen(f"{base}/static/vendor/pico-2.1.1.min.css", timeout=5)
        assert css.status == 200
        assert "max-age" in css.headers.get("Cache-Control", "") or css.headers.get("Last-Modified")

        report = json.dumps(report_payload()).encode()
        request = urllib.request.Request(f"{base}/api/v1/incidents", data=report, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        reference = json.load(urllib.request.urlopen(request, timeout=10))["reference"]
        for _ in range(100):
            mails = [p.read_text() for p in (tmp_path / "mail").glob("*")] if (tmp_path / "mail").exists() else []
            if any(reference in mail for mail in mails):
                break
            time.sleep(0.2)
        else:
            pytest.fail("no acknowledgement e-mail was written by the worker")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_pages_stay_vietnamese_for_an_english_browser_until_the_user_switches(db):
    """Vietnamese is the default even when the browser asks for English; the switch's cookie decides."""
    from django.test import Client

    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_api_errors_follow_accept_language(db):
    from django.test import Client

    vi = Client().get("/api/v1/systems").json()["detail"]
    en = Client(headers={"accept-language": "en"}).get("/api/v1/systems").json()["detail"]
    assert en == "Authentication required: send a valid API token."
    assert vi != en
