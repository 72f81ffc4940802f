"""`ungcuu advisories remind <id>` reminds the non-responders once a day; `coverage` prints the figures."""

import io

import pytest
from django.core.management import CommandError, call_command

from ungcuu.advisories import actions
from ungcuu.advisories.models import Answer, Recipient
from ungcuu.advisories.tests.helpers import send


def _run(*args) -> str:
    out = io.StringIO()
    call_command("advisories", *args, stdout=out)
    return out.getvalue()


def test_remind_from_the_command_line(software):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    actions.answer_advisory(actor=p.owner, answer=Answer.objects.get(recipient__organisation=p.health),
                            status="fixed")
    out = _run("remind", str(advisory.pk))
    assert "reminded\tBệnh viện Đa khoa" in out and "Sở Y tế" not in out
    assert "nobody to remind" in _run("remind", str(advisory.pk))
    assert Recipient.objects.get(organisation=p.hospital).reminder_count == 1


def test_coverage_and_list(software):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    actions.answer_advisory(actor=p.owner, answer=Answer.objects.get(recipient__organisation=p.health),
                            status="fixed")
    assert "1 of 2 agencies acknowledged" in _run("coverage", str(advisory.pk))
    assert "1 of 2 systems fixed" in _run("coverage", str(advisory.pk))
    assert f"#{advisory.pk}\tsent" in _run("list", "--status", "sent")


def test_unknown_warning(db):
    with pytest.raises(CommandError):
        _run("remind", "999")
