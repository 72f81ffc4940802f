"""Reports endpoints: the periodic report (Biểu mẫu 05) as data."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema

from ungcuu.reports import statistics
from ungcuu.reports.forms import PeriodForm
from ungcuu.reports.views import REPORT_ROLES

router = Router(tags=["reports"])


class PeriodQuery(Schema):
    preset: str = Field("", description="halfyear | annual | custom (custom when start and end are given)")
    year: int | None = Field(None, description="Year of the half-year or annual report (default: this year)")
    start: date | None = Field(None, description="Custom period: first day")
    end: date | None = Field(None, description="Custom period: last day, included")


class ColumnOut(Schema):
    key: str
    label: str


class OrganisationOut(Schema):
    name: str
    incidents: int


class PeriodicOut(Schema):
    start: date
    end: date = Field(description="The day after the period (exclusive end)")
    last_day: date
    variant: str = Field(description="national | quang_ngai")
    columns: list[ColumnOut]
    rows: list[dict] = Field(description="One per attack type, in the order of the form: attack_type, label and "
                                         "one figure per column key")
    total: dict
    other_organisations: list[OrganisationOut]
    foreign_organisations: list[OrganisationOut]
    without_outcome: int = Field(description="Incidents counted without a recorded outcome")
    other_causes: int = Field(description="Incidents of causes other than an attack (not in the table)")
    unclassified: int = Field(description="Incidents not yet classified (not in the table)")
    recommendations: str


@router.get("/reports/periodic", response=PeriodicOut)
def periodic(request, filters: Query[PeriodQuery]):
    """The periodic summary report for a preset period or any period [start, end]."""
    if not request.user.has_any_role(*REPORT_ROLES):
        raise PermissionDenied
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    form = PeriodForm(data)
    if not form.is_valid():
        errors = {k if k != "__all__" else "start": v for k, v in form.errors.items()}
        raise ValidationError(errors)
    start, end = form.cleaned_data["period"]
    return statistics.as_dict(statistics.periodic_report(start, end))
