"""Wrong signing passphrases: counted per embedded identity, and signing locked after too many
(signatures issue §2).

After `settings.PAKTA_SIGNING_MAX_FAILURES` (5) wrong passphrases in a row, the identity cannot sign for
`settings.PAKTA_SIGNING_LOCK_MINUTES` (15); the lock is audited (`signatures.identity.locked`). A right
passphrase resets the count; so does the end of a lock, which gives a fresh series of attempts.

The count is strict under concurrency: the identity's counter row stays locked (`SELECT ... FOR UPDATE`)
while the passphrase is tried, so parallel requests try one at a time and no more than the maximum number
of guesses is ever made before the lock (the key derivation takes tens of milliseconds; other identities
are not held up). A locked identity is refused before its key is touched, so a locked state reveals
nothing about the passphrase.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from audit.services import audit_record
from signatures import keystore
from signatures.models import SigningIdentity, SigningLockout
from signatures.signers import EmbeddedKeyHolder

SIGNING_LOCKED = _(
    "Penandatanganan dikunci sampai %(until)s karena passphrase salah %(count)s kali berturut-turut. "
    "Coba lagi setelah itu."
)
WRONG_PASSPHRASE_REMAINING = _("Passphrase salah. Sisa percobaan sebelum penandatanganan dikunci: %(remaining)s.")


class SigningLocked(ApplicationError):
    """The identity's signing is locked after too many wrong passphrases; nothing was tried."""

    status_code = 429


def max_failures() -> int:
    """Wrong passphrases in a row that lock signing (`settings.PAKTA_SIGNING_MAX_FAILURES`, default 5)."""
    return int(getattr(settings, "PAKTA_SIGNING_MAX_FAILURES", 5))


def lock_duration() -> datetime.timedelta:
    """How long a lock lasts (`settings.PAKTA_SIGNING_LOCK_MINUTES`, default 15 minutes)."""
    return datetime.timedelta(minutes=int(getattr(settings, "PAKTA_SIGNING_LOCK_MINUTES", 15)))


def identity_locked_until(identity: SigningIdentity) -> datetime.datetime | None:
    """The end of the identity's current signing lock, or None when it may sign."""
    row = SigningLockout.objects.filter(identity=identity).first()
    if row is None or row.locked_until is None or row.locked_until <= timezone.now():
        return None
    return row.locked_until


def identity_check_not_locked(identity: SigningIdentity) -> None:
    """Refuse at once when the identity's signing is locked (a cheap check before any work).

    :raises SigningLocked: with the end of the lock in `extra["locked_until"]`.
    """
    until = identity_locked_until(identity)
    if until is not None:
        raise _locked_error(until)


def embedded_key_holder_open(*, identity: SigningIdentity, passphrase: str, actor: Any = None) -> EmbeddedKeyHolder:
    """Open an embedded identity's key with the passphrase the official typed, counting wrong ones.

    A wrong passphrase adds one to the identity's count and is refused; the one that reaches
    `max_failures()` also locks signing for `lock_duration()` and audits `signatures.identity.locked`
    (actor: `actor`, the account that typed it). A right passphrase resets the count. The passphrase is
    never stored, logged or audited.

    :raises SigningLocked: signing is locked; the key was not tried and nothing is counted.
    :raises signatures.keystore.WrongPassphrase: the passphrase is wrong (counted, committed);
        `extra["remaining_attempts"]` says how many are left before the lock (0 when this one locked it).
    :raises signatures.signers.KeyHolderError: the identity is not embedded, revoked or expired.
    """
    with transaction.atomic():
        row, _created = SigningLockout.objects.get_or_create(identity=identity)
        row = SigningLockout.objects.select_for_update().get(pk=row.pk)
        now = timezone.now()
        expired = False
        if row.locked_until is not None:
            if row.locked_until > now:
                raise _locked_error(row.locked_until)
            row.locked_until = None  # the lock has run out: a fresh series of attempts
            row.failed_count = 0
            expired = True
        try:
            holder = EmbeddedKeyHolder(identity, passphrase)
        except keystore.WrongPassphrase:
            row.failed_count += 1
            row.last_failure_at = now
            remaining = max(max_failures() - row.failed_count, 0)
            if remaining == 0:
                row.locked_until = now + lock_duration()
                audit_record(
                    action="signatures.identity.locked",
                    actor=actor,
                    subject=identity,
                    payload={
                        "serial": identity.serial,
                        "failures": row.failed_count,
                        "locked_until": row.locked_until,
                    },
                )
            row.save(update_fields=["failed_count", "last_failure_at", "locked_until"])
            failure = keystore.WrongPassphrase(
                WRONG_PASSPHRASE_REMAINING % {"remaining": remaining}, extra={"remaining_attempts": remaining}
            )
        else:
            if row.failed_count or expired:
                row.failed_count = 0
                row.save(update_fields=["failed_count", "locked_until"])
            return holder
    raise failure  # outside the block: the count commits


def _locked_error(until: datetime.datetime) -> SigningLocked:
    local = timezone.localtime(until)
    return SigningLocked(
        SIGNING_LOCKED % {"until": f"{local:%H:%M} WIB", "count": max_failures()},
        extra={"locked_until": until.isoformat()},
    )
