"""Read-only output serializers shared by several integrity API views (nested references)."""

from typing import Any

from django.db.models import TextChoices
from rest_framework import serializers

from integrity.models import Official, Position, SpendingUnit, Unit


def choice_text(choices: type[TextChoices], **kwargs: Any) -> serializers.CharField:
    """A read-only choice value, described in the schema as a string listing its values.

    Several models have a `kind`; emitted as enums they would collide in the schema (one enum
    name per field name), so outputs carry the value as text and inputs keep the enum."""
    values = ", ".join(f"`{value}`" for value in choices.values)
    return serializers.CharField(read_only=True, help_text=f"One of {values}.", **kwargs)


class UnitBriefSerializer(serializers.ModelSerializer):
    kind = choice_text(Unit.Kind)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind"]
        read_only_fields = fields


class PositionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "code", "title", "unit_id", "is_unit_head"]
        read_only_fields = fields


class OfficialBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Official
        fields = ["id", "nip", "name", "full_name"]
        read_only_fields = fields


class SpendingUnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpendingUnit
        fields = ["id", "code", "name"]
        read_only_fields = fields


class RowErrorSerializer(serializers.Serializer):
    """One problem in an uploaded file: spreadsheet row (header = 1; null = the whole file) and
    column header (null = the whole row)."""

    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer: `{"message", "extra"}` (audit.errors.api_exception_handler)."""

    message = serializers.CharField()
    extra = serializers.DictField()
