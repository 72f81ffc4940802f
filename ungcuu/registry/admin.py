"""Read-only admin: every change goes through the actions (and so into the audit log)."""

from django.contrib import admin

from ungcuu.registry.models import Deployment, InformationSystem, Organisation, Person


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "organisation", "team_position"]
    list_filter = ["team_position"]


@admin.register(InformationSystem)
class InformationSystemAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "level"]
    list_filter = ["level"]


admin.site.register(Deployment, ReadOnlyAdmin)
