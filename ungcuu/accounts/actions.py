"""Changes to accounts, roles and API tokens: one audited, atomic function each."""

import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.accounts.models import ApiToken, Role, RoleAssignment, User, new_raw_token, token_digest
from ungcuu.audit.actions import record
from ungcuu.registry.models import Organisation


def _require_admin(actor) -> None:
    if actor is not None and not actor.has_any_role(Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only an administrator may manage accounts."))


def _check_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles or []))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role(s): %(roles)s.") % {"roles": ", ".join(unknown)}})
    return roles


@transaction.atomic
def create_user(*, actor, username: str, password: str | None, full_name: str = "", email: str = "",
                organisation: Organisation | None = None, roles=(), is_superuser: bool = False) -> User:
    """Create an account in an organisation with its roles; the password is checked for strength."""
    _require_admin(actor)
    roles = _check_roles(roles)
    errors: dict = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = _("Give a user name.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("The user name “%(name)s” is already taken.") % {"name": username}
    user = User(username=username, full_name=full_name.strip(), email=email.strip(), organisation=organisation,
                is_superuser=is_superuser, is_staff=is_superuser)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if not is_superuser and organisation is None:
        errors["organisation"] = _("Choose the organisation the user belongs to.")
    if errors:
        raise ValidationError(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
    record(actor=actor, action="accounts.create_user", target=user,
           summary=_("Created account %(name)s") % {"name": username},
           changes={"username": username, "full_name": user.full_name, "organisation": organisation,
                    "roles": roles, "is_superuser": is_superuser})
    return user


@transaction.atomic
def set_roles(*, actor, user: User, roles) -> User:
    """Replace the roles a user holds."""
    _require_admin(actor)
    roles = _check_roles(roles)
    before = sorted(user.role_assignments.values_list("role", flat=True))
    user.role_assignments.exclude(role__in=roles).delete()
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=r) for r in roles if r not in before])
    user.__dict__.pop("role_set", None)
    record(actor=actor, action="accounts.set_roles", target=user,
           summary=_("Changed the roles of %(name)s") % {"name": user.username},
           changes={"roles": [before, sorted(roles)]})
    return user


@transaction.atomic
def change_password(*, actor, user: User, new_password: str) -> None:
    """Set a new password (the user's own, or by an administrator)."""
    if actor is not None and actor.pk != user.pk:
        _require_admin(actor)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": " ".join(exc.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(actor=actor, action="accounts.change_password", target=user,
           summary=_("Changed the password of %(name)s") % {"name": user.username})


@transaction.atomic
def create_api_token(*, actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue an API token for a user; the raw token is returned once and never stored."""
    if actor is not None and actor.pk != user.pk:
        _require_admin(actor)
    if not user.is_active:
        raise ValidationError({"user": _("The account %(name)s is disabled.") % {"name": user.username}})
    raw = new_raw_token()
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=raw[:10], digest=token_digest(raw))
    record(actor=actor, action="accounts.create_api_token", target=token,
           summary=_("Issued API token %(prefix)s… for %(name)s") % {"prefix": token.prefix, "name": user.username},
           changes={"user": user, "name": token.name})
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once."""
    if actor is not None and actor.pk != token.user_id:
        _require_admin(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, action="accounts.revoke_api_token", target=token,
               summary=_("Revoked API token %(prefix)s…") % {"prefix": token.prefix})
    return token


def token_roles(raw: str) -> tuple[int, frozenset[str]] | None:
    """(user id, roles) of an active token of an active user, or None: the same rules as
    `authenticate_token` in one query and no model instances, for the alert intake's lean path
    (alerts/intake.py), where building the user costs more than storing the alert."""
    quote = connection.ops.quote_name
    token, user, role = ApiToken._meta, User._meta, RoleAssignment._meta
    now = timezone.now()
    touch_before = connection.ops.adapt_datetimefield_value(
        now - datetime.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.{quote('id')}, (t.{quote('last_used_at')} IS NULL OR t.{quote('last_used_at')} < %s), "
            f"u.{quote('id')}, u.{quote('is_superuser')}, r.{quote('role')} FROM {quote(token.db_table)} t "
            f"JOIN {quote(user.db_table)} u ON u.{quote('id')} = t.{quote('user_id')} "
            f"LEFT JOIN {quote(role.db_table)} r ON r.{quote('user_id')} = u.{quote('id')} "
            f"WHERE t.{quote('digest')} = %s AND t.{quote('revoked_at')} IS NULL AND u.{quote('is_active')}",
            [touch_before, token_digest(raw)])
        rows = cursor.fetchall()
    if not rows:
        return None
    token_id, stale, user_id, superuser, _role = rows[0]
    if stale:  # noted at most once a minute, as authenticate_token does
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    roles = frozenset(Role.values) if superuser else frozenset(row[4] for row in rows if row[4])
    return user_id, roles


def authenticate_token(raw: str) -> User | None:
    """The active user holding this token, or None. Notes the last use at most once a minute."""
    token = (ApiToken.objects.active().select_related("user", "user__organisation")
             .filter(digest=token_digest(raw)).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    touch_after = settings.API_TOKEN_TOUCH_SECONDS
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > touch_after:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
