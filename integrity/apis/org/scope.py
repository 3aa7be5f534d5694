"""What every organisation endpoint shares: the permissions of a read / HR-write endpoint, the HR
scope check on writes, and a reference field that only sees objects in the user's scope.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated

from integrity.models import Unit
from integrity.permissions import UNIT_OUTSIDE_HR_SCOPE, IsHrAdminOrReadOnly, ReadOnlyForAuditor, hr_scope_contains

READ_OR_HR_WRITE = [IsAuthenticated, ReadOnlyForAuditor, IsHrAdminOrReadOnly]
NOT_FOUND_IN_SCOPE = _("Tidak ditemukan dalam lingkup Anda.")


def _require_hr_scope(user: Any, unit: Unit) -> None:
    if not hr_scope_contains(user, [unit.pk]):
        raise PermissionDenied(UNIT_OUTSIDE_HR_SCOPE % {"unit": unit.name})


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference that must be visible to the requesting user; anything else reads as "does not
    exist", so input cannot probe for objects outside the scope."""

    default_error_messages = {"does_not_exist": NOT_FOUND_IN_SCOPE}

    def __init__(self, scoped: Any, model: type[Any], **kwargs: Any) -> None:
        self.scoped = scoped  # (user) -> QuerySet
        # The empty queryset only tells the schema generator the type; lookups use get_queryset.
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped(self.context["request"].user)
