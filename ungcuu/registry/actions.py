"""Every change to the registry: one audited, atomic function each.

Web forms, the API, the CLI and the demo loader all call these. Each validates its input fully
before writing anything and raises ValidationError with messages keyed by field.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from ungcuu.audit.actions import diff, record, snapshot
from ungcuu.lib import netaddr
from ungcuu.registry.models import (
    REGISTRY_EDITOR_ROLES,
    Deployment,
    InformationSystem,
    Organisation,
    Person,
    SecurityLevelStatus,
    SecurityMeasure,
    Service,
    SystemDomain,
    SystemNetwork,
)

ORGANISATION_TREE_LOCK = 7_501_001  # any constant key, unique within ungcuu
ORGANISATION_FIELDS = ["name", "short_name", "kind", "parent", "address", "phone", "email", "is_active"]
PERSON_FIELDS = ["full_name", "position", "organisation", "phone", "email", "team_position", "skills", "is_active"]
SYSTEM_FIELDS = [
    "name", "owner", "operator", "level", "level_status", "level_approved_on", "level_decision",
    "national_critical", "purpose", "os_versions", "services", "services_other", "security_measures",
    "security_measures_other", "security_provider", "is_active",
]
DEPLOYMENT_FIELDS = [
    "province_name", "province", "team_name", "standing_office", "standing_office_address",
    "standing_office_phone", "standing_office_email", "steering_committee", "national_coordinator",
    "incident_term",
]


def _require_editor(actor) -> None:
    if actor is not None and not actor.has_any_role(*REGISTRY_EDITOR_ROLES):
        raise PermissionDenied(_("Only the standing office or an administrator may change the registry."))


def _organisation_ref(value, field: str, errors: dict):
    """Accept an Organisation, its id or None; record an error for an id that does not exist."""
    if value is None or value == "" or isinstance(value, Organisation):
        return value or None
    try:
        return Organisation.objects.get(pk=int(value))
    except (ValueError, TypeError, Organisation.DoesNotExist):
        errors[field] = _("Organisation #%(id)s does not exist.") % {"id": value}
        return None


def _full_clean(instance, errors: dict, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, " ".join(messages))
    if errors:
        raise ValidationError(errors)


def _unknown_fields(fields: dict, allowed: list[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


# Organisations -----------------------------------------------------------------------------------


def _apply_organisation(organisation: Organisation, fields: dict) -> None:
    errors: dict = {}
    if "parent" in fields:
        fields["parent"] = _organisation_ref(fields["parent"], "parent", errors)
    for name, value in fields.items():
        setattr(organisation, name, value.strip() if isinstance(value, str) else value)
    parent = organisation.parent
    if parent is not None and organisation.pk is not None and parent.path.startswith(organisation.path):
        errors["parent"] = _("An organisation cannot be placed under itself or one of its own units.")
    sibling = Organisation.objects.filter(parent=parent, name__iexact=organisation.name)
    if organisation.name and sibling.exclude(pk=organisation.pk).exists():
        errors["name"] = _("An organisation named “%(name)s” already exists at this level.") % {
            "name": organisation.name,
        }
    _full_clean(organisation, errors, exclude=["path"])


def _lock_tree() -> None:
    """Serialise changes to the organisation tree (PostgreSQL; SQLite writers are serial already).

    Without it, two concurrent moves could both pass the cycle check, or a child could be created
    under a parent whose path is being rewritten.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ORGANISATION_TREE_LOCK])


def _set_path(organisation: Organisation) -> None:
    parent_path = organisation.parent.path if organisation.parent_id else "/"
    organisation.path = f"{parent_path}{organisation.pk}/"


@transaction.atomic
def create_organisation(*, actor, **fields) -> Organisation:
    """Create an organisation under its parent."""
    _require_editor(actor)
    _unknown_fields(fields, ORGANISATION_FIELDS)
    _lock_tree()
    organisation = Organisation()
    _apply_organisation(organisation, fields)
    organisation.save()
    _set_path(organisation)
    organisation.save(update_fields=["path"])
    record(actor=actor, action="registry.create_organisation", target=organisation,
           summary=_("Created organisation %(name)s") % {"name": organisation.name},
           changes=snapshot(organisation, ORGANISATION_FIELDS))
    return organisation


@transaction.atomic
def update_organisation(*, actor, organisation: Organisation, **fields) -> Organisation:
    """Change an organisation; moving it moves its whole subtree."""
    _require_editor(actor)
    _unknown_fields(fields, ORGANISATION_FIELDS)
    _lock_tree()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    old_path = organisation.path
    _apply_organisation(organisation, fields)
    _set_path(organisation)
    organisation.save()
    if organisation.path != old_path:
        for unit in Organisation.objects.filter(path__startswith=old_path).exclude(pk=organisation.pk):
            unit.path = organisation.path + unit.path[len(old_path):]
            unit.save(update_fields=["path"])
    changes = diff(before, snapshot(organisation, ORGANISATION_FIELDS))
    record(actor=actor, action="registry.update_organisation", target=organisation,
           summary=_("Changed organisation %(name)s") % {"name": organisation.name}, changes=changes)
    return organisation


# People ------------------------------------------------------------------------------------------


def _apply_person(person: Person, fields: dict) -> None:
    errors: dict = {}
    if "organisation" in fields:
        fields["organisation"] = _organisation_ref(fields["organisation"], "organisation", errors)
        if fields["organisation"] is None and "organisation" not in errors:
            errors["organisation"] = _("Choose the person's organisation.")
    for name, value in fields.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    _full_clean(person, errors, exclude=["user"])


@transaction.atomic
def create_person(*, actor, user=None, **fields) -> Person:
    """Add a person to the registry, optionally linked to an account."""
    _require_editor(actor)
    _unknown_fields(fields, PERSON_FIELDS)
    person = Person(user=user)
    _apply_person(person, fields)
    person.save()
    record(actor=actor, action="registry.create_person", target=person,
           summary=_("Added person %(name)s") % {"name": person.full_name},
           changes=snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def update_person(*, actor, person: Person, **fields) -> Person:
    """Change a person's details or team position."""
    _require_editor(actor)
    _unknown_fields(fields, PERSON_FIELDS)
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person, PERSON_FIELDS)
    _apply_person(person, fields)
    person.save()
    record(actor=actor, action="registry.update_person", target=person,
           summary=_("Changed person %(name)s") % {"name": person.full_name},
           changes=diff(before, snapshot(person, PERSON_FIELDS)))
    return person


# Information systems -----------------------------------------------------------------------------


def _parse_lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    return [item.strip() for item in value if item and item.strip()]


def _parse_networks(values, errors: dict) -> list:
    networks, bad = [], []
    for text in _parse_lines(values):
        try:
            network = netaddr.parse_network(text)
        except ValidationError as exc:
            bad.append(exc.messages[0])
            continue
        if network not in networks:
            networks.append(network)
    if bad:
        errors["ip_ranges"] = " ".join(bad)
    return networks


def _parse_domains(values, system: InformationSystem, actor, errors: dict) -> list[str]:
    domains, bad = [], []
    for text in _parse_lines(values):
        try:
            domain = netaddr.normalize_domain(text)
        except ValidationError as exc:
            bad.append(exc.messages[0])
            continue
        if domain not in domains:
            domains.append(domain)
    taken = SystemDomain.objects.filter(domain__in=domains).exclude(system_id=system.pk).select_related("system")
    visible = set(InformationSystem.objects.visible_to(actor).values_list("pk", flat=True)
                  .filter(pk__in=[row.system_id for row in taken])) if actor is not None else None
    for row in taken:
        if visible is None or row.system_id in visible:
            bad.append(_("The domain %(domain)s is already registered to the system “%(system)s”.") % {
                "domain": row.domain, "system": row.system.name})
        else:
            # Do not reveal another agency's system to someone who may not see it.
            bad.append(_("The domain %(domain)s is already registered to another organisation's system.") % {
                "domain": row.domain})
    if bad:
        errors["domains"] = " ".join(bad)
    return domains


def _parse_choices(values, allowed, field: str, errors: dict) -> list[str]:
    chosen = _parse_lines(values)
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        errors[field] = _("Unknown value(s): %(values)s.") % {"values": ", ".join(unknown)}
    return [v for v in allowed if v in chosen]


def _apply_system(system: InformationSystem, actor, fields: dict):
    """Validate and set every field; return the parsed networks, domains and providers to store."""
    errors: dict = {}
    previous_level = system.level
    approved_before = (system.level_status, system.level_approved_on, system.level_decision,
                       system.national_critical)
    for field in ("owner", "operator", "security_provider"):
        if field in fields:
            fields[field] = _organisation_ref(fields[field], field, errors)
    networks = _parse_networks(fields.pop("ip_ranges"), errors) if "ip_ranges" in fields else None
    domains = _parse_domains(fields.pop("domains"), system, actor, errors) if "domains" in fields else None
    providers = None
    if "connectivity_providers" in fields:
        providers = []
        for value in fields.pop("connectivity_providers") or []:
            provider = _organisation_ref(value, "connectivity_providers", errors)
            if provider is not None:
                providers.append(provider)
    if "services" in fields:
        fields["services"] = _parse_choices(fields["services"], Service.values, "services", errors)
    if "security_measures" in fields:
        fields["security_measures"] = _parse_choices(
            fields["security_measures"], SecurityMeasure.values, "security_measures", errors)
    level = fields.get("level")
    if level is not None and not (isinstance(level, int) and 1 <= level <= 5):
        try:
            level = int(level)
        except (TypeError, ValueError):
            level = None
        if level is None or not 1 <= level <= 5:
            errors["level"] = _("The security level must be a whole number from 1 to 5 (Decree 85/2016).")
        fields["level"] = level
    for name, value in fields.items():
        setattr(system, name, value.strip() if isinstance(value, str) else value)
    if system.owner_id is None and "owner" not in errors:
        errors["owner"] = _("Choose the system's owner.")
    if system.operator_id is None and "operator" not in errors:
        errors["operator"] = _("Choose the organisation that operates the system.")
    if system.level_status == SecurityLevelStatus.APPROVED and not system.level_approved_on:
        errors["level_approved_on"] = _("Give the date the security level was approved.")
    if actor is not None and system.owner_id is not None and not _may_own(actor, system.owner):
        errors["owner"] = _("You may only register systems of your own organisation.")
    if actor is not None and not actor.has_any_role(*REGISTRY_EDITOR_ROLES):
        # Nghị định 85/2016: the level is approved by the competent authority, recorded by the standing office.
        approval = ("level_status", "level_approved_on", "level_decision", "national_critical")
        level_changed = "level" in fields and system.pk is not None and fields["level"] != previous_level
        approval_after = (system.level_status, system.level_approved_on, system.level_decision,
                          system.national_critical)
        if (any(name in fields for name in approval) and approved_before != approval_after
                and (system.level_status == SecurityLevelStatus.APPROVED or system.national_critical)):
            errors["level_status"] = _("Only the standing office records an approved security level.")
        if level_changed and "level_status" not in errors:
            system.level_status = SecurityLevelStatus.PROPOSED
    _full_clean(system, errors, exclude=["connectivity_providers"])
    return networks, domains, providers


def _may_own(actor, owner: Organisation) -> bool:
    if actor.has_any_role(*REGISTRY_EDITOR_ROLES):
        return True
    return (actor.has_any_role("system_owner") and actor.organisation_id is not None
            and owner.path.startswith(actor.organisation.path))


def _store_addresses(system, networks, domains, providers) -> None:
    if networks is not None:
        system.networks.all().delete()
        SystemNetwork.objects.bulk_create([SystemNetwork.build(system, n) for n in networks])
    if domains is not None:
        system.domains.exclude(domain__in=domains).delete()
        existing = set(system.domains.values_list("domain", flat=True))
        try:
            with transaction.atomic():
                SystemDomain.objects.bulk_create(
                    [SystemDomain(system=system, domain=d) for d in domains if d not in existing])
        except IntegrityError:
            # Another request registered the same domain between our check and this insert.
            raise ValidationError(
                {"domains": _("One of these domains was just registered to another system.")}) from None
    if providers is not None:
        system.connectivity_providers.set(providers)


def _system_snapshot(system) -> dict:
    data = snapshot(system, SYSTEM_FIELDS)
    data["ip_ranges"] = sorted(system.networks.values_list("cidr", flat=True))
    data["domains"] = sorted(system.domains.values_list("domain", flat=True))
    data["connectivity_providers"] = sorted(system.connectivity_providers.values_list("name", flat=True))
    return data


@transaction.atomic
def create_system(*, actor, **fields) -> InformationSystem:
    """Register an information system with its level, addresses and providers."""
    _unknown_fields(fields, [*SYSTEM_FIELDS, "ip_ranges", "domains", "connectivity_providers"])
    if actor is not None and not actor.has_any_role(*REGISTRY_EDITOR_ROLES, "system_owner"):
        raise PermissionDenied(_("You may not register information systems."))
    system = InformationSystem()
    networks, domains, providers = _apply_system(system, actor, dict(fields))
    system.save()
    _store_addresses(system, networks, domains, providers)
    record(actor=actor, action="registry.create_system", target=system,
           summary=_("Registered information system %(name)s (level %(level)s)") % {
               "name": system.name, "level": system.level},
           changes=_system_snapshot(system))
    return system


@transaction.atomic
def update_system(*, actor, system: InformationSystem, **fields) -> InformationSystem:
    """Change an information system; addresses given replace the old ones."""
    _unknown_fields(fields, [*SYSTEM_FIELDS, "ip_ranges", "domains", "connectivity_providers"])
    system = InformationSystem.objects.select_for_update().get(pk=system.pk)
    if actor is not None and not InformationSystem.objects.editable_by(actor).filter(pk=system.pk).exists():
        raise PermissionDenied(_("You may not change this information system."))
    before = _system_snapshot(system)
    networks, domains, providers = _apply_system(system, actor, dict(fields))
    system.save()
    _store_addresses(system, networks, domains, providers)
    record(actor=actor, action="registry.update_system", target=system,
           summary=_("Changed information system %(name)s") % {"name": system.name},
           changes=diff(before, _system_snapshot(system)))
    return system


def resolve_address(text: str) -> list[InformationSystem]:
    """The registered systems that own an IP address or a domain name, most specific first."""
    address = netaddr.parse_address(netaddr.host_of(text))
    if address is not None:
        key = netaddr.address_key(address)
        rows = (SystemNetwork.objects.filter(first_key__lte=key, last_key__gte=key)
                .select_related("system__owner", "system__operator"))
        # The narrowest range is the best match (a /29 inside a provider's /24).
        rows = sorted(rows, key=lambda r: int(r.last_key, 16) - int(r.first_key, 16))
        return list(dict.fromkeys(r.system for r in rows))
    host = netaddr.normalize_domain(text)
    rows = (SystemDomain.objects.filter(domain__in=netaddr.domain_suffixes(host))
            .select_related("system__owner", "system__operator"))
    rows = sorted(rows, key=lambda r: -len(r.domain))
    return list(dict.fromkeys(r.system for r in rows))


# Deployment --------------------------------------------------------------------------------------


@transaction.atomic
def update_deployment(*, actor, **fields) -> Deployment:
    """Change the deployment-wide names (province, standing office, steering committee, coordinator)."""
    if actor is not None and not actor.has_any_role("administrator"):
        raise PermissionDenied(_("Only an administrator may change the deployment settings."))
    _unknown_fields(fields, DEPLOYMENT_FIELDS)
    deployment, _created = Deployment.objects.select_for_update().get_or_create(
        pk=1, defaults={"province_name": "", "team_name": ""})
    before = snapshot(deployment, DEPLOYMENT_FIELDS)
    errors: dict = {}
    for field in ("province", "standing_office", "steering_committee", "national_coordinator"):
        if field in fields:
            fields[field] = _organisation_ref(fields[field], field, errors)
    for name, value in fields.items():
        setattr(deployment, name, value.strip() if isinstance(value, str) else value)
    _full_clean(deployment, errors)
    deployment.save()
    record(actor=actor, action="registry.update_deployment", target=deployment,
           summary=_("Changed the deployment settings"),
           changes=diff(before, snapshot(deployment, DEPLOYMENT_FIELDS)))
    return deployment
