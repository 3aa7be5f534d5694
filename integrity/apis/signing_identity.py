"""Your signing identity through the API (signatures issue §5 "Web UI and API").

    GET/POST /api/v1/me/signing-identity/             your signing identity; POST enrols you (embedded key)
    POST     /api/v1/me/signing-identity/passphrase/  change its passphrase
    POST     /api/v1/me/signing-identity/pkcs12/      register the certificate of your PKCS#12 file

The reads are `integrity.selectors.signing`'s and the writes `integrity.services.signing_identities`', shared
with the pages; passphrases are taken as described in `integrity.apis.secrets`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import PaktaApiView, UploadApiView
from integrity.apis.secrets import PASSPHRASES_DIFFER, passphrase_field, sensitive_passphrases
from integrity.apis.serializers import ErrorSerializer
from integrity.selectors.signing import (
    certification_label,
    embedded_identity_of,
    enrolment_subject,
    identity_certified,
    pkcs12_identities_of,
    token_identities_of,
)
from integrity.services.signing_identities import (
    signing_identity_change_passphrase,
    signing_identity_enrol,
    signing_identity_register_pkcs12,
)
from signatures.lockout import identity_locked_until
from signatures.models import SigningIdentity


class SigningCertificateSerializer(serializers.Serializer):
    """A signing identity's certificate and state."""

    id = serializers.IntegerField()
    backend = serializers.CharField(help_text="`embedded`, `pkcs11` or `pkcs12`.")
    status = serializers.CharField(help_text="`active` or `revoked`.")
    serial = serializers.CharField(help_text="Certificate serial number (hex).")
    subject_name = serializers.CharField()
    subject_serial = serializers.CharField(help_text="The NIP (subject serialNumber).")
    subject_unit = serializers.CharField()
    subject_organisation = serializers.CharField()
    issuer_name = serializers.CharField()
    not_before = serializers.DateTimeField()
    not_after = serializers.DateTimeField()
    certified = serializers.BooleanField(help_text="False for the embedded CA: tidak tersertifikasi (PP 71/2019).")
    certification_label = serializers.CharField()
    locked_until = serializers.DateTimeField(
        allow_null=True, help_text="Signing is locked after wrong passphrases until then."
    )


def certificate_data(identity: SigningIdentity) -> dict[str, Any]:
    certified = identity_certified(identity)
    return {
        "id": identity.pk,
        "backend": identity.backend,
        "status": identity.status,
        "serial": identity.serial,
        "subject_name": identity.subject_name,
        "subject_serial": identity.subject_serial,
        "subject_unit": identity.subject_unit,
        "subject_organisation": identity.subject_organisation,
        "issuer_name": identity.issuer_name,
        "not_before": identity.not_before,
        "not_after": identity.not_after,
        "certified": certified,
        "certification_label": str(certification_label(certified)),
        "locked_until": identity_locked_until(identity),
    }


class EnrolmentSubjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    nip = serializers.CharField()
    unit_name = serializers.CharField()
    organisation = serializers.CharField()
    email = serializers.CharField()


class SigningIdentityStatusSerializer(serializers.Serializer):
    enrolled = serializers.BooleanField(help_text="An active passphrase identity exists.")
    can_enrol = serializers.BooleanField(help_text="The account is linked to an official and has no active identity.")
    subject = EnrolmentSubjectSerializer(allow_null=True, help_text="What an enrolment certifies (your official data).")
    identity = SigningCertificateSerializer(allow_null=True)
    others = SigningCertificateSerializer(
        many=True,
        help_text="Your other active identities, oldest first: keys in a PKCS#11 token (sign with their PIN, "
        "naming the `serial` as `identity` when you have several) and registered PKCS#12 certificates (sign by "
        "uploading the file).",
    )
    passphrase_min_length = serializers.IntegerField()


def identity_status_data(user: Any) -> dict[str, Any]:
    identity = embedded_identity_of(user)
    subject = enrolment_subject(user)
    return {
        "enrolled": identity is not None,
        "can_enrol": identity is None and subject is not None,
        "subject": asdict(subject) if subject is not None else None,
        "identity": certificate_data(identity) if identity is not None else None,
        "others": [certificate_data(other) for other in [*token_identities_of(user), *pkcs12_identities_of(user)]],
        "passphrase_min_length": settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH,
    }


@sensitive_passphrases
class SigningIdentityApi(PaktaApiView):
    """GET: your signing identity (certificate, validity, lock), what an enrolment would certify, and your
    token and PKCS#12 identities.
    POST: enrol: Pakta generates your key, keeps it encrypted under the passphrase you choose, and the
    embedded CA certifies it with the name, NIP and unit of your official record (*tidak tersertifikasi*).
    The passphrase cannot be recovered: forgetting it means enrolling again after revocation."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        passphrase = passphrase_field()
        passphrase_confirm = passphrase_field()

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs["passphrase"] != attrs["passphrase_confirm"]:
                raise serializers.ValidationError({"passphrase_confirm": [str(PASSPHRASES_DIFFER)]})
            return attrs

    @extend_schema(operation_id="me_signing_identity_retrieve", responses=SigningIdentityStatusSerializer)
    def get(self, request: Request) -> Response:
        return Response(SigningIdentityStatusSerializer(identity_status_data(request.user)).data)

    @extend_schema(
        operation_id="me_signing_identity_enrol",
        request=InputSerializer,
        responses={
            201: SigningIdentityStatusSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No official, passphrase too short or not confirmed."),
            409: OpenApiResponse(ErrorSerializer, description="You already have an active identity."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signing_identity_enrol(user=request.user, passphrase=serializer.validated_data["passphrase"])
        data = SigningIdentityStatusSerializer(identity_status_data(request.user)).data
        return Response(data, status=status.HTTP_201_CREATED)


@sensitive_passphrases
class SigningIdentityPassphraseApi(PaktaApiView):
    """Change the passphrase of your identity: the key and certificate stay the same. A wrong old
    passphrase counts towards the signing lock like one typed when signing."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        old_passphrase = passphrase_field()
        new_passphrase = passphrase_field()
        new_passphrase_confirm = passphrase_field()

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs["new_passphrase"] != attrs["new_passphrase_confirm"]:
                raise serializers.ValidationError({"new_passphrase_confirm": [str(PASSPHRASES_DIFFER)]})
            return attrs

    @extend_schema(
        operation_id="me_signing_identity_passphrase_change",
        request=InputSerializer,
        responses={
            200: SigningIdentityStatusSerializer,
            400: OpenApiResponse(ErrorSerializer, description="New passphrase too short, unchanged or not confirmed."),
            403: OpenApiResponse(ErrorSerializer, description="Wrong old passphrase (counted)."),
            409: OpenApiResponse(ErrorSerializer, description="No active identity."),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Locked after wrong passphrases, or every attempt left is being checked (retry).",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        signing_identity_change_passphrase(user=request.user, old=data["old_passphrase"], new=data["new_passphrase"])
        return Response(SigningIdentityStatusSerializer(identity_status_data(request.user)).data)


@sensitive_passphrases
class SigningIdentityPkcs12Api(UploadApiView):
    """Register the certificate of your PKCS#12 file (.p12/.pfx, typically from a PSrE) as a signing
    identity: the file is opened in memory with its password to check that it can sign (a key matching an
    end-entity certificate that is valid now and allows signing), then only the certificate is kept, never
    the file, the key or the password. Sign with it by uploading the file again (POST
    /api/v1/pacts/<id>/sign/, multipart). Signatures are *tersertifikasi* only when the certificate chains
    to a certified provider's root."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        pkcs12 = serializers.FileField(help_text="The PKCS#12 file (at most 64 KB); not stored.")
        pkcs12_password = passphrase_field(allow_blank=True)

    @extend_schema(
        operation_id="me_signing_identity_pkcs12_register",
        request={"multipart/form-data": InputSerializer},
        responses={
            201: SigningCertificateSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="No official; no file or password; wrong password or damaged file; no key, a key "
                "that does not match, a CA, expired or non-signing certificate, an unsupported key.",
            ),
            409: OpenApiResponse(ErrorSerializer, description="This certificate is already registered for you."),
            413: OpenApiResponse(ErrorSerializer, description="The upload is over the size limit."),
        },
    )
    def post(self, request: Request) -> Response:
        upload = self.uploaded_file(request, "pkcs12")  # 413 over the upload limit, before anything else
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assert upload is not None  # the serializer requires the file
        identity = signing_identity_register_pkcs12(
            user=request.user, pkcs12_bytes=upload[1], password=serializer.validated_data["pkcs12_password"]
        )
        return Response(SigningCertificateSerializer(certificate_data(identity)).data, status=status.HTTP_201_CREATED)
