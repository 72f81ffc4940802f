"""Checklist templates in the Django admin. Saves go through the actions, so they are checked and audited
like the template pages; tasks, indicators and the timeline are read-only here."""

from django.contrib import admin
from django.db import transaction

from ungcuu.investigation import actions
from ungcuu.investigation.models import ChecklistItem, ChecklistTemplate, Task, TimelineEvent


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ["position", "title", "detail"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "step", "attack_type", "active", "position"]
    list_filter = ["step", "attack_type", "active"]
    search_fields = ["name", "source"]
    fields = ["name", "step", "attack_type", "position", "source", "active"]
    inlines = [ChecklistItemInline]

    def has_module_permission(self, request):
        return actions.can_edit_templates(request.user)

    def has_view_permission(self, request, obj=None):
        return actions.can_edit_templates(request.user)

    has_add_permission = has_change_permission = lambda self, request, obj=None: actions.can_edit_templates(
        request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: tasks on incidents keep their link to the list

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ["name", "step", "attack_type", "position", "source"]}
        with transaction.atomic():
            if change:
                saved = actions.update_template(actor=request.user, template=obj, **fields)
                if form.cleaned_data["active"] != saved.active:
                    saved = actions.set_template_active(actor=request.user, template=saved,
                                                        active=form.cleaned_data["active"])
            else:
                saved = actions.create_template(actor=request.user, **fields)
                if not form.cleaned_data["active"]:
                    saved = actions.set_template_active(actor=request.user, template=saved, active=False)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        # What the admin's change message reads (formset.save() would set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.deleted_forms:
            if inline.instance.pk:
                actions.remove_checklist_item(actor=request.user, item=inline.instance)
                formset.deleted_objects.append(inline.instance)
        for inline in formset.forms:
            if not inline.has_changed() or inline in formset.deleted_forms or not inline.is_valid():
                continue
            data = inline.cleaned_data
            if inline.instance.pk:
                item = actions.update_checklist_item(actor=request.user, item=inline.instance, title=data["title"],
                                                     detail=data.get("detail", ""), position=data.get("position"))
                formset.changed_objects.append((item, inline.changed_data))
            else:
                item = actions.add_checklist_item(actor=request.user, template=form.instance, title=data["title"],
                                                  detail=data.get("detail", ""), position=data.get("position"))
                formset.new_objects.append(item)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "incident", "step", "status", "assignee", "due_on"]
    list_filter = ["status", "step"]
    list_select_related = ["incident", "assignee"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ["incident", "occurred_at", "kind", "author"]
    list_filter = ["kind"]
    list_select_related = ["incident", "author"]
