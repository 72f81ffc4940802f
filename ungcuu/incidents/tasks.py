"""Background work of the incidents app, run by `ungcuu worker` (django.tasks backport)."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from ungcuu.deadlines.actions import meet_deadline
from ungcuu.incidents.models import Incident
from ungcuu.registry.models import Deployment


@task()
def send_acknowledgement(incident_id: int) -> int:
    """E-mail the reporter and the contact person the reference (TT 20 Điều 10.1.b: acknowledge at once)."""
    incident = Incident.objects.get(pk=incident_id)
    recipients = list(dict.fromkeys(e for e in (incident.reporter_email, incident.contact_email) if e))
    # The reporter already saw the reference on the page or in the API answer; the e-mail confirms it in
    # writing. Either way the acknowledgement deadline is met now.
    meet_deadline(kind="acknowledge_report", incident=incident)
    if not recipients:
        return 0
    with translation.override("vi"):
        deployment = Deployment.current()
        context = {"incident": incident, "deployment": deployment,
                   "team": deployment.team_name or _("The provincial incident response team")}
        subject = render_to_string("incidents/acknowledgement_subject.txt", context).strip()
        body = render_to_string("incidents/acknowledgement_email.txt", context)
    return send_mail(subject, body, None, recipients)
