"""Read-only admin: every change goes through the services (and so into the audit trail);
Django's admin saves would bypass both. Data is entered through decrees, the API and the UI."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from integrity import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "parent")
    search_fields = ("code", "name")
    list_filter = ("kind",)


@admin.register(models.Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "unit", "reports_to", "is_unit_head", "kind")
    search_fields = ("code", "title")


@admin.register(models.Official)
class OfficialAdmin(ReadOnlyAdmin):
    list_display = ("nip", "full_name", "employee_type", "rank", "email", "is_active")
    search_fields = ("nip", "name")


@admin.register(models.SpendingUnit)
class SpendingUnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "ministry_code", "serving_unit")
    search_fields = ("code", "name")


@admin.register(models.Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("official", "position", "effective_date", "end_date", "acting", "decree_number")
    list_filter = ("acting",)
    search_fields = ("official__nip", "official__name", "position__code")


@admin.register(models.SpendingUnitHead)
class SpendingUnitHeadAdmin(ReadOnlyAdmin):
    list_display = ("spending_unit", "official", "title", "effective_date", "end_date")


@admin.register(models.Decree)
class DecreeAdmin(ReadOnlyAdmin):
    list_display = ("number", "decree_date", "title", "imported_by", "imported_at")
    search_fields = ("number",)


@admin.register(models.IntegrityPact)
class IntegrityPactAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "status", "unit", "effective_date", "due_date")
    list_filter = ("status", "kind")
    search_fields = ("number", "relationship_key")


@admin.register(models.HolidayDecree)
class HolidayDecreeAdmin(ReadOnlyAdmin):
    list_display = ("reference", "year", "kind", "signed_on")


@admin.register(models.Holiday)
class HolidayAdmin(ReadOnlyAdmin):
    list_display = ("date", "kind", "name", "decree")
    list_filter = ("kind", "decree__year")


@admin.register(models.DeadlinePolicy)
class DeadlinePolicyAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "cuti_bersama_is_working_day")


@admin.register(models.RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "unit")
