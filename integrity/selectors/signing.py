"""Signing reads shared by the API and the pages (signatures issue §5 "Web UI and API", §2 "the signing plan
of a pact"): the user's active signing identities, what an enrolment would certify, whether a signature
is certified, where a pact's signing stands, and the reads of its revisions: the newest one, its bytes
(checked), whose turn it is, and the verification URL its QR codes carry.

**Certified or not.** A signature made with a key certified by the embedded CA is *tidak tersertifikasi*
(PP 71/2019 Pasal 60): no PSrE vouches for it. Only a certificate registered from elsewhere (PKCS#12) whose
chain ends in a certified provider's root (`PAKTA_CERTIFIED_ROOTS_DIR`) is *tersertifikasi*; every
signature and identity here carries the flag and its label.

The pact passed to `pact_signing` must already be one the user may see (`pacts_visible_to`); these reads
do not scope it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from integrity.models import IntegrityPact, Official, PactParty, PactRevision
from integrity.services.officials import CertificateSubject, official_certificate_subject
from signatures.models import SigningIdentity
from signatures.signing import certificate_chains_to
from signatures.stamp import LABEL_CERTIFIED, LABEL_UNCERTIFIED
from signatures.verification_service import certified_roots

SHORT_CERTIFIED = _("tersertifikasi")
SHORT_UNCERTIFIED = _("tidak tersertifikasi")


def pact_verification_url(pact: IntegrityPact) -> str:
    """The page a pact's QR codes link to: `PAKTA_BASE_URL/v/<verification id>` (the id is set when the
    pact is issued for signing; empty before)."""
    return f"{settings.PAKTA_BASE_URL.rstrip('/')}/v/{pact.verification_id or ''}"


def pact_latest_revision(pact: IntegrityPact) -> PactRevision | None:
    """The newest stored revision of the pact's document, or None before it was issued for signing."""
    return PactRevision.objects.filter(pact=pact).order_by("-sequence").first()


def pact_revision_bytes(revision: PactRevision) -> bytes:
    """The bytes of a stored revision, checked against its SHA-256.

    :raises integrity.services.signing.DocumentNotOurs: the file is missing or its content changed.
    """
    # Imported here: the signing services read this module (the stamp's verification URL), and this is the
    # one read that needs their file check.
    from integrity.services.signing.files import verified_file

    return verified_file(revision.file.name, revision.sha256, revision.pact, revision.sequence)


def pact_party_to_sign(pact: IntegrityPact) -> PactParty | None:
    """The party whose turn it is: the lowest `order` without a signature (None when all signed)."""
    return pact.parties.filter(signed_at__isnull=True).select_related("official").order_by("order").first()


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


def token_identities_of(user: Any) -> list[SigningIdentity]:
    """The user's active identities whose key is inside a PKCS#11 token or HSM, oldest first."""
    return list(
        SigningIdentity.objects.filter(
            user=user, backend=SigningIdentity.Backend.PKCS11, status=SigningIdentity.Status.ACTIVE
        ).order_by("created_at", "pk")
    )


def pkcs12_identities_of(user: Any) -> list[SigningIdentity]:
    """The user's active registered PKCS#12 certificates, oldest first."""
    return list(
        SigningIdentity.objects.filter(
            user=user, backend=SigningIdentity.Backend.PKCS12, status=SigningIdentity.Status.ACTIVE
        ).order_by("created_at", "pk")
    )


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
