"""`GET /api/v1/verify/<verification_id>/`: the stored document behind a pact's QR code, verified now
(signatures issue §3).

Every signature stamp on a pact carries a QR code to `PAKTA_BASE_URL/v/<verification id>`
(`integrity.selectors.signing.pact_verification_url`); the id is the start of the SHA-256 of the pact's
certified first revision, so it cannot be guessed. Whoever holds it (anyone who has the paper or the PDF)
may check the pact: the newest stored revision of the document is read back, checked against the
SHA-256 recorded when it was stored, and verified by `signatures.verification_service.verify_document`,
exactly as an upload of the same bytes would be. Unknown ids answer 404.

The lookup (`pact_for_verification`, `verify_stored_revision`) is shared with the public page
`/v/<verification_id>/` (`frontend.views.verify`).
"""

import logging

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from audit.errors import ConflictError, NotFoundError
from integrity.apis.base import PaktaApiView
from integrity.apis.serializers import ErrorSerializer
from integrity.models import IntegrityPact, PactRevision
from integrity.selectors.signing import pact_latest_revision, pact_revision_bytes, pact_verification_url
from integrity.services.signing import DocumentNotOurs
from signatures.apis import THROTTLE_SCOPE, VerificationReportSerializer, report_data
from signatures.verification_service import verify_document
from signatures.verify import VerificationReport

logger = logging.getLogger(__name__)

VERIFICATION_ID_MAX_LENGTH = 64
DOCUMENT_UNKNOWN = _("Tidak ada dokumen dengan ID verifikasi ini. Periksa kembali tautan atau kode QR-nya.")
STORED_DOCUMENT_DAMAGED = _(
    "Berkas dokumen %(number)s yang tersimpan tidak dapat dibaca atau tidak cocok dengan catatannya, sehingga "
    "tidak dapat diperiksa. Hubungi pengelola Pakta."
)


class StoredDocumentDamaged(ConflictError):
    """The stored revision's file is missing or no longer matches its SHA-256: nothing to verify."""


def pact_for_verification(verification_id: str) -> tuple[IntegrityPact, PactRevision]:
    """The pact a verification id belongs to and its newest stored revision.

    :raises NotFoundError: no pact has this id, or it has no stored revision yet.
    """
    pact = None
    if 0 < len(verification_id) <= VERIFICATION_ID_MAX_LENGTH:
        pact = IntegrityPact.objects.filter(verification_id=verification_id).first()
    revision = pact_latest_revision(pact) if pact is not None else None
    if pact is None or revision is None:
        raise NotFoundError(DOCUMENT_UNKNOWN)
    return pact, revision


def stored_revision_bytes(pact: IntegrityPact, revision: PactRevision) -> bytes:
    """The stored revision's bytes, checked against the SHA-256 recorded when it was stored.

    :raises StoredDocumentDamaged: the file is missing or changed on disk (logged as an error: stored
        revisions are never rewritten, so this is an incident).
    """
    try:
        return pact_revision_bytes(revision)
    except DocumentNotOurs as exc:
        logger.error("Stored revision %s of pact %s cannot be read back: %s", revision.sequence, pact.number, exc)
        raise StoredDocumentDamaged(
            STORED_DOCUMENT_DAMAGED % {"number": pact.number}, {"revision": revision.sequence}
        ) from exc


def verify_stored_revision(pact: IntegrityPact, revision: PactRevision) -> VerificationReport:
    """The stored revision verified now, exactly as an upload of the same bytes would be.

    :raises StoredDocumentDamaged: see `stored_revision_bytes`.
    """
    return verify_document(stored_revision_bytes(pact, revision))


class VerifiedDocumentSerializer(serializers.Serializer):
    """Which stored document was verified."""

    verification_id = serializers.CharField()
    number = serializers.CharField(help_text="The pact's number.")
    kind = serializers.CharField(help_text="One of " + ", ".join(f"`{v}`" for v in IntegrityPact.Kind.values) + ".")
    status = serializers.CharField(help_text="One of " + ", ".join(f"`{v}`" for v in IntegrityPact.Status.values) + ".")
    revision = serializers.IntegerField(help_text="Sequence number of the stored revision verified (the newest).")
    revision_kind = serializers.CharField(
        help_text="One of " + ", ".join(f"`{v}`" for v in PactRevision.Kind.values) + "."
    )
    stored_at = serializers.DateTimeField()
    page_url = serializers.CharField(help_text="The public verification page (the QR code's link).")


class VerifyDocumentApi(PaktaApiView):
    """Verify the stored document of a pact by the verification id in its QR code. Anyone may (no sign-in
    needed); the answer is the same report as for an upload of that document, plus which one it is."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]  # every call runs a verification; shares POST /verify/'s budget
    throttle_scope = THROTTLE_SCOPE

    class OutputSerializer(VerificationReportSerializer):
        """The report of the stored document's verification, and which document it is."""

        document = VerifiedDocumentSerializer()

    @extend_schema(
        operation_id="verify_document",
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No pact has this verification id."),
            409: OpenApiResponse(ErrorSerializer, description="The stored file is missing or damaged."),
            429: OpenApiResponse(ErrorSerializer, description="Too many verifications; retry later."),
        },
    )
    def get(self, request: Request, verification_id: str) -> Response:
        pact, revision = pact_for_verification(verification_id)
        report = verify_stored_revision(pact, revision)
        document = {
            "verification_id": pact.verification_id,
            "number": pact.number,
            "kind": pact.kind,
            "status": pact.status,
            "revision": revision.sequence,
            "revision_kind": revision.kind,
            "stored_at": revision.signed_at,
            "page_url": pact_verification_url(pact),
        }
        return Response({**report_data(report), "document": VerifiedDocumentSerializer(document).data})
