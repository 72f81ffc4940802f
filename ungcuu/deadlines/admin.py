"""Admin: the rule sets, rules, provincial overrides and the holiday calendar are data, edited here."""

from django.contrib import admin

from ungcuu.deadlines.models import Deadline, Holiday, Override, Rule, RuleSet


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "effective_from", "effective_to"]
    inlines = [RuleInline]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "label", "counting", "amount", "month", "provincial_choice", "source_document", "article",
                    "rule_set"]
    list_filter = ["rule_set", "counting", "provincial_choice"]


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    list_display = ["province", "kind", "amount", "comparison", "source_document", "article", "active"]
    list_filter = ["active", "kind"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "confirmed", "source"]
    list_filter = ["kind", "confirmed"]
    date_hierarchy = "date"
    search_fields = ["name", "source"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["kind", "incident", "subject_type", "subject_id", "due_at", "met_at", "cancelled_at", "comparison"]
    list_filter = ["kind", "comparison"]
    list_select_related = ["incident"]
    raw_id_fields = ["incident", "responsible", "organisation"]
    readonly_fields = ["rule", "override", "comparison", "start_at", "due_at", "met_at", "cancelled_at"]
