"""Signing through the API (signatures issue §5 "Web UI and API", §2 "the signing plan of a pact").

    GET/POST /api/v1/me/signing-identity/             your signing identity; POST enrols you (embedded key)
    POST     /api/v1/me/signing-identity/passphrase/  change its passphrase
    POST     /api/v1/pacts/<id>/sign/                 sign your turn (passphrase, or an uploaded PKCS#12)
    GET      /api/v1/pacts/<id>/signatures/           who signed when, certified or not, who is next
    GET      /api/v1/pacts/<id>/revisions/<seq>/pdf/  one stored revision of the signed document
    GET      /api/v1/ca/                              the embedded CA: keys, TSA, issued and revoked certificates

The rules are the services' (`integrity.services.signing`, `signatures.ca`, `signatures.lockout`); their
errors answer `{"message", "extra"}` with their status: a wrong passphrase 403 (counted; the fifth locks
signing for 15 minutes, after which 429), out of order, already signed or a superseded pact 409, a
visible pact you are not a party of 403, a pact outside your scope 404.

**Passphrases** travel only in request bodies (never a URL or header), are never stored, logged, audited
or sent back: the views mark them sensitive for Django's error reports, and the wrong-passphrase answer
only counts the attempts left.

**Certified or not.** A signature made with a key certified by the embedded CA is *tidak tersertifikasi*
(PP 71/2019 Pasal 60): no PSrE vouches for it. Only a certificate registered from elsewhere (PKCS#12) whose
chain ends in a certified provider's root (`PAKTA_CERTIFIED_ROOTS_DIR`) is *tersertifikasi*; every
signature and identity here carries the flag and its label.

The reads and the two identity writes below are shared with the pages (`frontend.views.signing`), so
both refuse the same requests with the same messages.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from io import BytesIO
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from audit.errors import ApplicationError
from integrity.apis.base import PaktaApiView, PdfRenderer
from integrity.apis.serializers import ErrorSerializer
from integrity.models import IntegrityPact, Official, PactParty, PactRevision
from integrity.selectors import UserScope, pacts_visible_to, user_scope
from integrity.services.officials import CertificateSubject, official_certificate_subject
from integrity.services.signing import (
    NO_IDENTITY,
    NoSigningIdentity,
    pact_latest_revision,
    pact_party_to_sign,
    pact_revision_bytes,
    pact_sign,
    pact_verification_url,
)
from signatures import ca, keystore
from signatures.lockout import embedded_key_holder_open, identity_locked_until
from signatures.models import CaKey, Revocation, SigningIdentity
from signatures.signers import PKCS12_NOT_REGISTERED, Pkcs12Error, Pkcs12KeyHolder, load_pkcs12
from signatures.signing import certificate_chains_to
from signatures.stamp import LABEL_CERTIFIED, LABEL_UNCERTIFIED
from signatures.verification_service import certified_roots

NO_OFFICIAL = _(
    "Akun ini tidak terhubung dengan data pegawai, sehingga tidak dapat didaftarkan untuk tanda tangan "
    "elektronik. Hubungi administrator SDM."
)
PASSPHRASES_DIFFER = _("Kedua passphrase tidak sama. Ketik ulang keduanya.")
SHORT_CERTIFIED = _("tersertifikasi")
SHORT_UNCERTIFIED = _("tidak tersertifikasi")
PKCS12_PASSWORD_REQUIRED = _("Masukkan kata sandi berkas PKCS#12.")
NOT_CA_READER = _("Hanya administrator sistem dan auditor yang boleh membuka status CA.")
PASSPHRASE_FIELDS = ("passphrase", "passphrase_confirm", "old_passphrase", "new_passphrase", "new_passphrase_confirm")
SENSITIVE_FIELDS = (*PASSPHRASE_FIELDS, "pkcs12_password")
CA_LIST_LIMIT = 100
"""Newest issued certificates and revocations listed on the CA status (the counts are exact)."""


class NoOfficial(ApplicationError):
    """The account is not linked to an official: there is no name and NIP to certify."""


# --------------------------------------------------------------------------------------------------------
# Reads shared with the pages
# --------------------------------------------------------------------------------------------------------


def certification_label(certified: bool) -> Promise:
    """The words every signature and certificate carries: *tersertifikasi* only through a PSrE."""
    return LABEL_CERTIFIED if certified else LABEL_UNCERTIFIED


def identity_certified(identity: SigningIdentity) -> bool:
    """Whether signatures with this identity are *tersertifikasi* (PP 71/2019 Pasal 60): never for a
    certificate of the embedded CA; for another CA's (a registered PKCS#12), only when it chains to a
    certified provider's root (`PAKTA_CERTIFIED_ROOTS_DIR`), as the signing stamp decides."""
    if identity.issuer_id is not None:
        return False
    roots = certified_roots()
    certificate = asn1_x509.Certificate.load(bytes(identity.certificate))
    return bool(roots) and certificate_chains_to(certificate, roots=roots)


def embedded_identity_of(user: Any) -> SigningIdentity | None:
    """The user's active identity whose key Pakta keeps under a passphrase, or None."""
    return SigningIdentity.objects.filter(
        user=user, backend=SigningIdentity.Backend.EMBEDDED, status=SigningIdentity.Status.ACTIVE
    ).first()


def enrolment_subject(user: Any) -> CertificateSubject | None:
    """What an enrolment certifies for the user: their official record's name, NIP and unit
    (`integrity.services.officials.official_certificate_subject`). None when the account has no official."""
    official = Official.objects.filter(user=user).first() if getattr(user, "is_authenticated", False) else None
    return official_certificate_subject(official) if official is not None else None


@dataclass(frozen=True)
class SignatureRow:
    """A party of a pact in signing order, with its signature revision once it signed in Pakta (a pact
    signed outside Pakta has `signed_at` but no revision)."""

    party: PactParty
    revision: PactRevision | None
    certified: bool
    is_next: bool

    @property
    def name(self) -> str:
        return str(self.party.snapshot.get("name") or self.party.official.full_name)

    @property
    def label(self) -> Promise | str:
        return certification_label(self.certified) if self.revision is not None else ""

    @property
    def short_label(self) -> Promise | str:
        """For narrow places (a table cell): *tersertifikasi* or *tidak tersertifikasi*."""
        if self.revision is None:
            return ""
        return SHORT_CERTIFIED if self.certified else SHORT_UNCERTIFIED


@dataclass(frozen=True)
class PactSigning:
    """Where a pact's signing stands, for one user: the parties in order, the newest stored revision,
    whose turn it is, and the user's own party (None when the user is not a party)."""

    pact: IntegrityPact
    rows: list[SignatureRow]
    latest: PactRevision | None
    next_party: PactParty | None
    user_party: PactParty | None

    @property
    def is_users_turn(self) -> bool:
        return (
            self.pact.status == IntegrityPact.Status.PENDING
            and self.next_party is not None
            and self.user_party is not None
            and self.next_party.pk == self.user_party.pk
        )

    @property
    def signed_count(self) -> int:
        return sum(1 for row in self.rows if row.party.signed_at is not None)


def pact_signing(pact: IntegrityPact, user: Any) -> PactSigning:
    """The signing state of a pact the user may see (three queries)."""
    parties = list(pact.parties.select_related("official").order_by("order"))
    revisions = {
        revision.party_id: revision
        for revision in PactRevision.objects.filter(pact=pact, kind=PactRevision.Kind.SIGNATURE).select_related(
            "signed_by"
        )
    }
    identities: dict[tuple[int | None, str], SigningIdentity] = {
        (identity.user_id, identity.serial): identity
        for identity in SigningIdentity.objects.filter(
            user_id__in={r.signed_by_id for r in revisions.values()},
            serial__in={r.signer_serial for r in revisions.values()},
        )
    }
    pending = pact.status == IntegrityPact.Status.PENDING
    next_party = next((party for party in parties if party.signed_at is None), None) if pending else None
    rows = []
    for party in parties:
        revision = revisions.get(party.pk)
        identity = identities.get((revision.signed_by_id, revision.signer_serial)) if revision is not None else None
        rows.append(
            SignatureRow(
                party=party,
                revision=revision,
                certified=identity is not None and identity_certified(identity),
                is_next=next_party is not None and party.pk == next_party.pk,
            )
        )
    user_id = getattr(user, "pk", None)
    user_party = next((p for p in parties if user_id is not None and p.official.user_id == user_id), None)
    if user_party is not None and next_party is not None:
        # A user holding two parties of one pact signs the first of them that is still open.
        user_party = next((p for p in parties if p.official.user_id == user_id and p.signed_at is None), user_party)
    return PactSigning(
        pact=pact, rows=rows, latest=pact_latest_revision(pact), next_party=next_party, user_party=user_party
    )


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


# --------------------------------------------------------------------------------------------------------
# Writes shared with the pages: they compose the signatures services for one signed-in official
# --------------------------------------------------------------------------------------------------------


@sensitive_variables("passphrase")
def signing_identity_enrol(*, user: Any, passphrase: str) -> SigningIdentity:
    """Enrol the user with a key Pakta keeps under `passphrase` (`signatures.ca.identity_enrol`), the
    certificate naming their official record (`enrolment_subject`). Audit: `signatures.identity.enrolled`.

    :raises NoOfficial: the account has no official.
    :raises signatures.keystore.PassphraseTooShort: shorter than `PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH`.
    :raises signatures.ca.IdentityAlreadyActive: the user already has an active embedded identity.
    :raises signatures.ca.CaNotInitialized: the CA has not been initialised.
    """
    subject = enrolment_subject(user)
    if subject is None:
        raise NoOfficial(NO_OFFICIAL)
    # The account itself, not the request's lazy proxy: `identity_enrol` locks the row through its class.
    account = get_user_model()._default_manager.get(pk=user.pk)
    return ca.identity_enrol(
        user=account,
        passphrase=passphrase,
        name=subject.name,
        nip=subject.nip,
        unit_name=subject.unit_name,
        organisation=subject.organisation,
        email=subject.email,
        actor=account,
    )


@sensitive_variables("old", "new")
def signing_identity_change_passphrase(*, user: Any, old: str, new: str) -> SigningIdentity:
    """Re-encrypt the user's embedded key under a new passphrase. The old passphrase is tried through the
    signing lockout first (`signatures.lockout.embedded_key_holder_open`), so guessing it here counts the
    same as at signing and stops at the lock. Audit: `signatures.identity.passphrase_changed`.

    :raises integrity.services.signing.NoSigningIdentity: no active embedded identity.
    :raises signatures.lockout.SigningLocked: signing (and so this change) is locked.
    :raises signatures.keystore.WrongPassphrase: `old` is wrong (counted).
    :raises signatures.keystore.PassphraseTooShort: `new` breaks the policy.
    :raises signatures.ca.PassphraseUnchanged: `new` equals `old`.
    """
    identity = embedded_identity_of(user)
    if identity is None:
        raise NoSigningIdentity(NO_IDENTITY)
    embedded_key_holder_open(identity=identity, passphrase=old, actor=user)
    return ca.identity_change_passphrase(identity=identity, old=old, new=new, actor=user)


@sensitive_variables("password")
def pkcs12_key_holder(*, user: Any, pkcs12_bytes: bytes, password: str) -> Pkcs12KeyHolder:
    """The key holder for a PKCS#12 file the user uploads for one signature; its certificate must be one
    of the user's active registered PKCS#12 identities. The file is opened in memory and never stored.

    :raises signatures.signers.Pkcs12Error: wrong password, damaged file, or a certificate not registered.
    """
    der = load_pkcs12(pkcs12_bytes, password).cert.public_bytes(serialization.Encoding.DER)
    identity = next(
        (
            identity
            for identity in SigningIdentity.objects.filter(
                user=user, backend=SigningIdentity.Backend.PKCS12, status=SigningIdentity.Status.ACTIVE
            )
            if bytes(identity.certificate) == der
        ),
        None,
    )
    if identity is None:
        raise Pkcs12Error(PKCS12_NOT_REGISTERED)
    return Pkcs12KeyHolder(pkcs12_bytes, password, identity=identity)


# --------------------------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------------------------


def _passphrase_field(**kwargs: Any) -> serializers.CharField:
    # Kept exactly as typed: spaces are part of a passphrase.
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=keystore.PASSPHRASE_MAX_LENGTH,
        style={"input_type": "password"},
        **kwargs,
    )


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
    passphrase_min_length = serializers.IntegerField()


def identity_status_data(user: Any) -> dict[str, Any]:
    identity = embedded_identity_of(user)
    subject = enrolment_subject(user)
    return {
        "enrolled": identity is not None,
        "can_enrol": identity is None and subject is not None,
        "subject": asdict(subject) if subject is not None else None,
        "identity": certificate_data(identity) if identity is not None else None,
        "passphrase_min_length": settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH,
    }


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


# --------------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------------

_sensitive = method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")


@_sensitive
class SigningIdentityApi(PaktaApiView):
    """GET: your signing identity (certificate, validity, lock) and what an enrolment would certify.
    POST: enrol: Pakta generates your key, keeps it encrypted under the passphrase you choose, and the
    embedded CA certifies it with the name, NIP and unit of your official record (*tidak tersertifikasi*).
    The passphrase cannot be recovered: forgetting it means enrolling again after revocation."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        passphrase = _passphrase_field()
        passphrase_confirm = _passphrase_field()

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


@_sensitive
class SigningIdentityPassphraseApi(PaktaApiView):
    """Change the passphrase of your identity: the key and certificate stay the same. A wrong old
    passphrase counts towards the signing lock like one typed when signing."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        old_passphrase = _passphrase_field()
        new_passphrase = _passphrase_field()
        new_passphrase_confirm = _passphrase_field()

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
            429: OpenApiResponse(ErrorSerializer, description="Locked after wrong passphrases."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        signing_identity_change_passphrase(user=request.user, old=data["old_passphrase"], new=data["new_passphrase"])
        return Response(SigningIdentityStatusSerializer(identity_status_data(request.user)).data)


class PactSignPkcs12InputSerializer(serializers.Serializer):
    """Sign with a registered PKCS#12 file, uploaded for this one signature and never stored."""

    pkcs12 = serializers.FileField()
    pkcs12_password = _passphrase_field(allow_blank=True)


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


@_sensitive
class PactSignApi(PaktaApiView):
    """Sign the pact when it is your turn: your signature goes into your prepared field of the newest
    revision (PAdES B-T with a visible stamp); after the last party the pact is sealed and SIGNED.

    Body: `{"passphrase"}` (JSON) for the identity Pakta keeps, or multipart `pkcs12` + `pkcs12_password`
    for a registered PKCS#12 file. `Idempotency-Key`: repeat a request with the same key (after a lost
    answer, a double click) and you get the same revision back instead of an error: one signature."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]

    class InputSerializer(serializers.Serializer):
        passphrase = _passphrase_field(required=False, allow_blank=True)

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
            400: OpenApiResponse(ErrorSerializer, description="No passphrase, bad PKCS#12 or Idempotency-Key."),
            403: OpenApiResponse(ErrorSerializer, description="Wrong passphrase (counted), or not a party."),
            404: OpenApiResponse(ErrorSerializer, description="Not in your scope."),
            409: OpenApiResponse(ErrorSerializer, description="Not your turn, already signed, not pending."),
            429: OpenApiResponse(ErrorSerializer, description="Signing locked after wrong passphrases."),
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
            passphrase = serializer.validated_data.get("passphrase") or None
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
