"""A party signs a pact: the party whose turn it is signs its prepared field (PAdES B-T, visible stamp);
after the last party, the pact is sealed (`pact_seal`)."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from integrity.models import IntegrityPact, PactParty, PactRevision
from integrity.selectors.signing import pact_verification_url
from integrity.services.pact_documents import ROLE_LABELS
from integrity.services.signing.errors import (
    ALREADY_SIGNED,
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_REUSED,
    KEY_HOLDER_NOT_YOURS,
    NO_IDENTITY,
    NOT_A_PARTY,
    NOT_ISSUED,
    NOT_YOUR_TURN,
    PASSPHRASE_REQUIRED,
    AlreadySigned,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    KeyHolderNotYours,
    NoSigningIdentity,
    NotAParty,
    NotYourTurn,
    PactNotSignable,
    PassphraseRequired,
    check_signable,
)
from integrity.services.signing.files import (
    certificate_serial,
    certificate_subject_name,
    revision_chain_bytes,
    store_file,
)
from integrity.services.signing.issue import pact_issue_for_signing
from integrity.services.signing.seal import pact_seal
from signatures.lockout import embedded_key_holder_open, identity_check_not_locked
from signatures.models import SigningIdentity
from signatures.signers import KeyHolder
from signatures.signing import certificate_chains_to, pakta_timestamper, sign_pdf_field
from signatures.stamp import SignatureStamp

logger = logging.getLogger(__name__)

SIGN_REASON = _("%(role)s Pakta Integritas %(number)s")

_IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,200}")


def pact_sign(
    *,
    pact: IntegrityPact,
    user: Any,
    passphrase: str | None = None,
    key_holder: KeyHolder | None = None,
    idempotency_key: str | None = None,
) -> PactRevision:
    """The party whose turn it is signs the pact: an approval signature in its prepared field (PAdES B-T,
    timestamp from `PAKTA_TSA_URL` or the embedded TSA), with a visible stamp (name, NIP, position, time in
    WIB, "Ditandatangani secara elektronik", certified or not, QR code to the verification page). The pact
    is issued for signing first if it was not (`pact_issue_for_signing`). After the last party, the pact
    is sealed (`pact_seal`) and becomes SIGNED. Audit: `integrity.pact.signed_by_party`.

    The key is the user's embedded identity opened with `passphrase` (wrong passphrases are counted and
    lock signing after `PAKTA_SIGNING_MAX_FAILURES`), or `key_holder` (PKCS#12, PKCS#11) built by the
    caller for one of the user's identities. With `idempotency_key`, a request repeated after the first
    one's revision committed returns that revision unchanged.

    :returns: the party's signature revision.
    :raises IdempotencyKeyInvalid: the key is empty, longer than 200 characters or not visible ASCII.
    :raises IdempotencyKeyReused: the key was used on this pact by another account.
    :raises PactNotSignable: the pact is not PENDING.
    :raises NotAParty: the user is not one of the pact's parties.
    :raises NotYourTurn: an earlier party has not signed yet.
    :raises AlreadySigned: the user's party has signed already.
    :raises NoSigningIdentity: no passphrase identity (and no `key_holder`).
    :raises PassphraseRequired: no passphrase (and no `key_holder`).
    :raises KeyHolderNotYours: `key_holder` is not one of the user's identities.
    :raises signatures.lockout.SigningLocked: signing is locked after wrong passphrases.
    :raises signatures.lockout.SigningBusy: every attempt left is being checked by parallel requests.
    :raises signatures.keystore.WrongPassphrase: the passphrase is wrong (counted).
    :raises signatures.signers.KeyHolderError: the identity is revoked or its certificate expired.
    :raises DocumentNotOurs: the document or a revision is not Pakta's own, unchanged.
    """
    key = _checked_idempotency_key(idempotency_key)
    if key is not None:
        replay = _replay(pact, key, user)
        if replay is not None:
            return replay
    current = IntegrityPact.objects.get(pk=pact.pk)
    _party_for(current, user)
    holder = _key_holder(user, passphrase, key_holder)
    if not current.verification_id:  # set with revision 1, in its transaction: not issued yet
        pact_issue_for_signing(pact=current, actor=user)
    with transaction.atomic():
        locked = (
            IntegrityPact.objects.select_related("unit__parent").select_for_update(of=("self",)).get(pk=pact.pk)
        )  # the unit and its office for the stamp and reason, in the same query
        if key is not None:
            replay = _replay(locked, key, user, seal=False)
            if replay is not None:
                return replay
        party, parties = _turn(locked, user)
        latest = PactRevision.objects.filter(pact=locked).order_by("-sequence").first()
        if latest is None:  # pragma: no cover - issued above, and revisions are never deleted
            raise PactNotSignable(NOT_ISSUED % {"number": locked.number})
        data = revision_chain_bytes(locked, latest)
        office = locked.unit.office()
        stamp = _stamp(locked, party, holder)
        now = timezone.now()
        signed = sign_pdf_field(
            data,
            key_holder=holder,
            field_name=party.field_name,
            timestamper=pakta_timestamper(),
            stamp=stamp,
            reason=str(SIGN_REASON % {"role": ROLE_LABELS.get(party.role, party.role), "number": locked.number}),
            location=office.city or office.name,
            signing_time=now,
        )
        digest, name = store_file(signed)
        revision = PactRevision.objects.create(
            pact=locked,
            sequence=latest.sequence + 1,
            kind=PactRevision.Kind.SIGNATURE,
            party=party,
            sha256=digest,
            file=name,
            size=len(signed),
            signed_at=now,
            signer_name=certificate_subject_name(holder.certificate),
            signer_serial=certificate_serial(holder.certificate),
            signed_by=user,
            idempotency_key=key or "",
        )
        party.signed_at = now
        party.save(update_fields=["signed_at"])
        audit_record(
            action="integrity.pact.signed_by_party",
            actor=user,
            subject=locked,
            payload={
                "number": locked.number,
                "sequence": revision.sequence,
                "sha256": digest,
                "party_order": party.order,
                "role": party.role,
                "field": party.field_name,
                "backend": getattr(holder, "backend", ""),
                "certificate_serial": revision.signer_serial,
                "certified": stamp.certified,
                "idempotency": key is not None,
            },
        )
        complete = all(other.signed_at is not None for other in parties if other.pk != party.pk)
    if complete:
        _seal_after_last_signature(locked, actor=user)
    return revision


def _seal_after_last_signature(pact: IntegrityPact, *, actor: Any) -> None:
    """`pact_seal` once the last party's signature has committed. Both callers look it up as this
    module's global, so patching it here switches the automatic seal off (bench/bench_signing/ does, to
    time the seal on its own)."""
    try:
        pact_seal(pact=pact, actor=actor)
    except Exception:
        # The signature is committed; the seal is the system's step and is retried (pacts_seal_pending).
        logger.exception("Sealing pact %s after its last signature failed; it stays PENDING", pact.number)


def _key_holder(user: Any, passphrase: str | None, key_holder: KeyHolder | None) -> KeyHolder:
    if key_holder is not None:
        identity = getattr(key_holder, "identity", None)
        if not isinstance(identity, SigningIdentity) or identity.user_id != user.pk:
            raise KeyHolderNotYours(KEY_HOLDER_NOT_YOURS)
        identity_check_not_locked(identity)
        return key_holder
    identity = SigningIdentity.objects.filter(
        user=user, backend=SigningIdentity.Backend.EMBEDDED, status=SigningIdentity.Status.ACTIVE
    ).first()
    if identity is None:
        raise NoSigningIdentity(NO_IDENTITY)
    if not passphrase:
        identity_check_not_locked(identity)
        raise PassphraseRequired(PASSPHRASE_REQUIRED)
    return embedded_key_holder_open(identity=identity, passphrase=passphrase, actor=user)


def _party_for(pact: IntegrityPact, user: Any) -> PactParty:
    """The user's party if it is their turn; otherwise the reason why not."""
    return _turn(pact, user)[0]


def _turn(pact: IntegrityPact, user: Any) -> tuple[PactParty, list[PactParty]]:
    """The user's party if it is their turn, with all the pact's parties in order; otherwise the reason why
    not."""
    check_signable(pact)
    parties = list(pact.parties.select_related("official").order_by("order"))
    mine = [party for party in parties if party.official.user_id is not None and party.official.user_id == user.pk]
    if not mine:
        raise NotAParty(NOT_A_PARTY % {"number": pact.number})
    waiting = next((party for party in parties if party.signed_at is None), None)
    if waiting is not None and waiting in mine:
        return waiting, parties
    if all(party.signed_at is not None for party in mine):
        raise AlreadySigned(ALREADY_SIGNED % {"number": pact.number})
    assert waiting is not None
    who = f"{waiting.snapshot.get('name', waiting.official.full_name)} ({ROLE_LABELS.get(waiting.role, waiting.role)})"
    raise NotYourTurn(NOT_YOUR_TURN % {"number": pact.number, "waiting": who})


def _checked_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise IdempotencyKeyInvalid(IDEMPOTENCY_KEY_INVALID)
    return key


def _replay(pact: IntegrityPact, key: str, user: Any, *, seal: bool = True) -> PactRevision | None:
    """The revision an earlier request with the same key made, if any (and the pact's seal, if that
    request's seal did not happen)."""
    revision = PactRevision.objects.filter(pact=pact, idempotency_key=key).first()
    if revision is None:
        return None
    if revision.signed_by_id != user.pk:
        raise IdempotencyKeyReused(IDEMPOTENCY_KEY_REUSED % {"number": pact.number})
    if seal:
        fresh = IntegrityPact.objects.get(pk=pact.pk)
        if fresh.status == IntegrityPact.Status.PENDING and not fresh.parties.filter(signed_at__isnull=True).exists():
            _seal_after_last_signature(fresh, actor=user)
    return revision


def _stamp(pact: IntegrityPact, party: PactParty, holder: KeyHolder) -> SignatureStamp:
    snapshot = party.snapshot
    return SignatureStamp(
        name=str(snapshot.get("name") or party.official.full_name),
        nip=str(snapshot.get("nip_display") or snapshot.get("nip") or party.official.nip_display),
        position=str(snapshot.get("position", "")),
        verification_url=pact_verification_url(pact),
        certified=_is_certified(holder),
    )


def _is_certified(holder: KeyHolder) -> bool:
    """*Tersertifikasi* (PP 71/2019 Pasal 60) only when the signer's certificate really chains to the root of
    a certified provider (`PAKTA_CERTIFIED_ROOTS_DIR`, e.g. BSrE); the embedded CA's never do."""
    from signatures.verification_service import certified_roots

    roots = certified_roots()
    if not roots:
        return False
    registry = holder.signer_for().cert_registry
    return certificate_chains_to(holder.certificate, roots=roots, intermediates=list(registry or ()))
