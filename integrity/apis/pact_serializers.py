"""Serializers of the pact endpoints: a list item with its parties, and the detail with "why" and history.

`PactListItemSerializer` is the single description of a list item (schema, detail view); the list
itself builds the same items without it (`integrity.apis.pacts.pact_list_items`).
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrity.apis.serializers import SpendingUnitBriefSerializer, UnitBriefSerializer, choice_text
from integrity.explain import pact_explain
from integrity.models import IntegrityPact, PactParty
from integrity.selectors import pact_is_overdue
from integrity.workdays import today_jakarta


def _today(context: Mapping[str, Any]) -> datetime.date:
    """ "Today" in Asia/Jakarta, computed once per request by the view (or now, for one object)."""
    today: datetime.date | None = context.get("today")
    return today if today is not None else today_jakarta()


class PactPartySerializer(serializers.ModelSerializer):
    """A signatory as frozen on the pact (DOMAIN.md §7 rule 4), with the live official id."""

    name = serializers.CharField(source="snapshot.name")
    nip = serializers.CharField(source="snapshot.nip")
    position = serializers.CharField(source="snapshot.position")

    class Meta:
        model = PactParty
        fields = ["order", "role", "official_id", "name", "nip", "position", "signed_at"]
        read_only_fields = fields


class PactListItemSerializer(serializers.ModelSerializer):
    kind = choice_text(IntegrityPact.Kind)
    status = choice_text(IntegrityPact.Status)
    overdue = serializers.SerializerMethodField()
    unit = UnitBriefSerializer()
    spending_unit = SpendingUnitBriefSerializer(allow_null=True)
    parties = PactPartySerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = IntegrityPact
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "overdue",
            "effective_date",
            "due_date",
            "due_date_provisional",
            "signed_at",
            "unit",
            "spending_unit",
            "parties",
            "url",
        ]
        read_only_fields = fields

    def get_overdue(self, pact: IntegrityPact) -> bool:
        """Pending and past its due date (Asia/Jakarta)."""
        return pact_is_overdue(pact, _today(self.context))

    def get_url(self, pact: IntegrityPact) -> str:
        path = reverse("integrity_api:pact-detail", args=[pact.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


# --- detail ----------------------------------------------------------------------------------


class _ExplainAssignmentSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField()
    official = serializers.CharField()
    nip = serializers.CharField()
    position = serializers.CharField()
    position_code = serializers.CharField()
    unit = serializers.CharField()
    acting = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    decree = serializers.CharField(allow_null=True)
    ended_by_decree = serializers.CharField(allow_null=True)


class _ExplainHeadshipSerializer(serializers.Serializer):
    headship_id = serializers.IntegerField()
    official = serializers.CharField()
    nip = serializers.CharField()
    title = serializers.CharField()
    spending_unit_code = serializers.CharField()
    spending_unit = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    decree = serializers.CharField(allow_null=True)
    ended_by_decree = serializers.CharField(allow_null=True)


class _ExplainDecreeSerializer(serializers.Serializer):
    number = serializers.CharField()
    date = serializers.DateField()


class _ExplainSupersededSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    decree = serializers.CharField(allow_null=True)
    successor = serializers.CharField(allow_null=True)


class PactWhySerializer(serializers.Serializer):
    """`integrity.explain.pact_explain`: the relationship behind the pact and what changed it."""

    summary = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    relationship_key = serializers.CharField()
    effective_date = serializers.DateField()
    due_date = serializers.DateField()
    due_date_provisional = serializers.BooleanField()
    declarant = _ExplainAssignmentSerializer(allow_null=True)
    counterparty = _ExplainAssignmentSerializer(allow_null=True)
    satker_head = _ExplainHeadshipSerializer(allow_null=True)
    trigger_decree = _ExplainDecreeSerializer(allow_null=True)
    supersedes = serializers.CharField(allow_null=True)
    superseded = _ExplainSupersededSerializer(allow_null=True)


class LinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    url = serializers.CharField()


class PactHistorySerializer(serializers.Serializer):
    """Links along the pact's history; a link may lead outside your scope (then it answers 404)."""

    supersedes = LinkSerializer(allow_null=True)
    superseded_by = LinkSerializer(many=True)
    trigger_decree = LinkSerializer(allow_null=True)
    superseded_by_decree = LinkSerializer(allow_null=True)


class PactDetailSerializer(PactListItemSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    pdf_url = serializers.SerializerMethodField()
    why = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(PactListItemSerializer.Meta):
        fields = [
            *PactListItemSerializer.Meta.fields,
            "kind_label",
            "status_label",
            "relationship_key",
            "created_at",
            "superseded_at",
            "supersede_reason",
            "external_reference",
            "document_sha256",
            "pdf_url",
            "why",
            "history",
        ]
        read_only_fields = fields

    def _url(self, name: str, pk: int) -> str:
        path = reverse(f"integrity_api:{name}", args=[pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_pdf_url(self, pact: IntegrityPact) -> str:
        return self._url("pact-pdf", pact.pk)

    @extend_schema_field(PactWhySerializer)
    def get_why(self, pact: IntegrityPact) -> dict[str, Any]:
        return PactWhySerializer(pact_explain(pact)).data

    def _link(self, obj: Any, name: str) -> dict[str, Any] | None:
        if obj is None:
            return None
        return {"id": obj.pk, "number": obj.number, "url": self._url(name, obj.pk)}

    @extend_schema_field(PactHistorySerializer)
    def get_history(self, pact: IntegrityPact) -> dict[str, Any]:
        return {
            "supersedes": self._link(pact.supersedes, "pact-detail"),
            "superseded_by": [self._link(p, "pact-detail") for p in pact.superseded_by.order_by("pk")],
            "trigger_decree": self._link(pact.trigger_decree, "decree-detail"),
            "superseded_by_decree": self._link(pact.superseded_by_decree, "decree-detail"),
        }
