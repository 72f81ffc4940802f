"""Users, their roles and their API tokens."""

import hashlib
import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "ucu_"


class Role(models.TextChoices):
    """The roles of SPEC §1; a person may hold several."""

    REPORTER = "reporter", _("Reporter")
    STANDING_OFFICER = "standing_officer", _("Standing officer")
    TEAM_LEAD = "team_lead", _("Team lead")
    DEPUTY_LEAD = "deputy_lead", _("Deputy lead")
    TEAM_MEMBER = "team_member", _("Team member")
    SYSTEM_OWNER = "system_owner", _("System owner")
    STEERING_MEMBER = "steering_member", _("Steering committee member")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """An account: belongs to one organisation and holds one or more roles."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        """The user's roles, read once per request; a superuser holds all of them."""
        if not self.is_active:
            return frozenset()
        if self.is_superuser:
            return frozenset(Role.values)
        return frozenset(self.role_assignments.values_list("role", flat=True))

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in Role.values if r in self.role_set]


class RoleAssignment(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"


def token_digest(raw: str) -> str:
    # Tokens are 256-bit random values, so a plain SHA-256 is enough (no slow hash needed).
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A Bearer token for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    # The first characters, shown so a person can tell tokens apart; not enough to use one.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
