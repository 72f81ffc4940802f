"""The periodic summary report (TT 20/2017 Biểu mẫu 05; seed 001 Phụ lục 03) computed from the records.

Which incidents count: incidents detected (`detected_at`) in the period [start, end), except reports
merged into another incident (counted once, on the one they were merged into) and reports rejected as
not an incident. Table 1 has one row per attack type, so it counts incidents whose cause is a cyber
attack (classification sets `attack_type` only then); incidents of other causes and incidents not yet
classified are counted separately under the table, so the report shows what it leaves out.

Periods (presets): TT 20 Điều 6.1.c sets only the due dates — half-year report before 20 June, annual
report before 15 December — and the form asks "Từ tháng … đến tháng …". The period follows the data
cut-off of the state reporting regime (Nghị định 09/2019/NĐ-CP Điều 12.2): half-year from 15 December
of the previous year to 14 June, annual from 15 December of the previous year to 14 December, so each
report covers everything up to a few days before it is due. Days are local (Asia/Ho_Chi_Minh).

The handling columns and the damage come from `reports.IncidentOutcome` (see models.py for why not
from coordination requests). An incident without a recorded outcome is counted in "Số lượng" only; the
report says how many those are. Each figure group is one aggregate query.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ungcuu.incidents.models import AttackType, Cause, Incident, IncidentStatus
from ungcuu.reports.models import Recommendation, Supporter

NOT_COUNTED = (IncidentStatus.MERGED, IncidentStatus.REJECTED)
HALFYEAR, ANNUAL, CUSTOM = "halfyear", "annual", "custom"
PRESETS = {HALFYEAR: _("Half-year"), ANNUAL: _("Annual")}
NATIONAL, QUANG_NGAI = "national", "quang_ngai"


def variant() -> str:
    """The deployment's form: the national Biểu mẫu 05 or the Quảng Ngãi one with the provincial-team column."""
    value = getattr(settings, "REPORTS_PERIODIC_VARIANT", NATIONAL)
    return value if value in (NATIONAL, QUANG_NGAI) else NATIONAL


ADDRESSEES = {
    NATIONAL: "Trung tâm Ứng cứu khẩn cấp không gian mạng Việt Nam (VNCERT/CC)",
    QUANG_NGAI: "Sở Thông tin và Truyền thông",
}


def addressee(form_variant: str) -> str:
    """The "Kính gửi" line: REPORTS_PERIODIC_ADDRESSEE, else the form's own (names changed in 2025, REGULATION §4)."""
    return getattr(settings, "REPORTS_PERIODIC_ADDRESSEE", "") or ADDRESSEES[form_variant]


def organisation() -> dict:
    """The reporting organisation's name, address and network member code (national form only) from settings."""
    return {"name": getattr(settings, "REPORTS_ORGANISATION_NAME", ""),
            "address": getattr(settings, "REPORTS_ORGANISATION_ADDRESS", ""),
            "member_code": getattr(settings, "REPORTS_NETWORK_MEMBER_CODE", "")}


def preset_period(preset: str, year: int) -> tuple[datetime.date, datetime.date]:
    """The [start, end) days of the half-year or annual report of `year` (see the module docstring)."""
    start = datetime.date(year - 1, 12, 15)
    if preset == HALFYEAR:
        return start, datetime.date(year, 6, 15)
    if preset == ANNUAL:
        return start, datetime.date(year, 12, 15)
    raise ValueError(preset)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_default_timezone())


@dataclass
class Row:
    attack_type: str
    label: str
    count: int = 0
    self_handled: int = 0
    provincial_team: int = 0
    other_support: int = 0
    foreign_support: int = 0
    national_coordinator: int = 0
    damage: int = 0


FIGURES = ("count", "self_handled", "provincial_team", "other_support", "foreign_support", "national_coordinator",
           "damage")


@dataclass
class PeriodicReport:
    start: datetime.date
    end: datetime.date
    variant: str
    rows: list[Row]
    total: Row
    other_organisations: list[tuple[str, int]]
    foreign_organisations: list[tuple[str, int]]
    without_outcome: int = 0
    other_causes: int = 0
    unclassified: int = 0
    recommendations: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)


def columns(form_variant: str) -> list[tuple[str, str]]:
    """The table's figure columns in the order of the form (Phụ lục 03 puts the provincial team third)."""
    cols = [("count", pgettext_lazy("how many incidents", "Number")),
            ("self_handled", _("Handled by the organisation itself"))]
    if form_variant == QUANG_NGAI:
        cols.append(("provincial_team", _("Support requested from the provincial response team")))
    cols += [("other_support", _("Supported by other organisations")),
             ("foreign_support", _("Supported by foreign organisations")),
             ("national_coordinator", _("Support requested from VNCERT/CC")),
             ("damage", _("Estimated damage (VND)"))]
    return cols


def counted_incidents(start: datetime.date, end: datetime.date):
    """The incidents the report counts: detected in [start, end), not merged or rejected."""
    return Incident.objects.filter(detected_at__gte=_local_midnight(start), detected_at__lt=_local_midnight(end)) \
        .exclude(status__in=NOT_COUNTED)


def periodic_report(start: datetime.date, end: datetime.date, *, form_variant: str | None = None) -> PeriodicReport:
    """Biểu mẫu 05 for the period [start, end): four queries (table, supporters, what is left out, recommendations)."""
    form_variant = form_variant or variant()
    incidents = counted_incidents(start, end)
    # 1. The table: one row per attack type, every column a conditional count over the outcome (LEFT JOIN).
    grouped = {
        r["attack_type"]: r for r in incidents.exclude(attack_type="").values("attack_type").annotate(
            count=Count("pk"),
            self_handled=Count("pk", filter=Q(outcome__self_handled=True)),
            provincial_team=Count("pk", filter=Q(outcome__provincial_team=True)),
            other_support=Count("pk", filter=Q(outcome__other_support=True)),
            foreign_support=Count("pk", filter=Q(outcome__foreign_support=True)),
            national_coordinator=Count("pk", filter=Q(outcome__national_coordinator=True)),
            without_outcome=Count("pk", filter=Q(outcome__isnull=True)),
            damage=Sum("outcome__estimated_damage"),
        ).order_by()
    }
    rows, total = [], Row("", str(_("Total")))
    without_outcome = 0
    for value, label in AttackType.choices:
        figures = grouped.get(value, {})
        row = Row(value, str(label), **{f: figures.get(f) or 0 for f in FIGURES})
        without_outcome += figures.get("without_outcome") or 0
        rows.append(row)
        for f in FIGURES:
            setattr(total, f, getattr(total, f) + getattr(row, f))
    # 2. Lists 2 and 3: the supporting organisations, with the number of incidents each helped with.
    supporters = Supporter.objects.filter(outcome__incident__in=incidents.exclude(attack_type="").values("pk")) \
        .values("name", "foreign").annotate(n=Count("outcome", distinct=True)).order_by("name")
    others = [(s["name"], s["n"]) for s in supporters if not s["foreign"]]
    foreign = [(s["name"], s["n"]) for s in supporters if s["foreign"]]
    # 3. What the table leaves out, so the reader knows.
    left_out = incidents.filter(attack_type="").aggregate(
        other_causes=Count("pk", filter=~Q(cause="") & ~Q(cause=Cause.CYBER_ATTACK)),
        unclassified=Count("pk", filter=Q(cause="") | Q(cause=Cause.CYBER_ATTACK)))
    recommendation = Recommendation.objects.filter(start=start, end=end).values_list("text", flat=True).first()
    return PeriodicReport(start=start, end=end, variant=form_variant, rows=rows, total=total,
                          other_organisations=others, foreign_organisations=foreign,
                          without_outcome=without_outcome, other_causes=left_out["other_causes"],
                          unclassified=left_out["unclassified"], recommendations=recommendation or "",
                          columns=columns(form_variant))


def as_dict(report: PeriodicReport) -> dict:
    """The report as plain data (API, CSV)."""
    keys = [k for k, _label in report.columns]

    def row(r: Row) -> dict:
        return {"attack_type": r.attack_type, "label": r.label, **{k: getattr(r, k) for k in keys}}

    return {
        "start": report.start.isoformat(), "end": report.end.isoformat(), "last_day": report.last_day.isoformat(),
        "variant": report.variant, "columns": [{"key": k, "label": str(label)} for k, label in report.columns],
        "rows": [row(r) for r in report.rows], "total": row(report.total),
        "other_organisations": [{"name": n, "incidents": c} for n, c in report.other_organisations],
        "foreign_organisations": [{"name": n, "incidents": c} for n, c in report.foreign_organisations],
        "without_outcome": report.without_outcome, "other_causes": report.other_causes,
        "unclassified": report.unclassified, "recommendations": report.recommendations,
    }
