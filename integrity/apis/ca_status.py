"""The embedded CA's status through the API (signatures issue §5).

    GET      /api/v1/ca/                              the embedded CA: keys, TSA, issued and revoked certificates

`ca_overview` and `can_read_ca` are shared with the CA admin page (`frontend.views.ca_admin`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import PaktaApiView
from integrity.apis.serializers import ErrorSerializer
from integrity.selectors import UserScope, user_scope
from signatures import ca
from signatures.models import CaKey, Revocation, SigningIdentity

NOT_CA_READER = _("Hanya administrator sistem dan auditor yang boleh membuka status CA.")
CA_LIST_LIMIT = 100
"""Newest issued certificates and revocations listed on the CA status (the counts are exact)."""


@dataclass(frozen=True)
class CaKeyRow:
    role: str
    role_label: str
    label: str
    subject: str
    serial: str
    not_before: datetime.datetime
    not_after: datetime.datetime

    @property
    def valid_now(self) -> bool:
        return self.not_before <= timezone.now() < self.not_after


@dataclass(frozen=True)
class CaOverview:
    """The embedded CA at a glance (the CA admin page and `GET /api/v1/ca/`)."""

    initialised: bool
    keys: list[CaKeyRow]
    tsa: CaKeyRow | None
    tsa_url: str
    identities_active: int
    identities_revoked: int
    identities_locked: int
    identities: list[SigningIdentity]
    revocations_count: int
    revocations: list[Revocation]


def _key_row(row: CaKey) -> CaKeyRow:
    cert = x509.load_der_x509_certificate(bytes(row.certificate))
    return CaKeyRow(
        role=row.role,
        role_label=str(row.get_role_display()),
        label=row.label,
        subject=row.subject,
        serial=row.serial,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def ca_overview(*, limit: int = CA_LIST_LIMIT) -> CaOverview:
    """The current CA keys (root, issuing CA, TSA, OCSP responder, office seals) with their validity, the
    counts of issued, revoked and locked signing identities, and the newest of them."""
    keys = [_key_row(row) for row in CaKey.objects.filter(retired_at__isnull=True).order_by("role", "label")]
    counts = SigningIdentity.objects.aggregate(
        active=Count("pk", filter=Q(status=SigningIdentity.Status.ACTIVE)),
        revoked=Count("pk", filter=Q(status=SigningIdentity.Status.REVOKED)),
        locked=Count("pk", filter=Q(lockout__locked_until__gt=timezone.now())),
    )
    return CaOverview(
        initialised=ca.ca_exists(),
        keys=keys,
        tsa=next((key for key in keys if key.role == CaKey.Role.TSA), None),
        tsa_url=str(getattr(settings, "PAKTA_TSA_URL", "") or ""),
        identities_active=counts["active"],
        identities_revoked=counts["revoked"],
        identities_locked=counts["locked"],
        identities=list(SigningIdentity.objects.select_related("user").order_by("-created_at", "-pk")[:limit]),
        revocations_count=Revocation.objects.count(),
        revocations=list(Revocation.objects.select_related("identity").order_by("-revoked_at", "-pk")[:limit]),
    )


def can_read_ca(scope: UserScope) -> bool:
    """System administrators and auditors read the CA's status (signatures issue §5)."""
    return scope.is_superuser or scope.is_auditor


class CanReadCa(BasePermission):
    message = NOT_CA_READER

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and can_read_ca(user_scope(request.user)))


class CaKeySerializer(serializers.Serializer):
    role = serializers.CharField(help_text="`root`, `issuing`, `tsa`, `ocsp` or `seal`.")
    role_label = serializers.CharField()
    # "label" shadows Field.label in the stubs only: DRF moves declared fields off the class.
    label = serializers.CharField(help_text="The unit code of an office seal; empty otherwise.")  # type: ignore[assignment]
    subject = serializers.CharField()
    serial = serializers.CharField()
    not_before = serializers.DateTimeField()
    not_after = serializers.DateTimeField()
    valid_now = serializers.BooleanField()


class CaIdentitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    backend = serializers.CharField()
    status = serializers.CharField()
    serial = serializers.CharField()
    subject_name = serializers.CharField()
    subject_serial = serializers.CharField()
    not_after = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class CaRevocationSerializer(serializers.Serializer):
    serial = serializers.CharField()
    reason = serializers.CharField()
    revoked_at = serializers.DateTimeField()
    subject_name = serializers.CharField(source="identity.subject_name", allow_null=True, default=None)


class CaStatusApi(PaktaApiView):
    """The embedded CA for system administrators and auditors: its current keys (root, issuing CA, TSA,
    OCSP responder, office seals) and their validity, the timestamping authority in use, and the signing
    certificates issued and revoked (exact counts, the newest 100 listed)."""

    permission_classes = [CanReadCa]

    class OutputSerializer(serializers.Serializer):
        initialised = serializers.BooleanField()
        keys = CaKeySerializer(many=True)
        tsa = CaKeySerializer(allow_null=True, help_text="The embedded TSA's certificate.")
        tsa_url = serializers.CharField(help_text="External TSA in use (PAKTA_TSA_URL); empty: the embedded TSA.")
        identities_active = serializers.IntegerField()
        identities_revoked = serializers.IntegerField()
        identities_locked = serializers.IntegerField(help_text="Signing locked now after wrong passphrases.")
        identities = CaIdentitySerializer(many=True)
        revocations_count = serializers.IntegerField()
        revocations = CaRevocationSerializer(many=True)

    @extend_schema(
        operation_id="ca_status",
        responses={200: OutputSerializer, 403: OpenApiResponse(ErrorSerializer, description="Not an admin/auditor.")},
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(ca_overview()).data)
