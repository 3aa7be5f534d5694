"""The audit journal's Merkle root and proofs (RFC 9162), for compliance officers and auditors.

An auditor records a root (size, hash) and later asks for a consistency proof that the journal
only grew, and for inclusion proofs of the events they rely on (audit.selectors).
"""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from audit.selectors import journal_consistency_proof, journal_inclusion_proof, journal_root
from integrity.apis.base import PaktaApiView
from integrity.permissions import IsComplianceOrAuditor

AUDIT_READERS = [IsAuthenticated, IsComplianceOrAuditor]


class JournalRootApi(PaktaApiView):
    """The Merkle root of the first `size` events (the whole journal when omitted)."""

    permission_classes = AUDIT_READERS

    class FilterSerializer(serializers.Serializer):
        size = serializers.IntegerField(required=False, min_value=0)

    class OutputSerializer(serializers.Serializer):
        size = serializers.IntegerField()
        root_hex = serializers.CharField()

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        root = journal_root(filters.validated_data.get("size"))
        return Response(self.OutputSerializer(asdict(root)).data)


class JournalInclusionProofApi(PaktaApiView):
    """The audit path proving that event `seq` is in the tree of `size` events."""

    permission_classes = AUDIT_READERS

    class FilterSerializer(serializers.Serializer):
        seq = serializers.IntegerField(min_value=1)
        size = serializers.IntegerField(required=False, min_value=1, help_text="Defaults to the whole journal.")

    class OutputSerializer(serializers.Serializer):
        seq = serializers.IntegerField()
        size = serializers.IntegerField()
        leaf_index = serializers.IntegerField()
        event_hash_hex = serializers.CharField()
        leaf_hash_hex = serializers.CharField()
        proof_hex = serializers.ListField(child=serializers.CharField())
        root_hex = serializers.CharField()

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        proof = journal_inclusion_proof(f["seq"], f.get("size"))
        return Response(self.OutputSerializer({**asdict(proof), "leaf_index": proof.leaf_index}).data)


class JournalConsistencyProofApi(PaktaApiView):
    """The proof that the tree of `second` events extends the tree of `first` events."""

    permission_classes = AUDIT_READERS

    class FilterSerializer(serializers.Serializer):
        first = serializers.IntegerField(min_value=1)
        second = serializers.IntegerField(required=False, min_value=1, help_text="Defaults to the whole journal.")

    class OutputSerializer(serializers.Serializer):
        old_size = serializers.IntegerField()
        new_size = serializers.IntegerField()
        old_root_hex = serializers.CharField()
        new_root_hex = serializers.CharField()
        proof_hex = serializers.ListField(child=serializers.CharField())

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        proof = journal_consistency_proof(f["first"], f.get("second"))
        return Response(self.OutputSerializer(asdict(proof)).data)
