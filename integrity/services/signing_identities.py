"""An official's signing identities and the key holders they sign with (signatures issue §5 "Web UI and
API"): the writes the API and the pages share, composing the `signatures` services for one signed-in
official, so both refuse the same requests with the same messages.

    signing_identity_enrol              a key Pakta keeps under a passphrase, certified by the embedded CA
                                        with the official's name, NIP and unit (`signatures.ca.identity_enrol`)
    signing_identity_change_passphrase  the embedded key re-encrypted under a new passphrase; the old one is
                                        tried through the signing lockout first
    signing_identity_register_pkcs12    the certificate of a PKCS#12 file (from a PSrE) registered; the file
                                        is uploaded again at every signature
    pkcs12_key_holder                   the key holder for a registered PKCS#12 file, for one signature
    pkcs11_key_holder                   the key holder for one of the user's token identities, opened with
                                        the PIN typed for this signature
    pact_sign_with_token                `pact_sign` with a token identity, the token touched only on the
                                        user's turn

Rules kept here:

- **Key holders are chosen per signer** (`SigningIdentity.backend`): the passphrase opens the key Pakta
  keeps (embedded), the PIN opens a key inside a PKCS#11 token or HSM (pkcs11, `PAKTA_PKCS11_LIB`), and a
  PKCS#12 file uploaded for one signature carries its own key (pkcs12: only its certificate was
  registered, and the file must carry one of the user's active registered certificates).
- **Only officials.** An account not linked to an official has no name and NIP to certify and would
  never sign a pact: it is neither enrolled nor registered (`NoOfficial`), and nothing is written.
- **Secrets.** Passphrases, token PINs and PKCS#12 passwords are arguments only: never stored, logged,
  audited or returned (`sensitive_variables` hides them from Django's error reports). A PKCS#12 file is
  opened in memory and never stored. A wrong old passphrase counts towards the signing lock like one
  typed when signing; a wrong PIN is the token's to count (it locks itself), Pakta only passes its
  refusal on.
- **Only certificates that can be sealed.** A PKCS#12 certificate is registered only if it has a valid
  path now to our CA's roots or a PSrE root in `PAKTA_CERTIFIED_ROOTS_DIR` (the file's other certificates
  as intermediates): otherwise the long-term seal would be refused after the last party signed, and the
  pact would stay pending with a signature that cannot be undone (`signatures.signers.pkcs12_trust_check`).
- **One registration per certificate.** The account row is locked (`SELECT ... FOR UPDATE`) while a
  PKCS#12 certificate is compared with the user's active ones and registered: two uploads of the same
  file at once register it once (`Pkcs12AlreadyRegistered`).
- **The token is opened only on the user's turn**, so a PIN typed for a pact that is not theirs to sign
  now never counts against the token's own lockout.

Audit events are written by the `signatures` services these call (`signatures.identity.enrolled`,
`.passphrase_changed`, `.registered`) and by `integrity.services.signing.pact_sign`.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit.errors import ApplicationError, ConflictError
from integrity.models import IntegrityPact, PactRevision
from integrity.selectors.signing import (
    embedded_identity_of,
    enrolment_subject,
    pact_signing,
    pkcs12_identities_of,
    token_identities_of,
)
from integrity.services.officials import official_identity_enrol
from integrity.services.signing import NO_IDENTITY, NoSigningIdentity, pact_sign
from signatures import ca
from signatures.lockout import embedded_key_holder_open
from signatures.models import SigningIdentity
from signatures.signers import (
    PKCS12_NOT_REGISTERED,
    KeyHolder,
    Pkcs12Error,
    Pkcs12KeyHolder,
    key_holder_for,
    load_pkcs12,
    pkcs12_trust_check,
)

NO_OFFICIAL = _(
    "Akun ini tidak terhubung dengan data pegawai, sehingga tidak dapat didaftarkan untuk tanda tangan "
    "elektronik. Hubungi administrator SDM."
)
PKCS12_PASSWORD_REQUIRED = _("Masukkan kata sandi berkas PKCS#12.")
PKCS12_ALREADY_REGISTERED = _("Sertifikat berkas ini sudah terdaftar untuk akun Anda (nomor seri %(serial)s).")
PIN_REQUIRED = _("Masukkan PIN token untuk menandatangani.")
NO_TOKEN_IDENTITY = _("Anda belum memiliki identitas token (PKCS#11) aktif.")
TOKEN_IDENTITY_AMBIGUOUS = _("Anda memiliki beberapa identitas token: pilih nomor seri identitas yang dipakai.")
TOKEN_IDENTITY_UNKNOWN = _("Identitas token dengan nomor seri %(serial)s bukan identitas aktif Anda.")


class NoOfficial(ApplicationError):
    """The account is not linked to an official: there is no name and NIP to certify."""


class Pkcs12AlreadyRegistered(ConflictError):
    """The PKCS#12 file's certificate is already an active identity of the account."""


class PinRequired(ApplicationError):
    """Signing with a token identity needs its PIN."""


class NoTokenIdentity(ConflictError):
    """The account has no active PKCS#11 identity to sign with."""


class TokenIdentityAmbiguous(ApplicationError):
    """The account has several active PKCS#11 identities and the request named none."""


class TokenIdentityUnknown(ApplicationError):
    """The serial number named is not one of the account's active PKCS#11 identities."""


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
    return official_identity_enrol(user=account, passphrase=passphrase, subject=subject, actor=account)


@sensitive_variables("old", "new")
def signing_identity_change_passphrase(*, user: Any, old: str, new: str) -> SigningIdentity:
    """Re-encrypt the user's embedded key under a new passphrase. The old passphrase is tried through the
    signing lockout first (`signatures.lockout.embedded_key_holder_open`), so guessing it here counts the
    same as at signing and stops at the lock. Audit: `signatures.identity.passphrase_changed`.

    :raises integrity.services.signing.NoSigningIdentity: no active embedded identity.
    :raises signatures.lockout.SigningLocked: signing (and so this change) is locked.
    :raises signatures.lockout.SigningBusy: every attempt left is being checked by parallel requests.
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
def signing_identity_register_pkcs12(*, user: Any, pkcs12_bytes: bytes, password: str) -> SigningIdentity:
    """Register the certificate of a PKCS#12 file for the user (`signatures.ca.identity_register_pkcs12`):
    the file is opened in memory to check it can sign, and only its certificate is kept; the official
    uploads the file again at every signature. Audit: `signatures.identity.registered`.

    :raises NoOfficial: the account has no official (it would never sign a pact).
    :raises signatures.signers.Pkcs12Error: no password, wrong password or damaged file, no key or
        certificate, a key that does not match; nothing is written.
    :raises signatures.signers.KeyHolderError: a CA or expired certificate, one not for signing, or an
        unsupported key.
    :raises signatures.signers.Pkcs12Untrusted: the certificate does not chain to our CA or a configured PSrE root.
    :raises Pkcs12AlreadyRegistered: the certificate is already one of the user's active identities.
    """
    if enrolment_subject(user) is None:
        raise NoOfficial(NO_OFFICIAL)
    if not password:
        raise Pkcs12Error(PKCS12_PASSWORD_REQUIRED)
    contents = load_pkcs12(pkcs12_bytes, password)
    pkcs12_trust_check(contents)
    cert = contents.cert
    der = cert.public_bytes(serialization.Encoding.DER)
    account = get_user_model()._default_manager.get(pk=user.pk)
    with transaction.atomic():
        # The account row is the lock: two uploads of the same file at once register it once.
        get_user_model()._default_manager.select_for_update().filter(pk=account.pk).first()
        for identity in pkcs12_identities_of(account):
            if bytes(identity.certificate) == der:
                raise Pkcs12AlreadyRegistered(PKCS12_ALREADY_REGISTERED % {"serial": identity.serial})
        return ca.identity_register_pkcs12(user=account, pkcs12_bytes=pkcs12_bytes, password=password, actor=account)


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


@sensitive_variables("pin")
def pkcs11_key_holder(*, user: Any, pin: str, serial: str | None = None) -> KeyHolder:
    """The key holder for one of the user's active token identities, opened with the PIN typed for this
    signature (`signatures.signers.key_holder_for`, library `PAKTA_PKCS11_LIB`). `serial` names the
    identity; it may be left out when the user has exactly one.

    :raises NoTokenIdentity: the user has no active token identity.
    :raises TokenIdentityAmbiguous: several, and `serial` is empty.
    :raises TokenIdentityUnknown: `serial` is not one of them.
    :raises PinRequired: the PIN is empty.
    :raises signatures.signers.WrongPin: the token refused the PIN (the token counts it, not Pakta).
    :raises signatures.signers.Pkcs11Error: library, token or key not found, PIN locked, token error.
    :raises signatures.signers.KeyHolderError: the certificate expired.
    """
    identities = token_identities_of(user)
    wanted = (serial or "").strip().lower()
    if wanted:
        identity = next((identity for identity in identities if identity.serial == wanted), None)
        if identity is None:
            raise TokenIdentityUnknown(TOKEN_IDENTITY_UNKNOWN % {"serial": wanted})
    elif not identities:
        raise NoTokenIdentity(NO_TOKEN_IDENTITY)
    elif len(identities) > 1:
        raise TokenIdentityAmbiguous(TOKEN_IDENTITY_AMBIGUOUS)
    else:
        identity = identities[0]
    if not pin:
        raise PinRequired(PIN_REQUIRED)
    return key_holder_for(identity, secret=pin)


@sensitive_variables("pin")
def pact_sign_with_token(
    *, pact: IntegrityPact, user: Any, pin: str, serial: str | None = None, idempotency_key: str | None = None
) -> PactRevision:
    """Sign the pact with a token identity (`pkcs11_key_holder`, then `pact_sign`).

    The token is touched only on the user's turn: a PIN typed for a pact that is not theirs to sign now
    would count against the token's own lockout for nothing. Otherwise `pact_sign` is asked without a key
    and answers with its refusal (not a party, not your turn, already signed, not pending) or, for a
    repeated `idempotency_key`, with the revision the first request made; without a key it cannot sign.

    :raises: as `pkcs11_key_holder` and `integrity.services.signing.pact_sign`.
    """
    if not pact_signing(pact, user).is_users_turn:
        return pact_sign(pact=pact, user=user, idempotency_key=idempotency_key)
    holder = pkcs11_key_holder(user=user, pin=pin, serial=serial)
    return pact_sign(pact=pact, user=user, key_holder=holder, idempotency_key=idempotency_key)
