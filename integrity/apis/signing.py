"""Signing reads and writes shared by the API and the pages (signatures issue §5 "Web UI and API", §2 "the
signing plan of a pact"). The endpoints live in `integrity.apis.signing_identity` (enrolment, passphrase),
`integrity.apis.pact_signatures` (sign, signatures, revisions) and `integrity.apis.ca_status` (the CA).

The rules are the services' (`integrity.services.signing`, `signatures.ca`, `signatures.lockout`); their
errors answer `{"message", "extra"}` with their status: a wrong passphrase 403 (counted; the fifth locks
signing for 15 minutes, after which 429), out of order, already signed or a superseded pact 409, a
visible pact you are not a party of 403, a pact outside your scope 404.

**Passphrases** travel only in request bodies (never a URL or header), are never stored, logged, audited
or sent back: the views mark them sensitive for Django's error reports (`sensitive_passphrases`), and the
wrong-passphrase answer only counts the attempts left.

**Certified or not.** A signature made with a key certified by the embedded CA is *tidak tersertifikasi*
(PP 71/2019 Pasal 60): no PSrE vouches for it. Only a certificate registered from elsewhere (PKCS#12) whose
chain ends in a certified provider's root (`PAKTA_CERTIFIED_ROOTS_DIR`) is *tersertifikasi*; every
signature and identity here carries the flag and its label.

The reads and the two identity writes below are shared with the pages (`frontend.views.signing`), so
both refuse the same requests with the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.contrib.auth import get_user_model
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from rest_framework import serializers

from audit.errors import ApplicationError
from integrity.models import IntegrityPact, Official, PactParty, PactRevision
from integrity.services.officials import CertificateSubject, official_certificate_subject
from integrity.services.signing import NO_IDENTITY, NoSigningIdentity, pact_latest_revision
from signatures import ca, keystore
from signatures.lockout import embedded_key_holder_open
from signatures.models import SigningIdentity
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
PASSPHRASE_FIELDS = ("passphrase", "passphrase_confirm", "old_passphrase", "new_passphrase", "new_passphrase_confirm")
SENSITIVE_FIELDS = (*PASSPHRASE_FIELDS, "pkcs12_password")


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
# Shared by the signing views (`signing_identity`, `pact_signatures`)
# --------------------------------------------------------------------------------------------------------


def passphrase_field(**kwargs: Any) -> serializers.CharField:
    # Kept exactly as typed: spaces are part of a passphrase.
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=keystore.PASSPHRASE_MAX_LENGTH,
        style={"input_type": "password"},
        **kwargs,
    )


sensitive_passphrases = method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")
"""Marks every passphrase and PKCS#12 password field sensitive in Django's error reports (class decorator)."""
