"""Inspection endpoints: the duties (due and overdue, paged), recording a result with findings, a result, the
update of a finding's remediation, and the periods in force. Refusals come out as {"detail", "errors"}."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.inspections import actions, periods
from ungcuu.inspections.models import DueStatus, Duty, Finding, Kind, Result
from ungcuu.registry.models import InformationSystem, Organisation

router = Router(tags=["inspections"])
MAX_ID = 2**63 - 1


class DutyOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    scope: str = Field(description="system | organisation")
    system: int | None = None
    system_name: str | None = None
    level: int | None = None
    organisation: int
    organisation_name: str
    months: int = Field(description="The period in force (provincial if set)")
    last_done_on: date | None
    never_done: bool
    due_on: date
    status: str = Field(description="overdue | due_soon | scheduled")
    source: str = Field(description="National source: document and article")
    provincial_source: str = ""


def _duty_out(duty: Duty, today: date) -> dict:
    return {
        "id": duty.pk, "code": duty.code, "kind": duty.kind, "kind_label": str(duty.get_kind_display()),
        "scope": duty.scope, "system": duty.system_id, "system_name": duty.system.name if duty.system_id else None,
        "level": duty.system.level if duty.system_id else None, "organisation": duty.organisation_id,
        "organisation_name": duty.organisation.name, "months": duty.months, "last_done_on": duty.last_done_on,
        "never_done": duty.never_done, "due_on": duty.due_on, "status": duty.status(today), "source": duty.source(),
        "provincial_source": duty.override.source if duty.override_id else "",
    }


class DutyFilter(Schema):
    status: str = Field("", description="overdue | due_soon | scheduled | never_done (empty: all)")
    kind: str = Field("", description="inspection | vulnerability_scan | threat_hunt")
    organisation: int | None = Field(None, description="Owner organisation id")
    system: int | None = Field(None, description="Information system id")


class _Rows:
    """A queryset the paginator can count and slice; each slice comes out as DutyOut dicts."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.today = timezone.localdate()

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_duty_out(d, self.today) for d in self.queryset[item]]


@router.get("/inspections/duties", response=list[DutyOut], summary="Duties due (inspections, scans, hunts), soonest "
            "first")
@paginate(PageNumberPagination)
def list_duties(request, filters: Query[DutyFilter]):
    rows = Duty.objects.visible_to(request.user).select_related("system", "organisation", "override")
    if filters.status in (*DueStatus.values, "never_done"):
        rows = rows.with_status(filters.status, timezone.localdate())
    if filters.kind in Kind.values:
        rows = rows.filter(kind=filters.kind)
    if filters.organisation is not None:
        rows = rows.filter(organisation_id=filters.organisation)
    if filters.system is not None:
        rows = rows.filter(system_id=filters.system)
    return _Rows(rows.order_by("due_on", "pk"))


class FindingIn(Schema):
    title: str = Field(max_length=300)
    severity: str = Field(description="low | medium | high | critical")
    remediation: str = ""
    status: str = Field("open", description="open | fixed | accepted")
    status_on: date | None = Field(None, description="Date fixed or accepted (required unless open)")


class FindingOut(Schema):
    id: int
    title: str
    severity: str
    remediation: str
    status: str
    status_on: date | None


class ResultIn(Schema):
    kind: str = Field(description="inspection | vulnerability_scan | threat_hunt")
    system: int | None = Field(None, description="Information system id (or give organisation)")
    organisation: int | None = Field(None, description="Organisation id, for an organisation-wide inspection")
    performed_on: date
    body: int | None = Field(None, description="Inspecting body: organisation id in the registry")
    body_name: str = Field("", max_length=300, description="Inspecting body not in the registry")
    performer: str = Field("", max_length=200)
    licensed: bool = Field(False, description="Licensed or designated by the competent authority (required from "
                                              "level 3, NĐ 85/2016 Điều 20.2.c)")
    licence_reference: str = Field("", max_length=200)
    summary: str
    report_reference: str = Field("", max_length=300)
    evidence: str = ""
    findings: list[FindingIn] = []


class ResultOut(Schema):
    id: int
    kind: str
    scope: str
    code: str
    system: int | None
    organisation: int
    level: int | None
    performed_on: date
    body: str
    performer: str
    licensed: bool
    licence_reference: str
    summary: str
    report_reference: str
    evidence: str
    next_due_on: date | None
    recorded_at: datetime
    findings: list[FindingOut]


def _result_out(result: Result) -> dict:
    return {
        "id": result.pk, "kind": result.kind, "scope": result.scope, "code": result.code, "system": result.system_id,
        "organisation": result.organisation_id, "level": result.level, "performed_on": result.performed_on,
        "body": result.body_label, "performer": result.performer, "licensed": result.licensed,
        "licence_reference": result.licence_reference, "summary": result.summary,
        "report_reference": result.report_reference, "evidence": result.evidence, "next_due_on": result.next_due_on,
        "recorded_at": result.recorded_at, "findings": [
            {"id": f.pk, "title": f.title, "severity": f.severity, "remediation": f.remediation, "status": f.status,
             "status_on": f.status_on} for f in result.findings.all()],
    }


def _visible_result(request, result_id: int) -> Result:
    result = (Result.objects.visible_to(request.user).select_related("body")
              .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("pk")))
              .filter(pk=result_id).first() if 0 < result_id <= MAX_ID else None)
    if result is None:
        raise Http404
    return result


@router.post("/inspections/results", response={201: ResultOut}, summary="Record an inspection, scan or hunt")
def record_result(request, payload: ResultIn):
    system = organisation = body = None
    if payload.system is not None:
        system = (InformationSystem.objects.visible_to(request.user).select_related("owner", "operator")
                  .filter(pk=payload.system).first() if 0 < payload.system <= MAX_ID else None)
        if system is None:
            raise ValidationError({"system": _("Information system #%(id)s does not exist.") % {"id": payload.system}})
    elif payload.organisation is not None:
        organisation = (Organisation.objects.filter(pk=payload.organisation).first()
                        if 0 < payload.organisation <= MAX_ID else None)
        if organisation is None:
            raise ValidationError({"organisation": _("Organisation #%(id)s does not exist.")
                                   % {"id": payload.organisation}})
    if payload.body is not None:
        body = Organisation.objects.filter(pk=payload.body).first() if 0 < payload.body <= MAX_ID else None
        if body is None:
            raise ValidationError({"body": _("Organisation #%(id)s does not exist.") % {"id": payload.body}})
    result = actions.record_result(
        actor=request.user, kind=payload.kind, performed_on=payload.performed_on, system=system,
        organisation=organisation, body=body, body_name=payload.body_name, performer=payload.performer,
        licensed=payload.licensed, licence_reference=payload.licence_reference, summary=payload.summary,
        report_reference=payload.report_reference, evidence=payload.evidence,
        findings=[f.dict() for f in payload.findings])
    return Status(201, _result_out(_visible_result(request, result.pk)))


@router.get("/inspections/results/{result_id}", response=ResultOut, summary="One result with its findings")
def get_result(request, result_id: int):
    return _result_out(_visible_result(request, result_id))


class FindingUpdateIn(Schema):
    status: str = Field(description="open | fixed | accepted")
    status_on: date | None = Field(None, description="Date fixed or accepted (required unless open)")
    remediation: str | None = None


@router.patch("/inspections/findings/{finding_id}", response=FindingOut, summary="Update a finding's remediation")
def update_finding(request, finding_id: int, payload: FindingUpdateIn):
    finding = (Finding.objects.select_related("result__system__owner", "result__system__operator",
                                              "result__organisation")
               .filter(result__in=Result.objects.visible_to(request.user), pk=finding_id).first()
               if 0 < finding_id <= MAX_ID else None)
    if finding is None:
        raise Http404
    finding = actions.update_finding(actor=request.user, finding=finding, status=payload.status,
                                     status_on=payload.status_on, remediation=payload.remediation)
    return {"id": finding.pk, "title": finding.title, "severity": finding.severity,
            "remediation": finding.remediation, "status": finding.status, "status_on": finding.status_on}


class PeriodOut(Schema):
    code: str
    kind: str
    scope: str
    level: int | None
    national_months: int | None = Field(description="None: the texts set no period")
    source: str
    licensed_required: bool
    provincial_months: int | None
    provincial_source: str


@router.get("/inspections/periods", response=list[PeriodOut], summary="The periods in force, with their sources")
def list_periods(request):
    if not request.user.is_authenticated:
        raise PermissionDenied
    overrides = actions.active_overrides()
    return [{"code": p.code, "kind": p.kind, "scope": p.scope, "level": p.level, "national_months": p.months,
             "source": p.source, "licensed_required": p.licensed_required,
             "provincial_months": overrides[p.code].months if p.code in overrides else None,
             "provincial_source": overrides[p.code].source if p.code in overrides else ""}
            for p in periods.NATIONAL_PERIODS.values()]
