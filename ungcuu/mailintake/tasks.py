"""Background work of mail intake, run by `ungcuu worker`: the periodic mailbox fetch and replies to senders."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from ungcuu.mailintake import actions, conf
from ungcuu.mailintake.models import MailMessage


@task()
def fetch_mail() -> dict:
    """Fetch the unseen messages of the configured mailbox (MAIL_IMAP_HOST), then read any left unread."""
    from ungcuu.mailintake import imap

    result = imap.fetch_mailbox().as_dict() if conf.get("MAIL_IMAP_HOST") else {}
    result["pending"] = actions.process_pending()
    return result


@task()
def send_reply(message_id: int) -> int:
    """Tell the sender of an incomplete "[TBSC]" report what is missing (SPEC §3: the sender is told)."""
    message = MailMessage.objects.select_related("submission").get(pk=message_id)
    if message.reply_sent_at is not None or message.submission is None or not message.sender_address:
        return 0
    from ungcuu.incidents.forms import ReportForm

    with translation.override("vi"):
        labels = {name: str(field.label) for name, field in ReportForm().fields.items()}
        errors = [(labels.get(name, name), [str(m) for m in messages])
                  for name, messages in message.submission.errors.items()]
        context = {"message": message, "errors": errors, "submission": message.submission}
        subject = render_to_string("mailintake/reply_subject.txt", context).strip()
        body = render_to_string("mailintake/reply_email.txt", context)
    headers = {"Auto-Submitted": "auto-replied"}
    if message.message_id:
        headers.update({"In-Reply-To": message.message_id, "References": message.message_id})
    sent = EmailMessage(" ".join(subject.split()), body, None, [message.sender_address], headers=headers).send()
    if sent:
        actions.mark_replied(message=message)
    return sent
