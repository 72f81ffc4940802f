from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ungcuu.notifications import actions
from ungcuu.notifications.models import WebhookEndpoint


class Command(BaseCommand):
    help = ("Webhook endpoints: 'webhooks add NAME URL [--event E ...] [--secret S]' prints the signing secret "
            "once; 'webhooks list'; 'webhooks disable ID'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        add = sub.add_parser("add", help="register an endpoint (all events unless --event is given)")
        add.add_argument("name")
        add.add_argument("url")
        add.add_argument("--event", action="append", default=[], dest="events",
                         help="an event to send (repeat for several)")
        add.add_argument("--secret", default="", help="the signing secret (generated if omitted)")
        sub.add_parser("list", help="list endpoints")
        disable = sub.add_parser("disable", help="deactivate an endpoint")
        disable.add_argument("endpoint_id", type=int)

    def handle(self, *args, **options):
        operation = options["operation"]
        try:
            if operation == "add":
                endpoint, secret = actions.create_webhook_endpoint(
                    actor=None, name=options["name"], url=options["url"], events=options["events"],
                    secret=options["secret"])
                self.stderr.write(f"Endpoint #{endpoint.pk} {endpoint.name} added; signing secret (shown once):")
                self.stdout.write(secret)
            elif operation == "disable":
                endpoint = WebhookEndpoint.objects.filter(pk=options["endpoint_id"]).first()
                if endpoint is None:
                    raise CommandError(f"No webhook endpoint #{options['endpoint_id']}.")
                actions.deactivate_webhook_endpoint(actor=None, endpoint=endpoint)
                self.stdout.write(f"Endpoint #{endpoint.pk} {endpoint.name} deactivated.")
            else:
                for e in WebhookEndpoint.objects.all()[:1000]:
                    state = "active" if e.active else f"deactivated {e.deactivated_at:%d/%m/%Y %H:%M}"
                    events = ",".join(e.events) or "*"
                    self.stdout.write(f"#{e.pk}\t{e.name}\t{e.url}\t{events}\t{state}")
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
