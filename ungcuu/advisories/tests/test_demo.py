"""The demo shows a warning in progress, and loading it twice creates nothing new."""

from unittest import mock

from ungcuu import demo
from ungcuu.accounts.models import User
from ungcuu.advisories import demo as advisories_demo
from ungcuu.advisories.models import Advisory, Answer, Recipient


def test_demo_warning_in_progress_and_idempotent(db):
    with mock.patch.object(demo, "_load_preparedness_and_intake", return_value=0):
        demo.load()
    users = {u.username: u for u in User.objects.select_related("organisation")}
    assert advisories_demo.load(users) == 2
    sent = Advisory.objects.get(title=advisories_demo.SENT_TITLE)
    figures = sent.coverage()
    assert sent.status == "sent"
    assert figures["recipients"] >= 3 and 0 < figures["acknowledged"] < figures["recipients"]
    assert 0 < figures["answered"] < figures["systems"]
    assert Recipient.objects.filter(advisory=sent, organisation__name="Sở Y tế").exists()
    assert Answer.objects.filter(advisory=sent, status="fixed").count() == 1

    assert advisories_demo.load(users) == 0
    assert Advisory.objects.count() == 2
