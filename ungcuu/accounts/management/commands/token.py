from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ungcuu.accounts import actions
from ungcuu.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = ("API tokens: 'token create --user NAME [--name LABEL]' prints a new token once; "
            "'token revoke ID_OR_PREFIX'; 'token list [--user NAME]'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="issue a token (printed once, stored as a hash)")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="revoke a token by its id or its printed prefix")
        revoke.add_argument("token")
        listing = sub.add_parser("list", help="list tokens")
        listing.add_argument("--user")

    def handle(self, *args, **options):
        operation = options["operation"]
        if operation == "create":
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
            token, raw = actions.create_api_token(actor=None, user=user, name=options["name"])
            self.stderr.write(f"Token #{token.pk} for {user.username} (shown once, keep it safe):")
            self.stdout.write(raw)
        elif operation == "revoke":
            value = options["token"]
            query = Q(prefix=value) | Q(prefix=value.rstrip("…"))
            if value.isdigit():
                query |= Q(pk=int(value))
            tokens = list(ApiToken.objects.filter(query))
            if len(tokens) != 1:
                raise CommandError(f"{len(tokens)} tokens match {value!r}; give the token id.")
            actions.revoke_api_token(actor=None, token=tokens[0])
            self.stdout.write(f"Token #{tokens[0].pk} revoked.")
        else:
            rows = ApiToken.objects.select_related("user")
            if options["user"]:
                rows = rows.filter(user__username=options["user"])
            for t in rows[:1000]:
                state = f"revoked {t.revoked_at:%d/%m/%Y %H:%M}" if t.revoked_at else "active"
                used = f"{t.last_used_at:%d/%m/%Y %H:%M}" if t.last_used_at else "never"
                self.stdout.write(f"#{t.pk}\t{t.prefix}…\t{t.user.username}\t{t.name}\t{state}\tlast used {used}")
