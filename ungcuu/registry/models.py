"""The province's organisations, people, response team and information systems."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ungcuu.lib import netaddr

# Roles that see every organisation's records in the province (SPEC §11: the team and oversight).
PROVINCE_WIDE_ROLES = (
    "administrator", "standing_officer", "team_lead", "deputy_lead", "team_member",
    "steering_member", "auditor",
)
REGISTRY_EDITOR_ROLES = ("administrator", "standing_officer")


class OrganisationKind(models.TextChoices):
    PROVINCE = "province", _("Provincial People's Committee")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    STANDING_OFFICE = "standing_office", _("Standing office of the response team")
    PROVINCIAL_AGENCY = "provincial_agency", _("Provincial department or agency")
    COMMUNE = "commune", _("Commune or ward")
    DISTRICT = "district", _("District (before 07/2025)")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Public service unit")
    ENTERPRISE = "enterprise", _("Enterprise or ISP")
    SECURITY_PROVIDER = "security_provider", _("Security service provider")
    POLICE = "police", _("Police")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    OTHER = "other", _("Other")


class OrganisationQuerySet(models.QuerySet):
    def subtree_of(self, organisation):
        """The organisation and every organisation below it."""
        return self.filter(path__startswith=organisation.path)


class Organisation(models.Model):
    """A body in the province's hierarchy: the province, agencies, communes, providers, police, …"""

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Materialised path "/1/5/12/": the subtree is one indexed prefix match.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("official e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    def ancestors_and_self_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class TeamPosition(models.TextChoices):
    NONE = "", _("Not on the team")
    LEAD = "lead", _("Team lead")
    DEPUTY = "deputy", _("Deputy lead")
    STANDING_OFFICER = "standing_officer", _("Standing officer")
    MEMBER = "member", _("Team member")


class PersonQuerySet(models.QuerySet):
    def on_team(self):
        return self.exclude(team_position="").filter(is_active=True)

    def visible_to(self, user):
        """The team and oversight roles see everyone; others see the people of their organisation."""
        if user.has_any_role(*PROVINCE_WIDE_ROLES):
            return self
        if user.organisation_id is None or not user.organisation.path:
            return self.none()
        return self.filter(organisation__path__startswith=user.organisation.path)


class Person(models.Model):
    """A person known to the registry; may hold an account and a position on the response team."""

    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="people",
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("official e-mail"), blank=True)
    team_position = models.CharField(
        _("team position"), max_length=20, choices=TeamPosition.choices, blank=True, default="", db_index=True,
    )
    skills = models.TextField(_("skills"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="person",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.full_name


class SecurityLevelStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")


class Service(models.TextChoices):
    """As ticked on Biểu mẫu 03 §9 (TT 20/2017): the registry and the report share them."""

    WEB = "web", _("Web server")
    MAIL = "mail", _("Mail server")
    DATABASE = "database", _("Database server")
    OTHER = "other", _("Other")


class SecurityMeasure(models.TextChoices):
    """As ticked on Biểu mẫu 03 §9."""

    ANTIVIRUS = "antivirus", _("Antivirus")
    FIREWALL = "firewall", _("Firewall")
    IDS = "ids", _("Intrusion detection system")
    OTHER = "other", _("Other")


SECURITY_LEVELS = [(level, format_lazy(_("Level {}"), level)) for level in range(1, 6)]


class InformationSystemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Province-wide roles see all systems; others only those their organisation owns or operates."""
        if user.has_any_role(*PROVINCE_WIDE_ROLES):
            return self
        if user.organisation_id is None or not user.organisation.path:
            return self.none()
        path = user.organisation.path
        return self.filter(Q(owner__path__startswith=path) | Q(operator__path__startswith=path))

    def editable_by(self, user):
        """Registry editors change any system; a system owner changes those of their organisation."""
        if user.has_any_role(*REGISTRY_EDITOR_ROLES):
            return self
        if user.has_any_role("system_owner") and user.organisation_id is not None and user.organisation.path:
            # Owners only: an agency that merely operates a system must not re-assign it.
            return self.filter(owner__path__startswith=user.organisation.path)
        return self.none()

    def with_addresses(self):
        return self.select_related("owner", "operator", "security_provider").prefetch_related(
            "networks", "domains", "connectivity_providers",
        )


class InformationSystem(models.Model):
    """An information system (hệ thống thông tin) with its security level under Nghị định 85/2016."""

    name = models.CharField(_("name"), max_length=300)
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_systems",
    )
    operator = models.ForeignKey(
        Organisation, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="operated_systems",
    )
    level = models.PositiveSmallIntegerField(
        _("security level"), choices=SECURITY_LEVELS, db_index=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    level_status = models.CharField(
        _("level status"), max_length=20, choices=SecurityLevelStatus.choices, default=SecurityLevelStatus.PROPOSED,
    )
    level_approved_on = models.DateField(_("level approved on"), null=True, blank=True)
    level_decision = models.CharField(_("approval decision"), max_length=100, blank=True)
    national_critical = models.BooleanField(_("on the national critical systems list"), default=False)
    purpose = models.TextField(_("main purpose"), blank=True)
    os_versions = models.TextField(_("operating systems and versions"), blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    services_other = models.CharField(_("other services"), max_length=300, blank=True)
    security_measures = models.JSONField(_("security measures"), default=list, blank=True)
    security_measures_other = models.CharField(_("other security measures"), max_length=300, blank=True)
    security_provider = models.ForeignKey(
        Organisation, verbose_name=_("contracted security provider"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="secured_systems",
    )
    connectivity_providers = models.ManyToManyField(
        Organisation, verbose_name=_("connectivity providers"), blank=True, related_name="connected_systems",
    )
    is_active = models.BooleanField(_("in operation"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InformationSystemQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")

    def __str__(self):
        return self.name

    def ip_ranges(self) -> list[str]:
        return [n.cidr for n in self.networks.all()]

    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains.all()]

    def service_labels(self) -> list[str]:
        return [str(Service(s).label) for s in self.services if s in Service.values]

    def measure_labels(self) -> list[str]:
        return [str(SecurityMeasure(s).label) for s in self.security_measures if s in SecurityMeasure.values]


class SystemNetwork(models.Model):
    """A public IP range of a system, with its bounds for address lookup."""

    system = models.ForeignKey(InformationSystem, on_delete=models.CASCADE, related_name="networks")
    cidr = models.CharField(max_length=64)
    first_key = models.CharField(max_length=32)
    last_key = models.CharField(max_length=32)

    class Meta:
        ordering = ["first_key"]
        indexes = [models.Index(fields=["first_key", "last_key"])]
        constraints = [models.UniqueConstraint(fields=["system", "cidr"], name="system_network_unique")]

    def __str__(self):
        return self.cidr

    @classmethod
    def build(cls, system, network):
        first, last = netaddr.network_bounds(network)
        return cls(system=system, cidr=str(network), first_key=first, last_key=last)


class SystemDomain(models.Model):
    """A domain name of a system; a domain belongs to one system only."""

    system = models.ForeignKey(InformationSystem, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain


class IncidentTerm(models.TextChoices):
    # Luật An ninh mạng 2025 renames the incident (REGULATION.md §4, recommendation 3).
    INFORMATION_SECURITY = "attt", _("network information security incident (2015 law)")
    CYBERSECURITY = "anm", _("cybersecurity incident (2025 law)")


class Deployment(models.Model):
    """Deployment-wide names that changed in 2025 and may change again: data, not code."""

    province_name = models.CharField(_("province name"), max_length=200)
    province = models.ForeignKey(
        Organisation, verbose_name=_("provincial people's committee"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    team_name = models.CharField(_("response team name"), max_length=300)
    standing_office = models.ForeignKey(
        Organisation, verbose_name=_("standing office"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    standing_office_address = models.CharField(_("standing office address"), max_length=300, blank=True)
    standing_office_phone = models.CharField(_("standing office hotline"), max_length=50, blank=True)
    standing_office_email = models.EmailField(_("standing office e-mail"), blank=True)
    steering_committee = models.ForeignKey(
        Organisation, verbose_name=_("steering committee"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    national_coordinator = models.ForeignKey(
        Organisation, verbose_name=_("national coordinator"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    incident_term = models.CharField(
        _("incident term"), max_length=10, choices=IncidentTerm.choices, default=IncidentTerm.INFORMATION_SECURITY,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deployment settings")
        verbose_name_plural = _("deployment settings")

    def __str__(self):
        return self.team_name or self.province_name

    @classmethod
    def current(cls) -> "Deployment":
        deployment = cls.objects.select_related(
            "province", "standing_office", "steering_committee", "national_coordinator",
        ).filter(pk=1).first()
        return deployment or cls(pk=1, province_name="", team_name="")
