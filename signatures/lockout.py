"""Wrong signing passphrases: counted per embedded identity, and signing locked after too many
(signatures issue §2).

After `settings.PAKTA_SIGNING_MAX_FAILURES` (5) wrong passphrases in a row, the identity cannot sign for
`settings.PAKTA_SIGNING_LOCK_MINUTES` (15); the lock is audited (`signatures.identity.locked`). A right
passphrase resets the count; so does the end of a lock, which gives a fresh series of attempts.

The count is strict under concurrency, and no lock is held while the key is derived (tens of
milliseconds of scrypt; on SQLite a transaction is a lock on the whole database). Each attempt is
registered as in progress, in a short transaction that locks the identity's counter row, before its key is
tried, and its outcome is recorded in another one afterwards. An attempt may start only while the wrong
passphrases recorded plus the attempts in progress stay below the maximum, so parallel requests never
make more guesses than allowed; a request beyond that is told to retry in a moment (`SigningBusy`, 429)
and nothing is locked, so parallel right passphrases never lock anyone out. An attempt cut off mid-way
(a crash) goes stale after `STALE_ATTEMPT` and then counts as a wrong one. A locked identity is refused
before its key is touched, so a locked state reveals nothing about the passphrase.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from audit.services import audit_record
from signatures import keystore
from signatures.models import SigningIdentity, SigningLockout
from signatures.signers import EmbeddedKeyHolder

logger = logging.getLogger(__name__)

SIGNING_LOCKED = _(
    "Penandatanganan dikunci sampai %(until)s karena passphrase salah %(count)s kali berturut-turut. "
    "Coba lagi setelah itu."
)
SIGNING_BUSY = _(
    "Passphrase Anda sedang diperiksa pada permintaan lain, dan percobaan yang tersisa sebelum penguncian "
    "sudah terpakai semuanya. Coba lagi sebentar lagi."
)
WRONG_PASSPHRASE_REMAINING = _("Passphrase salah. Sisa percobaan sebelum penandatanganan dikunci: %(remaining)s.")


class SigningBusy(ApplicationError):
    """Every attempt left before the lock is being checked right now (parallel requests); nothing was
    tried. Retry in a moment."""

    status_code = 429


class SigningLocked(ApplicationError):
    """The identity's signing is locked after too many wrong passphrases; nothing was tried."""

    status_code = 429


STALE_ATTEMPT = datetime.timedelta(seconds=60)
"""An attempt still in progress after this long was cut off (a key derivation takes well under a second)."""


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
    never stored, logged or audited. Must not run inside a transaction (the count must commit).

    :raises SigningLocked: signing is locked; the key was not tried.
    :raises SigningBusy: as many attempts are being checked as are left before the lock; try again.
    :raises signatures.keystore.WrongPassphrase: the passphrase is wrong (counted, committed);
        `extra["remaining_attempts"]` says how many are left before the lock (0 when this one locked it).
    :raises signatures.signers.KeyHolderError: the identity is not embedded, revoked or expired (not counted).
    """
    _attempt_start(identity, actor=actor)  # committed before the key is tried
    try:
        holder = EmbeddedKeyHolder(identity, passphrase)
    except keystore.WrongPassphrase:
        remaining = _attempt_end(identity, outcome=_WRONG, actor=actor)
        raise keystore.WrongPassphrase(
            WRONG_PASSPHRASE_REMAINING % {"remaining": remaining}, extra={"remaining_attempts": remaining}
        ) from None
    except Exception:
        # No guess (revoked, expired, damaged key, CA gone...): only a wrong passphrase says anything about it.
        _attempt_end_quietly(identity, outcome=_NO_GUESS, actor=actor)
        raise
    _attempt_end_quietly(identity, outcome=_RIGHT, actor=actor)
    return holder


_WRONG, _RIGHT, _NO_GUESS = "wrong", "right", "no-guess"


def _attempt_start(identity: SigningIdentity, *, actor: Any) -> None:
    """Registers one attempt in progress before the key is tried, or refuses it.

    An attempt may start only while the wrong passphrases recorded plus the attempts in progress stay below
    `max_failures()`: even if all of them turn out wrong, no more guesses are made than allowed. Attempts
    still "in progress" after `STALE_ATTEMPT` were cut off (a crash mid-way) and count as wrong ones.

    :raises SigningLocked: signing is locked (perhaps just now, by stale attempts).
    :raises SigningBusy: the attempts left are all in progress.
    """
    refusal: ApplicationError | None = None
    with transaction.atomic():
        row, _created = SigningLockout.objects.get_or_create(identity=identity)
        row = SigningLockout.objects.select_for_update().get(pk=row.pk)
        now = timezone.now()
        if row.locked_until is not None and row.locked_until > now:
            raise _locked_error(row.locked_until)
        if row.locked_until is not None:  # the lock has run out: a fresh series of attempts
            row.locked_until = None
            row.failed_count = 0
        if row.attempts_in_progress and row.attempt_started_at and now - row.attempt_started_at > STALE_ATTEMPT:
            row.failed_count += row.attempts_in_progress
            row.attempts_in_progress = 0
        if row.failed_count >= max_failures():
            _lock(row, identity, now=now, actor=actor)
            refusal = _locked_error(row.locked_until)  # type: ignore[arg-type]
        elif row.failed_count + row.attempts_in_progress >= max_failures():
            refusal = SigningBusy(SIGNING_BUSY)
        else:
            row.attempts_in_progress += 1
            row.attempt_started_at = now
        row.save(update_fields=["failed_count", "locked_until", "attempts_in_progress", "attempt_started_at"])
    if refusal is not None:
        raise refusal  # outside the block: a lock found now commits


def _attempt_end(identity: SigningIdentity, *, outcome: str, actor: Any) -> int:
    """Records how an attempt in progress ended: a wrong passphrase is counted (and locks signing when it
    is the last one allowed), a right one resets the count, an attempt that was no guess only ends.

    :returns: the attempts left before the lock (0: locked).
    """
    with transaction.atomic():
        row = SigningLockout.objects.select_for_update().get(identity=identity)
        now = timezone.now()
        row.attempts_in_progress = max(row.attempts_in_progress - 1, 0)
        if outcome == _WRONG:
            row.failed_count += 1
            row.last_failure_at = now
            if row.failed_count >= max_failures() and (row.locked_until is None or row.locked_until <= now):
                _lock(row, identity, now=now, actor=actor)
        elif outcome == _RIGHT:
            row.failed_count = 0
        row.save(update_fields=["attempts_in_progress", "failed_count", "last_failure_at", "locked_until"])
    return max(max_failures() - row.failed_count, 0)


def _attempt_end_quietly(identity: SigningIdentity, *, outcome: str, actor: Any) -> None:
    """`_attempt_end` where its failure must not hide what happened (the key opened, or the original
    error): logged instead, and the attempt is left in progress until it goes stale."""
    try:
        _attempt_end(identity, outcome=outcome, actor=actor)
    except DatabaseError:
        logger.exception("Could not record the end of a signing attempt for identity %s", identity.pk)


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
