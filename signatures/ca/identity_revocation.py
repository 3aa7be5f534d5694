"""Revoking officials' signing identities: one (an administrator's decision, a compromised key) or all of
a user's (they left the organisation or were disabled). Our CRL and OCSP then report the certificate
revoked (`signatures.ca.revocation_lists`, `signatures.ca.ocsp`) and the user's sessions end."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from signatures.ca.errors import IDENTITY_NOT_ACTIVE, REASON_INVALID, IdentityNotActive, InvalidRevocationReason
from signatures.models import Revocation, RevocationReason, SigningIdentity


def _end_sessions(user: Any) -> int:
    """Delete the user's database sessions (the default session engine): they are logged out at once."""
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def identity_revoke(*, identity: SigningIdentity, reason: str, actor: Any) -> SigningIdentity:
    """Revoke a signing identity: it can no longer sign, our CRL lists its certificate and OCSP answers
    `revoked` (certificates of other CAs are only marked here), and the user's sessions end at once.

    :raises InvalidRevocationReason: `reason` is not a `RevocationReason`.
    :raises IdentityNotActive: the identity was already revoked; nothing is written.
    """
    if reason not in RevocationReason.values:
        raise InvalidRevocationReason(REASON_INVALID % {"reason": repr(reason)})
    with transaction.atomic():
        locked = SigningIdentity.objects.select_for_update().get(pk=identity.pk)
        if SigningIdentity.Status.REVOKED not in SigningIdentity.ALLOWED_TRANSITIONS[locked.status]:
            raise IdentityNotActive(IDENTITY_NOT_ACTIVE)
        now = timezone.now()
        locked.status = SigningIdentity.Status.REVOKED
        locked.revoked_at = now
        locked.revocation_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revocation_reason"])
        if locked.issuer_id is not None:
            Revocation.objects.create(
                issuer_id=locked.issuer_id, serial=locked.serial, revoked_at=now, reason=reason, identity=locked
            )
        ended = _end_sessions(locked.user)
        audit_record(
            action="signatures.identity.revoked",
            actor=actor,
            subject=locked,
            payload={"serial": locked.serial, "reason": reason, "user_id": locked.user_id, "sessions_ended": ended},
        )
    identity.status, identity.revoked_at, identity.revocation_reason = locked.status, now, reason
    return locked


def identities_revoke_for_user(*, user: Any, reason: str, actor: Any) -> int:
    """Revoke every active signing identity of a user who left the organisation or was disabled, and end
    their sessions even when they had none (signatures issue §1).

    :returns: the number of identities revoked.
    :raises InvalidRevocationReason: `reason` is not a `RevocationReason`.
    """
    if reason not in RevocationReason.values:
        raise InvalidRevocationReason(REASON_INVALID % {"reason": repr(reason)})
    with transaction.atomic():
        identities = list(SigningIdentity.objects.select_for_update().filter(user=user, status="active"))
        for identity in identities:
            identity_revoke(identity=identity, reason=reason, actor=actor)
        if not identities:
            _end_sessions(user)
    return len(identities)
