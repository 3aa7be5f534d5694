"""Signing a pact through the API (signatures issue §5 "Web UI and API", §2 "the signing plan of a pact").

    POST     /api/v1/pacts/<id>/sign/                 sign your turn (passphrase, token PIN, or an uploaded PKCS#12)
    GET      /api/v1/pacts/<id>/signatures/           who signed when, certified or not, who is next
    GET      /api/v1/pacts/<id>/revisions/<seq>/pdf/  one stored revision of the signed document

The signing state is `integrity.selectors.signing`'s and the key holders `integrity.services.signing_identities`',
shared with the pages; secrets are taken as described in `integrity.apis.secrets`. The services' errors answer
`{"message", "extra"}` with their status: a wrong passphrase 403 (counted; the fifth locks signing for 15
minutes, after which 429), out of order, already signed or a superseded pact 409, a visible pact you are not a
party of 403, a pact outside your scope 404.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import PaktaApiView, PdfRenderer
from integrity.apis.secrets import passphrase_field, pin_field, sensitive_passphrases
from integrity.apis.serializers import ErrorSerializer
from integrity.models import IntegrityPact, PactParty, PactRevision
from integrity.selectors import pacts_visible_to
from integrity.selectors.signing import (
    certification_label,
    identity_certified,
    pact_latest_revision,
    pact_party_to_sign,
    pact_revision_bytes,
    pact_signing,
    pact_verification_url,
)
from integrity.services.signing import pact_sign
from integrity.services.signing_identities import PKCS12_PASSWORD_REQUIRED, pact_sign_with_token, pkcs12_key_holder
from signatures.models import SigningIdentity
from signatures.signers import Pkcs12Error

PASSPHRASE_AND_PIN = _("Kirim passphrase atau PIN, bukan keduanya.")


class PartyBriefSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    role = serializers.CharField(help_text="`declarant`, `witness` or `party`.")
    name = serializers.CharField()
    nip = serializers.CharField()
    position = serializers.CharField()


def _party_data(party: PactParty | None) -> dict[str, Any] | None:
    if party is None:
        return None
    snapshot = party.snapshot
    return {
        "order": party.order,
        "role": party.role,
        "name": str(snapshot.get("name") or party.official.full_name),
        "nip": str(snapshot.get("nip", "")),
        "position": str(snapshot.get("position", "")),
    }


class RevisionBriefSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    kind = serializers.CharField(help_text="`certified`, `signature`, `lta` or `retimestamp`.")
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    stored_at = serializers.DateTimeField()
    pdf_url = serializers.CharField()


def _revision_data(request: Request, revision: PactRevision | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    path = reverse("integrity_api:pact-revision-pdf", args=[revision.pact_id, revision.sequence])
    return {
        "sequence": revision.sequence,
        "kind": revision.kind,
        "sha256": revision.sha256,
        "size": revision.size,
        "stored_at": revision.signed_at,
        "pdf_url": request.build_absolute_uri(path),
    }


class PactSignPkcs12InputSerializer(serializers.Serializer):
    """Sign with a registered PKCS#12 file, uploaded for this one signature and never stored."""

    pkcs12 = serializers.FileField()
    pkcs12_password = passphrase_field(allow_blank=True)


class SignedByPartySerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="The revision your signature made.")
    sha256 = serializers.CharField()
    signed_at = serializers.DateTimeField()
    party = PartyBriefSerializer()
    signer_name = serializers.CharField(help_text="Common name of the signing certificate.")
    signer_serial = serializers.CharField()
    certified = serializers.BooleanField()
    certification_label = serializers.CharField()
    pact_status = serializers.CharField(
        help_text="`pending`, or `signed` once the last party signed and it was sealed."
    )
    next_signer = PartyBriefSerializer(allow_null=True)
    latest_revision = RevisionBriefSerializer()
    verification_url = serializers.CharField()


@sensitive_passphrases
class PactSignApi(PaktaApiView):
    """Sign the pact when it is your turn: your signature goes into your prepared field of the newest
    revision (PAdES B-T with a visible stamp); after the last party the pact is sealed and SIGNED.

    The body says which of your identities signs (its key holder):
    - `{"passphrase"}` (JSON): the identity whose key Pakta keeps; wrong passphrases are counted and lock
      signing.
    - `{"pin", "identity"}` (JSON): a key inside a PKCS#11 token or HSM; `identity` is the serial number
      of your token identity and may be left out when you have exactly one. A wrong PIN answers 403 with
      the token's refusal; the token itself counts wrong PINs and locks. The token is opened only on your
      turn.
    - multipart `pkcs12` + `pkcs12_password`: a registered PKCS#12 file, uploaded for this one signature
      and never stored.

    `Idempotency-Key`: repeat a request with the same key (after a lost answer, a double click) and you
    get the same revision back instead of an error: one signature."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]

    class InputSerializer(serializers.Serializer):
        passphrase = passphrase_field(
            required=False, allow_blank=True, help_text="For the identity Pakta keeps (backend `embedded`)."
        )
        pin = pin_field(
            required=False, allow_blank=True, help_text="Token PIN, for a PKCS#11 identity (backend `pkcs11`)."
        )
        identity = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=40,
            help_text="With `pin`: the serial number (hex) of the token identity; optional when you have one.",
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs.get("passphrase") and ("pin" in attrs or "identity" in attrs):
                raise serializers.ValidationError(PASSPHRASE_AND_PIN)
            return attrs

    @extend_schema(
        operation_id="pact_sign",
        request={"application/json": InputSerializer, "multipart/form-data": PactSignPkcs12InputSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="1–200 visible ASCII characters, e.g. a UUID made per signing attempt.",
            )
        ],
        responses={
            201: SignedByPartySerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="No passphrase or PIN, token identity not named or not yours, token or key not "
                "found, bad PKCS#12 or Idempotency-Key.",
            ),
            403: OpenApiResponse(ErrorSerializer, description="Wrong passphrase (counted), wrong PIN, or not a party."),
            404: OpenApiResponse(ErrorSerializer, description="Not in your scope."),
            409: OpenApiResponse(
                ErrorSerializer, description="Not your turn, already signed, not pending, no identity of that kind."
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Signing locked after wrong passphrases, or every attempt left is being checked by "
                "parallel requests (retry in a moment).",
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        pact = get_object_or_404(pacts_visible_to(request.user), pk=pk)
        key = request.headers.get("Idempotency-Key")
        if "pkcs12" in request.FILES:
            upload = PactSignPkcs12InputSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            password = upload.validated_data.get("pkcs12_password") or ""
            if not password:
                raise Pkcs12Error(PKCS12_PASSWORD_REQUIRED)
            holder = pkcs12_key_holder(
                user=request.user, pkcs12_bytes=upload.validated_data["pkcs12"].read(), password=password
            )
            revision = pact_sign(pact=pact, user=request.user, key_holder=holder, idempotency_key=key)
        else:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            if "pin" in data or "identity" in data:
                revision = pact_sign_with_token(
                    pact=pact,
                    user=request.user,
                    pin=data.get("pin") or "",
                    serial=data.get("identity") or None,
                    idempotency_key=key,
                )
            else:
                passphrase = data.get("passphrase") or None
                revision = pact_sign(pact=pact, user=request.user, passphrase=passphrase, idempotency_key=key)
        return Response(_signed_data(request, revision), status=status.HTTP_201_CREATED)


def _signed_data(request: Request, revision: PactRevision) -> dict[str, Any]:
    pact = IntegrityPact.objects.get(pk=revision.pact.pk)
    party = revision.party
    identity = SigningIdentity.objects.filter(user=revision.signed_by, serial=revision.signer_serial).first()
    certified = identity is not None and identity_certified(identity)
    next_party = pact_party_to_sign(pact) if pact.status == IntegrityPact.Status.PENDING else None
    return SignedByPartySerializer(
        {
            "sequence": revision.sequence,
            "sha256": revision.sha256,
            "signed_at": revision.signed_at,
            "party": _party_data(party),
            "signer_name": revision.signer_name,
            "signer_serial": revision.signer_serial,
            "certified": certified,
            "certification_label": str(certification_label(certified)),
            "pact_status": pact.status,
            "next_signer": _party_data(next_party),
            "latest_revision": _revision_data(request, pact_latest_revision(pact)),
            "verification_url": pact_verification_url(pact),
        }
    ).data


class PactSignatureSerializer(PartyBriefSerializer):
    signed = serializers.BooleanField()
    signed_at = serializers.DateTimeField(allow_null=True)
    in_pakta = serializers.BooleanField(help_text="Signed through Pakta (false: recorded as signed elsewhere).")
    sequence = serializers.IntegerField(allow_null=True, help_text="The revision the signature made.")
    signer_name = serializers.CharField(help_text="Common name of the signing certificate; empty before signing.")
    signer_serial = serializers.CharField()
    certified = serializers.BooleanField(help_text="False for the embedded CA: tidak tersertifikasi (PP 71/2019).")
    certification_label = serializers.CharField(help_text="Empty until the party signed in Pakta.")
    is_next = serializers.BooleanField(help_text="This party signs next.")


class PactSignaturesApi(PaktaApiView):
    """Who signed the pact and when, in signing order, whether each signature is certified, who is next,
    and the newest stored revision of its document."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        pact_id = serializers.IntegerField()
        number = serializers.CharField()
        pact_status = serializers.CharField(help_text="`pending`, `signed` or `superseded`.")
        signed_count = serializers.IntegerField()
        signatures = PactSignatureSerializer(many=True)
        next_signer = PartyBriefSerializer(allow_null=True)
        your_turn = serializers.BooleanField()
        latest_revision = RevisionBriefSerializer(allow_null=True)
        verification_url = serializers.CharField(allow_null=True, help_text="Null until the pact is issued.")

    @extend_schema(operation_id="pact_signatures", responses=OutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        pact = get_object_or_404(pacts_visible_to(request.user), pk=pk)
        signing = pact_signing(pact, request.user)
        signatures = [
            {
                **(_party_data(row.party) or {}),
                "signed": row.party.signed_at is not None,
                "signed_at": row.party.signed_at,
                "in_pakta": row.revision is not None,
                "sequence": row.revision.sequence if row.revision is not None else None,
                "signer_name": row.revision.signer_name if row.revision is not None else "",
                "signer_serial": row.revision.signer_serial if row.revision is not None else "",
                "certified": row.certified,
                "certification_label": str(row.label),
                "is_next": row.is_next,
            }
            for row in signing.rows
        ]
        data = {
            "pact_id": pact.pk,
            "number": pact.number,
            "pact_status": pact.status,
            "signed_count": signing.signed_count,
            "signatures": signatures,
            "next_signer": _party_data(signing.next_party),
            "your_turn": signing.is_users_turn,
            "latest_revision": _revision_data(request, signing.latest),
            "verification_url": pact_verification_url(pact) if pact.verification_id else None,
        }
        return Response(self.OutputSerializer(data).data)


class PactRevisionPdfApi(PaktaApiView):
    """One stored revision of the pact's signed document, byte for byte (its SHA-256 checked first)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        operation_id="pact_revision_pdf",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The revision's PDF."),
            (404, "application/json"): OpenApiResponse(ErrorSerializer, description="Not in your scope."),
            (409, "application/json"): OpenApiResponse(ErrorSerializer, description="The stored file is damaged."),
        },
    )
    def get(self, request: Request, pk: int, sequence: int) -> FileResponse:
        pact = get_object_or_404(pacts_visible_to(request.user), pk=pk)
        revision = get_object_or_404(PactRevision, pact=pact, sequence=sequence)
        response = FileResponse(
            BytesIO(pact_revision_bytes(revision)),
            content_type="application/pdf",
            filename=f"{pact.number}-revisi-{revision.sequence}.pdf",
        )
        response["ETag"] = f'"{revision.sha256}"'
        return response
