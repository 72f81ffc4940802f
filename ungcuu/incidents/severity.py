"""The serious-incident criteria of Quyết định 05/2017/QĐ-TTg Điều 9 (REGULATION.md §2.2).

Serious = (level 4 or 5, or on the national critical list) AND one of the five effects a–đ AND the
owner cannot control and handle it. The province only proposes; the national coordinator decides.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ungcuu.incidents.models import Effect


@dataclass(frozen=True)
class Assessment:
    meets_criteria: bool
    reasons: list[str] = field(default_factory=list)  # one line per criterion, met or not


def assess(*, level: int | None, national_critical: bool, effects: list[str], owner_can_handle: bool | None
           ) -> Assessment:
    reasons = []
    level_met = national_critical or level in (4, 5)
    if national_critical:
        reasons.append(_("✔ The system is on the national critical information systems list (Điều 9.1)."))
    elif level in (4, 5):
        reasons.append(_("✔ The system is level %(level)s (Điều 9.1 requires level 4 or 5).") % {"level": level})
    elif level is None:
        reasons.append(_("✘ The system's security level is not known (Điều 9.1 requires level 4 or 5)."))
    else:
        reasons.append(_("✘ The system is level %(level)s; Điều 9.1 requires level 4 or 5.") % {"level": level})

    known = [e for e in effects if e in Effect.values]
    if known:
        labels = "; ".join(str(Effect(e).label) for e in known)
        reasons.append(_("✔ Effect present (Điều 9.1): %(effects)s.") % {"effects": labels})
    else:
        reasons.append(_("✘ None of the five effects of Điều 9.1 a–đ is present."))

    if owner_can_handle is False:
        reasons.append(_("✔ The owner cannot control and handle the incident (Điều 9.2)."))
    elif owner_can_handle is None:
        reasons.append(_("✘ Not yet known whether the owner can handle the incident (Điều 9.2)."))
    else:
        reasons.append(_("✘ The owner can control and handle the incident (Điều 9.2)."))

    return Assessment(meets_criteria=level_met and bool(known) and owner_can_handle is False, reasons=reasons)


def assess_incident(incident) -> Assessment:
    """Level and critical flag from the registered system when linked, else the level reported."""
    system = incident.system
    return assess(
        level=system.level if system else incident.system_level,
        national_critical=bool(system and system.national_critical),
        effects=incident.effects,
        owner_can_handle=incident.owner_can_handle,
    )
