"""Wrong signing passphrases: counted per embedded identity, and signing locked after too many
(signatures issue §2).

After `settings.PAKTA_SIGNING_MAX_FAILURES` (5) wrong passphrases in a row, the identity cannot sign for
`settings.PAKTA_SIGNING_LOCK_MINUTES` (15); the lock is audited (`signatures.identity.locked`). A right
passphrase resets the count; so does the end of a lock, which gives a fresh series of attempts.

The count is strict under concurrency, and no lock is held while the key is derived (tens of
milliseconds of scrypt; on SQLite a transaction is a lock on the whole database): each attempt is counted
before its key is tried, in a short transaction that locks the identity's counter row, and a right
passphrase resets the count afterwards. So parallel requests can never make more than the maximum number of
guesses: once that many attempts are counted without a right one, the next attempt locks signing at once
(an attempt cut off mid-way, by a crash, counts as a wrong one). A locked identity is refused before its
key is touched, so a locked state reveals nothing about the passphrase.
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
from signatures import ca, keystore
from signatures.models import SigningIdentity, SigningLockout
from signatures.signers import EmbeddedKeyHolder, KeyHolderError

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

    :raises SigningLocked: signing is locked; the key was not tried.
    :raises signatures.keystore.WrongPassphrase: the passphrase is wrong (counted, committed);
        `extra["remaining_attempts"]` says how many are left before the lock (0 when this one locked it).
    :raises signatures.signers.KeyHolderError: the identity is not embedded, revoked or expired (not counted).
    :raises signatures.ca.CaNotInitialized: the CA is gone (not counted).
    """
    _count_attempt(identity, actor=actor)  # committed before the key is tried
    try:
        holder = EmbeddedKeyHolder(identity, passphrase)
    except keystore.WrongPassphrase:
        remaining = _record_failure(identity, actor=actor)
        raise keystore.WrongPassphrase(
            WRONG_PASSPHRASE_REMAINING % {"remaining": remaining}, extra={"remaining_attempts": remaining}
        ) from None
    except (KeyHolderError, ca.CaNotInitialized):
        _forget_attempt(identity)  # no guess: the identity cannot sign (revoked, expired, not embedded)
        raise
    _forget_attempt(identity, reset=True)
    return holder


def _count_attempt(identity: SigningIdentity, *, actor: Any) -> None:
    """Counts one attempt before the key is tried, or refuses it: signing is locked, or `max_failures()`
    attempts are counted already without a right passphrase (in flight in parallel, or cut off), which locks
    it now.

    :raises SigningLocked: nothing more is tried.
    """
    locked_error: SigningLocked | None = None
    with transaction.atomic():
        row, _created = SigningLockout.objects.get_or_create(identity=identity)
        row = SigningLockout.objects.select_for_update().get(pk=row.pk)
        now = timezone.now()
        if row.locked_until is not None and row.locked_until > now:
            raise _locked_error(row.locked_until)
        if row.locked_until is not None:  # the lock has run out: a fresh series of attempts
            row.locked_until = None
            row.failed_count = 0
        if row.failed_count >= max_failures():
            _lock(row, identity, now=now, actor=actor)
            locked_error = _locked_error(row.locked_until)  # type: ignore[arg-type]
        else:
            row.failed_count += 1
        row.save(update_fields=["failed_count", "locked_until"])
    if locked_error is not None:
        raise locked_error  # outside the block: the lock commits


def _record_failure(identity: SigningIdentity, *, actor: Any) -> int:
    """The attempt (counted already) was wrong: locks signing when it was the last one allowed.

    :returns: the attempts left before the lock (0: locked now).
    """
    with transaction.atomic():
        row = SigningLockout.objects.select_for_update().get(identity=identity)
        now = timezone.now()
        row.last_failure_at = now
        remaining = max(max_failures() - row.failed_count, 0)
        if remaining == 0 and (row.locked_until is None or row.locked_until <= now):
            _lock(row, identity, now=now, actor=actor)
        row.save(update_fields=["last_failure_at", "locked_until"])
    return remaining


def _forget_attempt(identity: SigningIdentity, *, reset: bool = False) -> None:
    """The attempt (counted already) was no guess: with `reset` (a right passphrase) the count starts
    afresh, else only this attempt is taken back."""
    with transaction.atomic():
        row = SigningLockout.objects.select_for_update().get(identity=identity)
        if reset:
            row.failed_count = 0
        elif row.failed_count:
            row.failed_count -= 1
        row.save(update_fields=["failed_count"])


def _lock(row: SigningLockout, identity: SigningIdentity, *, now: datetime.datetime, actor: Any) -> None:
    row.locked_until = now + lock_duration()
    audit_record(
        action="signatures.identity.locked",
        actor=actor,
        subject=identity,
        payload={"serial": identity.serial, "failures": row.failed_count, "locked_until": row.locked_until},
    )


def _locked_error(until: datetime.datetime) -> SigningLocked:
    local = timezone.localtime(until)
    return SigningLocked(
        SIGNING_LOCKED % {"until": f"{local:%H:%M} WIB", "count": max_failures()},
        extra={"locked_until": until.isoformat()},
    )
