"""Glue between Django forms and actions: an action's ValidationError shown on the form, or as messages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def add_action_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put each message of an action's ValidationError on its field, or on the form when unknown."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def flash_form_errors(request, form: forms.Form) -> None:
    """The errors of a form posted from a panel of another page, as messages naming each field."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def next_or(request, default: str) -> str:
    """The page a form came from (its `next` field) when it is on this site, else `default`: never an open
    redirect ("//other.example" and "https://other.example" are refused)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def perform(request, call, success) -> bool:
    """Run an action posted from a page: its refusal shown as messages (what to fix, or why not), or the success
    message — a text, or a function of what the action returned. True when the action was done."""
    try:
        result = call()
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def flash_refusal(request, exc: ValidationError | PermissionDenied) -> None:
    """An action's refusal as messages: what to fix, or why the user may not do it."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("You are not allowed to do this."))
