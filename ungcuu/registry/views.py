"""Registry pages: thin views that check access, validate a form and call an action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ungcuu.lib.forms import add_action_errors
from ungcuu.lib.paging import paginate
from ungcuu.registry import actions
from ungcuu.registry.forms import DeploymentForm, OrganisationForm, PersonForm, SystemForm
from ungcuu.registry.models import (
    REGISTRY_EDITOR_ROLES,
    SECURITY_LEVELS,
    Deployment,
    InformationSystem,
    Organisation,
    OrganisationKind,
    Person,
)


def _require_editor(user):
    if not user.has_any_role(*REGISTRY_EDITOR_ROLES):
        raise PermissionDenied(_("Only the standing office or an administrator may change the registry."))


def _run_form(request, form, action, success_message, redirect_to):
    """Call the action with the form's data; on a rule violation show its messages on the form."""
    try:
        result = action(form)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None
    messages.success(request, success_message)
    target = redirect_to(result)
    return redirect(*target) if isinstance(target, tuple) else redirect(target)


# Organisations -----------------------------------------------------------------------------------


@login_required
def organisation_list(request):
    rows = Organisation.objects.select_related("parent")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        rows = rows.filter(name__icontains=q)
    if kind:
        rows = rows.filter(kind=kind)
    return render(request, "registry/organisation_list.html", {
        "page": paginate(request, rows), "q": q, "kind": kind, "kinds": OrganisationKind.choices,
        "can_edit": request.user.has_any_role(*REGISTRY_EDITOR_ROLES),
    })


@login_required
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation.objects.select_related("parent"), pk=pk)
    return render(request, "registry/organisation_detail.html", {
        "organisation": organisation,
        "children": organisation.children.all()[:200],
        "people": Person.objects.visible_to(request.user).filter(organisation=organisation)[:200],
        "systems": InformationSystem.objects.visible_to(request.user).filter(owner=organisation)[:200],
        "can_edit": request.user.has_any_role(*REGISTRY_EDITOR_ROLES),
    })


@login_required
def organisation_edit(request, pk=None):
    _require_editor(request.user)
    organisation = get_object_or_404(Organisation, pk=pk) if pk else None
    initial = ({name: getattr(organisation, name) for name in OrganisationForm.base_fields}
               if organisation else {"parent": request.GET.get("parent")})
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if organisation:
            def action(f):
                return actions.update_organisation(actor=request.user, organisation=organisation, **f.cleaned_data)
        else:
            def action(f):
                return actions.create_organisation(actor=request.user, **f.cleaned_data)
        response = _run_form(request, form, action, _("Saved."), lambda o: ("registry:organisation", o.pk))
        if response:
            return response
    return render(request, "registry/form.html", {
        "form": form, "object": organisation,
        "title": _("Edit organisation") if organisation else _("New organisation"),
    })


# People ------------------------------------------------------------------------------------------


@login_required
def person_list(request):
    rows = Person.objects.visible_to(request.user).select_related("organisation")
    q = request.GET.get("q", "").strip()
    team = request.GET.get("team") == "1"
    if q:
        rows = rows.filter(full_name__icontains=q)
    if team:
        rows = rows.on_team().order_by("team_position", "full_name")
    return render(request, "registry/person_list.html", {
        "page": paginate(request, rows), "q": q, "team": team,
        "can_edit": request.user.has_any_role(*REGISTRY_EDITOR_ROLES),
    })


@login_required
def person_detail(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("organisation"), pk=pk)
    return render(request, "registry/person_detail.html", {
        "person": person, "can_edit": request.user.has_any_role(*REGISTRY_EDITOR_ROLES),
    })


@login_required
def person_edit(request, pk=None):
    _require_editor(request.user)
    person = get_object_or_404(Person, pk=pk) if pk else None
    initial = {name: getattr(person, name) for name in PersonForm.base_fields} if person else {}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if person:
            def action(f):
                return actions.update_person(actor=request.user, person=person, **f.cleaned_data)
        else:
            def action(f):
                return actions.create_person(actor=request.user, **f.cleaned_data)
        response = _run_form(request, form, action, _("Saved."), lambda p: ("registry:person", p.pk))
        if response:
            return response
    return render(request, "registry/form.html", {
        "form": form, "object": person, "title": _("Edit person") if person else _("New person"),
    })


# Information systems -----------------------------------------------------------------------------


@login_required
def system_list(request):
    rows = InformationSystem.objects.visible_to(request.user).select_related("owner").prefetch_related("domains")
    q = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    if q:
        rows = rows.filter(name__icontains=q)
    if level.isdigit():
        rows = rows.filter(level=int(level))
    user = request.user
    return render(request, "registry/system_list.html", {
        "page": paginate(request, rows), "q": q, "level": level, "levels": SECURITY_LEVELS,
        "can_create": user.has_any_role(*REGISTRY_EDITOR_ROLES, "system_owner"),
    })


@login_required
def system_detail(request, pk):
    system = get_object_or_404(InformationSystem.objects.visible_to(request.user).with_addresses(), pk=pk)
    return render(request, "registry/system_detail.html", {
        "system": system,
        "can_edit": InformationSystem.objects.editable_by(request.user).filter(pk=pk).exists(),
    })


@login_required
def system_edit(request, pk=None):
    user = request.user
    if pk:
        system = get_object_or_404(InformationSystem.objects.editable_by(user).with_addresses(), pk=pk)
        initial = SystemForm.initial_for(system)
    else:
        if not user.has_any_role(*REGISTRY_EDITOR_ROLES, "system_owner"):
            raise PermissionDenied(_("You may not register information systems."))
        system = None
        initial = {"owner": user.organisation_id, "operator": user.organisation_id}
    form = SystemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if system:
            def action(f):
                return actions.update_system(actor=user, system=system, **f.action_fields())
        else:
            def action(f):
                return actions.create_system(actor=user, **f.action_fields())
        response = _run_form(request, form, action, _("Saved."), lambda s: ("registry:system", s.pk))
        if response:
            return response
    return render(request, "registry/form.html", {
        "form": form, "object": system,
        "title": _("Edit information system") if system else _("New information system"),
    })


@login_required
def resolve(request):
    """Which registered system owns this IP address or domain?"""
    q = request.GET.get("q", "").strip()
    systems, error = [], ""
    if q:
        try:
            found = [s.pk for s in actions.resolve_address(q)]
            visible = InformationSystem.objects.visible_to(request.user).select_related("owner").in_bulk(found)
            systems = [visible[pk] for pk in found if pk in visible]
        except ValidationError as exc:
            error = exc.messages[0]
    return render(request, "registry/resolve.html", {"q": q, "systems": systems, "error": error})


# Deployment --------------------------------------------------------------------------------------


@login_required
def deployment_edit(request):
    if not request.user.has_any_role("administrator"):
        raise PermissionDenied(_("Only an administrator may change the deployment settings."))
    deployment = Deployment.current()
    initial = {name: getattr(deployment, name) for name in DeploymentForm.base_fields}
    form = DeploymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        def action(f):
            return actions.update_deployment(actor=request.user, **f.cleaned_data)
        response = _run_form(request, form, action, _("Saved."), lambda d: "registry:deployment")
        if response:
            return response
    return render(request, "registry/form.html", {"form": form, "title": _("Deployment settings")})
