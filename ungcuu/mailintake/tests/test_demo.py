import pytest

from ungcuu.mailintake import demo
from ungcuu.mailintake.models import MailMessage, MailStatus

pytestmark = pytest.mark.django_db


def test_demo_has_a_report_by_mail_and_an_ignored_mail_and_runs_twice(province):
    assert demo.load({}) == 2
    assert demo.load({}) == 0
    statuses = dict(MailMessage.objects.values_list("message_id", "status"))
    assert statuses == {demo.REPORT_ID: MailStatus.REPORT_CREATED, demo.OTHER_ID: MailStatus.IGNORED}
    report = MailMessage.objects.get(message_id=demo.REPORT_ID)
    assert report.incident.detection_method == "notified"
    assert report.incident.detection_detail == "Trung tâm Giám sát an toàn không gian mạng quốc gia"
