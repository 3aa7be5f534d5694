from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditCheckpoint, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the journal is evidence and is written only by audit.services.audit_record."""

    list_display = ("seq", "occurred_at", "actor_label", "action", "subject_type", "subject_id")
    list_filter = ("action",)
    search_fields = ("action", "subject_id", "actor_label")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(admin.ModelAdmin):
    """Read-only: checkpoints are created by `audit_checkpoint create` and the nightly task."""

    list_display = ("pk", "size", "root_hex", "created_at", "signer_subject")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
