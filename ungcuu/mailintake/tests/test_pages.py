"""The standing office's pages and the API: received mail, one message, the .eml upload."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from ungcuu.incidents.models import Incident
from ungcuu.mailintake import actions
from ungcuu.mailintake.models import MailMessage, MailSource, MailStatus
from ungcuu.mailintake.tests import mails

pytestmark = pytest.mark.django_db


def received(raw):
    return actions.receive_and_process(raw=raw, source=MailSource.SMTP)[0]


def test_list_shows_each_message_with_status_flags_and_report(province, client_for):
    report, ignored, broken = received(mails.tbsc_report()), received(mails.plain()), received(mails.broken_mime())
    page = client_for(province.officer).get(reverse("mailintake:messages"))
    assert page.status_code == 200
    html = page.content.decode()
    for message in (report, ignored, broken):
        assert reverse("mailintake:message", args=[message.pk]) in html
    assert report.incident.reference in html
    assert "Mời họp giao ban tuần" in html


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "ignored"}, {"ignored"}),
    ({"flag": "malformed"}, {"broken"}),
    ({"status": "report_created"}, {"report"}),
    ({"status": "nonsense"}, {"report", "ignored", "broken"}),  # a bad filter value is not applied
])
def test_list_filters(province, client_for, params, expected):
    made = {"report": received(mails.tbsc_report()), "ignored": received(mails.plain()),
            "broken": received(mails.broken_mime())}
    page = client_for(province.officer).get(reverse("mailintake:messages"), params)
    shown = {name for name, m in made.items() if f'href="{reverse("mailintake:message", args=[m.pk])}"'
             in page.content.decode()}
    assert shown == expected


def test_list_queries_do_not_grow_with_rows_and_it_is_paged(province, client_for, settings,
                                                            django_assert_max_num_queries):
    settings.PAGE_SIZE = 5
    client = client_for(province.officer)
    for i in range(3):
        received(mails.plain(subject=f"Thư {i}"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("mailintake:messages"))
    for i in range(9):
        received(mails.broken_mime(subject=f"[TBSC] hỏng {i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("mailintake:messages"))
    assert page.context["page"].paginator.num_pages == 3 and len(page.context["page"]) == 5


def test_detail_shows_headers_text_attachments_with_hashes_flags_and_the_incident(province, client_for):
    message = received(mails.tbsc_report(attachments=(("access.log", mails.LOG_BYTES), ("x.exe", b"MZ\x00"))))
    page = client_for(province.officer).get(reverse("mailintake:message", args=[message.pk]))
    html = page.content.decode()
    assert message.sha256 in html and hashlib.sha256(mails.LOG_BYTES).hexdigest() in html
    assert "access.log" in html and "x.exe" in html
    assert message.incident.reference in html
    assert "Trang chủ HIS bị thay đổi giao diện" in html
    assert message.message_id.strip("<>") in html


def test_only_the_standing_office_reads_mail(province, client_for):
    message = received(mails.plain())
    for user in (province.reporter, province.member, province.auditor):
        client = client_for(user)
        assert client.get(reverse("mailintake:messages")).status_code == 403
        assert client.get(reverse("mailintake:message", args=[message.pk])).status_code == 403
    assert client_for(province.lead).get(reverse("mailintake:messages")).status_code == 200


def test_upload_an_eml_on_the_page(province, client_for):
    client = client_for(province.officer)
    upload = SimpleUploadedFile("bao-cao.eml", mails.tbsc_report(), "message/rfc822")
    answer = client.post(reverse("mailintake:upload"), {"file": upload}, follow=True)
    message = MailMessage.objects.get()
    assert answer.redirect_chain[-1][0] == reverse("mailintake:message", args=[message.pk])
    assert message.source == MailSource.UPLOAD and message.status == MailStatus.REPORT_CREATED
    assert message.incident.reference in answer.content.decode()
    # The same file again: nothing new, and the page says where it is.
    upload = SimpleUploadedFile("bao-cao.eml", mails.tbsc_report(message_id=message.message_id), "message/rfc822")
    client.post(reverse("mailintake:upload"), {"file": upload})
    assert MailMessage.objects.count() == 1 and Incident.objects.count() == 1


def test_upload_of_nothing_is_refused_on_the_page(province, client_for):
    client = client_for(province.officer)
    with translation.override("en"):
        answer = client.post(reverse("mailintake:upload"), {"file": SimpleUploadedFile("x.eml", b"  ")}, follow=True)
    assert MailMessage.objects.count() == 0
    assert answer.status_code == 200


def test_incident_page_lists_the_mail_about_it(province, client_for):
    message = received(mails.tbsc_report())
    page = client_for(province.officer).get(reverse("incidents:detail", args=[message.incident.reference]))
    assert reverse("mailintake:message", args=[message.pk]) in page.content.decode()


# API -------------------------------------------------------------------------------------------------


def test_api_upload_and_list(province, api_for):
    client = api_for(province.officer)
    raw = mails.tbsc_report()
    answer = client.post("/api/v1/mail/messages", {"file": SimpleUploadedFile("r.eml", raw, "message/rfc822")})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["created"] and body["status"] == "report_created" and body["incident"].startswith("SC-")
    assert body["sha256"] == hashlib.sha256(raw).hexdigest()
    assert body["attachments"][0]["sha256"] == hashlib.sha256(mails.LOG_BYTES).hexdigest()
    again = client.post("/api/v1/mail/messages", {"file": SimpleUploadedFile("r.eml", raw, "message/rfc822")})
    assert again.status_code == 200 and not again.json()["created"] and again.json()["id"] == body["id"]
    received(mails.plain())
    listed = client.get("/api/v1/mail/messages", {"status": "ignored"}).json()
    assert listed["count"] == 1 and listed["items"][0]["subject"] == "Mời họp giao ban tuần"
    one = client.get(f"/api/v1/mail/messages/{body['id']}").json()
    assert one["text"].startswith("BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG")


def test_api_refuses_others_and_empty_files(province, api_for):
    assert api_for(province.reporter).get("/api/v1/mail/messages").status_code == 403
    with translation.override("en"):
        answer = api_for(province.officer).post(
            "/api/v1/mail/messages", {"file": SimpleUploadedFile("r.eml", b"", "message/rfc822")},
            headers={"accept-language": "en"})
    assert answer.status_code == 422
    assert answer.json()["errors"]["file"]
    assert api_for(province.officer).get(f"/api/v1/mail/messages/{2**70}").status_code == 404
