"""Deadline endpoints: the due/overdue list (filters, pages) and the deadlines of one incident."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from ungcuu.deadlines.views import TEAM_PAGE_ROLES
from ungcuu.incidents.models import Incident

router = Router(tags=["deadlines"])


class DeadlineOut(Schema):
    id: int
    kind: str
    kind_label: str
    incident: str | None = Field(None, description="The incident's reference")
    subject_type: str
    subject_id: str
    start_at: datetime
    due_at: datetime
    met_at: datetime | None
    cancelled_at: datetime | None
    status: str = Field(description="open | due_soon | overdue | met_on_time | met_late | cancelled")
    rule_source: str = Field(description="Source document and article of the national rule")
    provincial_choice: bool = Field(description="The figure is the province's choice (the text says \"ngay\")")
    override_source: str = ""
    comparison: str = Field(description="stricter | same | looser (looser = flagged), empty without override")
    flagged_looser: bool
    responsible: str | None = None
    note: str


def _out(deadline: Deadline, now) -> dict:
    rule, override = deadline.rule, deadline.override
    return {
        "id": deadline.pk, "kind": deadline.kind, "kind_label": str(deadline.get_kind_display()),
        "incident": deadline.incident.reference if deadline.incident_id else None,
        "subject_type": deadline.subject_type, "subject_id": deadline.subject_id,
        "start_at": deadline.start_at, "due_at": deadline.due_at, "met_at": deadline.met_at,
        "cancelled_at": deadline.cancelled_at, "status": deadline.status(now),
        "rule_source": f"{rule.source_document} {rule.article}" if rule else "",
        "provincial_choice": bool(rule and rule.provincial_choice),
        "override_source": f"{override.source_document} {override.article}".strip() if override else "",
        "comparison": deadline.comparison, "flagged_looser": deadline.flagged_looser,
        "responsible": deadline.responsible.get_username() if deadline.responsible_id else None,
        "note": deadline.note,
    }


class DeadlineFilter(Schema):
    status: str = Field("", description="open | due_soon | overdue | met_on_time | met_late | cancelled")
    kind: str = Field("", description="One of the deadline kinds, e.g. notify, final_report")


@router.get("/deadlines", response=list[DeadlineOut], summary="List deadlines (due first)")
@paginate(PageNumberPagination)
def list_deadlines(request, filters: Query[DeadlineFilter]):
    if not request.user.has_any_role(*TEAM_PAGE_ROLES):
        raise PermissionDenied
    rows = Deadline.objects.visible_to(request.user).select_related("incident", "rule", "override", "responsible")
    if filters.status in DeadlineStatus.values:
        rows = rows.with_status(filters.status)
    if filters.kind in DeadlineKind.values:
        rows = rows.filter(kind=filters.kind)
    return _Rows(rows.order_by("due_at", "pk"))


class _Rows:
    """A queryset the paginator can count and slice; each slice comes out as DeadlineOut dicts."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.now = timezone.now()

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_out(d, self.now) for d in self.queryset[item]]


@router.get("/incidents/{incident_ref}/deadlines", response=list[DeadlineOut], summary="The deadlines of an incident")
def incident_deadlines(request, incident_ref: str):
    incident = Incident.objects.visible_to(request.user).lookup(incident_ref).first()
    if incident is None:
        raise Http404
    now = timezone.now()
    rows = Deadline.objects.filter(incident=incident).select_related("incident", "rule", "override", "responsible")
    return [_out(d, now) for d in rows.order_by("due_at", "pk")[:500]]
