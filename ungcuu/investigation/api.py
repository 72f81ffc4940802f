"""Investigation endpoints: an incident's tasks, indicators and timeline.

The incident is named by id or reference; one the caller may not see is a 404. Lists are paged with
?page=N (PAGE_SIZE rows, default 50) and answer {"count", "page", "pages", "items"}. Errors come back
as 422/403/404 JSON like the rest of the API.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from ungcuu.accounts.models import User
from ungcuu.incidents.models import Incident, Indicator
from ungcuu.investigation import actions
from ungcuu.investigation.indicators import defang
from ungcuu.investigation.models import Task, TimelineEvent
from ungcuu.investigation.views import also_seen_in, report_events

router = Router(tags=["investigation"])
MAX_ID = 2**63 - 1


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)


def _page(rows, number: int):
    page = Paginator(rows, settings.PAGE_SIZE).get_page(number)
    return page, {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages}


def _incident(request, incident_ref: str) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).lookup(incident_ref, by_id=True).get()
    except Incident.DoesNotExist:
        raise Http404 from None


def _user(user_id: int | None):
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first() if 0 < user_id <= MAX_ID else None
    if user is None:
        raise ValidationError({"assignee": _("User #%(id)s does not exist.") % {"id": user_id}})
    return user


# Tasks -------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    incident_id: int
    step: str
    step_label: str
    title: str
    detail: str
    status: str
    status_label: str
    assignee_id: int | None
    assignee: str | None
    due_on: date | None
    overdue: bool
    from_checklist: bool
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_step_label(task):
        return str(task.get_step_display())

    @staticmethod
    def resolve_status_label(task):
        return str(task.get_status_display())

    @staticmethod
    def resolve_assignee(task):
        return task.assignee.get_username() if task.assignee_id else None

    @staticmethod
    def resolve_overdue(task):
        return task.is_overdue()

    @staticmethod
    def resolve_from_checklist(task):
        return task.template_item_id is not None


class TaskPage(Schema):
    count: int
    page: int
    pages: int
    items: list[TaskOut]


class TaskIn(Schema):
    step: str = Field(description="A step code of the procedure, e.g. contain, eradicate, recover")
    title: str
    detail: str = ""
    assignee: int | None = Field(None, description="User id: the standing office, a team lead or a dispatched member")
    due_on: date | None = None


class TaskPatch(Schema):
    """Only the fields sent change; "assignee": null unassigns."""

    status: str | None = Field(None, description="todo | in_progress | done | not_applicable")
    assignee: int | None = None
    due_on: date | None = None


class ChecklistIn(Schema):
    step: str


@router.get("/incidents/{incident_ref}/tasks", response=TaskPage, summary="An incident's tasks, by step")
def list_tasks(request, incident_ref: str, params: Query[PageQuery]):
    incident = _incident(request, incident_ref)
    rows = Task.objects.filter(incident=incident).select_related("assignee")
    page, meta = _page(rows, params.page)
    return {**meta, "items": list(page.object_list)}


@router.post("/incidents/{incident_ref}/tasks", response={201: TaskOut}, summary="Add a task by hand")
def create_task(request, incident_ref: str, payload: TaskIn):
    incident = _incident(request, incident_ref)
    task = actions.add_task(actor=request.user, incident=incident, step=payload.step, title=payload.title,
                            detail=payload.detail, assignee=_user(payload.assignee), due_on=payload.due_on)
    return Status(201, task)


@router.post("/incidents/{incident_ref}/tasks/checklist", response={201: list[TaskOut]},
             summary="Add the checklist tasks of a step (idempotent: returns only the new ones)")
def create_checklist_tasks(request, incident_ref: str, payload: ChecklistIn):
    incident = _incident(request, incident_ref)
    return Status(201, actions.add_checklist_tasks(actor=request.user, incident=incident, step=payload.step))


@router.patch("/tasks/{task_id}", response=TaskOut, summary="Change a task's status, assignee or due date")
def patch_task(request, task_id: int, payload: TaskPatch):
    visible = Incident.objects.visible_to(request.user).values("pk")
    task = Task.objects.select_related("incident").filter(incident__in=visible, pk=min(task_id, MAX_ID)).first()
    if task is None:
        raise Http404
    sent = payload.model_fields_set
    changes = {}
    if "status" in sent:
        if payload.status is None:
            raise ValidationError({"status": _("Choose a status: to do, in progress, done or not applicable.")})
        changes["status"] = payload.status
    if "assignee" in sent:
        changes["assignee"] = _user(payload.assignee)
    if "due_on" in sent:
        changes["due_on"] = payload.due_on
    actions.update_task(actor=request.user, task=task, **changes)
    return Task.objects.select_related("assignee").get(pk=task.pk)


# Indicators --------------------------------------------------------------------------------------


class SeenIn(Schema):
    id: int
    reference: str
    title: str


class IndicatorOut(Schema):
    id: int
    kind: str
    value: str
    defanged: str
    source: str
    created_at: datetime
    also_seen_in: list[SeenIn] = Field(description="Other incidents the caller may see with the same kind and value")

    @staticmethod
    def resolve_defanged(indicator):
        return defang(indicator.value, indicator.kind)

    @staticmethod
    def resolve_also_seen_in(indicator):
        return getattr(indicator, "also_seen", [])


class IndicatorPage(Schema):
    count: int
    page: int
    pages: int
    items: list[IndicatorOut]


class IndicatorIn(Schema):
    kind: str = Field(description="ip | domain | url | email | md5 | sha1 | sha256 | file_name")
    value: str = Field(description="Defanged forms are accepted (hxxp://, [.], [at])")


@router.get("/incidents/{incident_ref}/indicators", response=IndicatorPage,
            summary="An incident's indicators, each with the other incidents where it was seen")
def list_indicators(request, incident_ref: str, params: Query[PageQuery]):
    incident = _incident(request, incident_ref)
    page, meta = _page(Indicator.objects.filter(incident=incident), params.page)
    return {**meta, "items": _with_also_seen(request.user, incident, list(page.object_list))}


def _with_also_seen(user, incident: Incident, rows: list) -> list:
    """The indicators, each with the other incidents the user may see that have it (one query)."""
    seen = also_seen_in(user, incident, rows)
    for row in rows:
        row.also_seen = seen.get((row.kind, row.value), [])
    return rows


@router.post("/incidents/{incident_ref}/indicators", response={201: IndicatorOut}, summary="Add an indicator")
def create_indicator(request, incident_ref: str, payload: IndicatorIn):
    incident = _incident(request, incident_ref)
    indicator = actions.add_indicator(actor=request.user, incident=incident, kind=payload.kind, value=payload.value)
    return Status(201, _with_also_seen(request.user, incident, [indicator])[0])


@router.post("/incidents/{incident_ref}/indicators/extract", response={201: list[IndicatorOut]},
             summary="Extract indicators from the report's free text (idempotent: returns only the new ones)")
def extract(request, incident_ref: str):
    incident = _incident(request, incident_ref)
    indicators = actions.extract_indicators(actor=request.user, incident=incident)
    return Status(201, _with_also_seen(request.user, incident, list(indicators)))


@router.delete("/incidents/{incident_ref}/indicators/{indicator_id}", response={204: None},
               summary="Remove an indicator")
def delete_indicator(request, incident_ref: str, indicator_id: int):
    incident = _incident(request, incident_ref)
    indicator = Indicator.objects.filter(incident=incident, pk=min(indicator_id, MAX_ID)).select_related(
        "incident").first()
    if indicator is None:
        raise Http404
    actions.remove_indicator(actor=request.user, indicator=indicator)
    return Status(204, None)


# Timeline ----------------------------------------------------------------------------------------


class TimelineOut(Schema):
    id: int | None
    occurred_at: datetime
    kind: str
    kind_label: str
    text: str
    author: str | None
    from_report: bool = False
    created_at: datetime | None = None
    edited_at: datetime | None = None

    @staticmethod
    def resolve_id(event):
        return event.pk

    @staticmethod
    def resolve_kind_label(event):
        return str(event.get_kind_display())

    @staticmethod
    def resolve_author(event):
        return event.author.get_username() if event.author else None

    @staticmethod
    def resolve_from_report(event):
        return getattr(event, "from_report", False)


class TimelinePage(Schema):
    count: int
    page: int
    pages: int
    from_report: list[TimelineOut] = Field(description="The report's detection and reporting times")
    items: list[TimelineOut]


class TimelineIn(Schema):
    occurred_at: datetime
    kind: str = Field("note", description="detection | action | finding | communication | note")
    text: str


@router.get("/incidents/{incident_ref}/timeline", response=TimelinePage,
            summary="An incident's timeline in time order; the report's detection and reporting times apart")
def list_timeline(request, incident_ref: str, params: Query[PageQuery]):
    incident = _incident(request, incident_ref)
    page, meta = _page(TimelineEvent.objects.filter(incident=incident).select_related("author"), params.page)
    return {**meta, "from_report": report_events(incident), "items": list(page.object_list)}


@router.post("/incidents/{incident_ref}/timeline", response={201: TimelineOut}, summary="Add a timeline entry")
def create_timeline_event(request, incident_ref: str, payload: TimelineIn):
    incident = _incident(request, incident_ref)
    return Status(201, actions.add_timeline_event(actor=request.user, incident=incident,
                                                  occurred_at=payload.occurred_at, kind=payload.kind,
                                                  text=payload.text))


@router.put("/timeline/{event_id}", response=TimelineOut,
            summary="Correct one's own timeline entry (its author, on the day it was written)")
def edit_timeline_event(request, event_id: int, payload: TimelineIn):
    visible = Incident.objects.visible_to(request.user).values("pk")
    event = TimelineEvent.objects.select_related("incident", "author").filter(
        incident__in=visible, pk=min(event_id, MAX_ID)).first()
    if event is None:
        raise Http404
    return actions.edit_timeline_event(actor=request.user, event=event, occurred_at=payload.occurred_at,
                                       kind=payload.kind, text=payload.text)
