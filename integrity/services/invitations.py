"""Invitations for satker heads (signatures issue §1): "Satker heads are external (other ministries): they
receive an invitation (e-mail with a one-time, expiring link) to create their login and enrol, and see
only the pacts they are a party to. Invitations can be resent and revoked; every step is audited."

    invitation_send     HR or compliance invites a satker head without a login; e-mail with the link
    invitation_resend   a new token and a new expiry for an open invitation; the old link dies
    invitation_revoke   the link dies
    invitation_accept   the invitee creates their login and signing identity through the link

Rules kept here:

- **The token is a bearer secret.** 32 random bytes (`secrets.token_urlsafe`); only its SHA-256 is
  stored (`Invitation.token_sha256`); the token travels only in the e-mail link. It opens one
  invitation, once, until `expires_at` (`PAKTA_INVITATION_DAYS`).
- **One open invitation per official** (database constraint too): to invite again, resend or revoke.
- **Only satker heads without a login** are invited: officials of our own units get their accounts from
  HR (`integrity.services.access`). Who may invite whom is the caller's check (the page lets HR and
  compliance officers invite the heads of satker their units serve).
- **Accepting is all or nothing:** the login, its link to the official and the signing identity (key
  under the invitee's passphrase, `signatures.ca.identity_enrol`) commit together with the acceptance,
  or nothing is written. The password and the passphrase are never stored in clear, logged or audited;
  the passphrase must differ from the password, so that knowing the login is not enough to sign.
- Every step writes an audit event (`integrity.invitation.sent/resent/revoked/accepted`) in its
  transaction; e-mails go out after the commit.

What the invitee then sees is `integrity.selectors.pacts_visible_to`: an official without a position or
grant sees only the pacts they are a party to.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError, NotFoundError
from audit.services import audit_record
from integrity.models import Invitation, Official, RoleGrant, SpendingUnitHead
from integrity.selectors import ALL, user_scope
from integrity.services.access import account_create, official_link_account
from integrity.services.officials import official_certificate_subject, official_identity_enrol
from integrity.workdays import JAKARTA, today_jakarta
from signatures import ca, keystore

TOKEN_BYTES = 32
EMAIL_MAX_LENGTH = 254  # RFC 5321 path limit; the column's length

INVITATION_NOT_FOUND = _("Tautan undangan tidak dikenal, atau sudah diganti dengan tautan yang lebih baru.")
INVITATION_EXPIRED = _(
    "Tautan undangan ini kedaluwarsa pada %(expired)s WIB. Minta administrator SDM mengirim ulang undangan."
)
INVITATION_ACCEPTED = _("Undangan ini sudah dipakai untuk membuat akun. Silakan masuk dengan akun tersebut.")
INVITATION_REVOKED = _("Undangan ini sudah dicabut. Hubungi administrator SDM bila Anda memerlukan undangan baru.")
INVITATION_CLOSED = _("Undangan untuk %(name)s sudah %(status)s; tidak dapat diubah lagi.")
INVITATION_OPEN_EXISTS = _(
    "%(name)s sudah memiliki undangan yang belum dipakai. Kirim ulang atau cabut undangan itu lebih dulu."
)
OFFICIAL_HAS_ACCOUNT = _("%(name)s sudah memiliki akun Pakta (%(username)s); undangan tidak diperlukan.")
OFFICIAL_NOT_SATKER_HEAD = _("%(name)s bukan kepala satker; undangan hanya untuk kepala satker dari instansi lain.")
OFFICIAL_INACTIVE = _("%(name)s sudah dinonaktifkan.")
EMAIL_INVALID = _("Alamat e-mail %(email)s tidak valid.")
USERNAME_INVALID = _(
    "Nama pengguna hanya boleh berisi huruf, angka dan tanda @ . + - _, paling banyak %(maximum)s karakter."
)
USERNAME_TAKEN = _("Nama pengguna %(username)s sudah dipakai. Pilih nama lain.")
PASSWORD_INVALID = _("Kata sandi tidak memenuhi syarat: %(reasons)s")
PASSPHRASE_EQUALS_PASSWORD = _("Passphrase tanda tangan harus berbeda dari kata sandi akun.")

MAIL_SUBJECT = _("Undangan Pakta: buat akun dan daftarkan tanda tangan elektronik Anda")
MAIL_BODY = _(
    "Yth. %(name)s,\n\n"
    "%(office)s mengundang Anda ke Pakta, aplikasi pakta integritas, sebagai %(headships)s. "
    "Buka tautan berikut untuk membuat akun dan mendaftarkan tanda tangan elektronik Anda:\n\n"
    "%(link)s\n\n"
    "Tautan ini hanya dapat dipakai sekali dan berlaku sampai %(expires)s WIB. "
    "Jangan teruskan e-mail ini kepada orang lain. Bila Anda merasa tidak seharusnya menerima undangan ini, "
    "abaikan saja."
)


class InvitationNotFound(NotFoundError):
    """No invitation has this token (never issued, mistyped, or replaced by a resend)."""


class InvitationGone(ApplicationError):
    """The invitation was accepted, revoked or has expired: its link is dead. Nothing was written."""

    status_code = 410


class InvitationClosed(ConflictError):
    """Resending or revoking an accepted or revoked invitation."""


class InvitationAlreadyOpen(ConflictError):
    """The official already has an open (pending or expired) invitation."""


class OfficialHasAccount(ConflictError):
    """The official already has a login; there is nothing to invite them to."""


class InvitationRefused(ApplicationError):
    """The official cannot be invited (not a satker head, inactive) or the e-mail address is invalid."""


class AccountDataInvalid(ApplicationError):
    """The chosen username, password or passphrase is not acceptable; nothing was written."""


# --------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------


def invitation_token_digest(token: str) -> str:
    """The SHA-256 (hex) under which an invitation's token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_url(token: str) -> str:
    """The link in the e-mail: `PAKTA_BASE_URL/undangan/<token>/`."""
    return settings.PAKTA_BASE_URL.rstrip("/") + reverse("frontend:invitation-accept", args=[token])


def invitation_for_token(token: str) -> Invitation:
    """The open, unexpired invitation this token opens (read only).

    :raises InvitationNotFound: no invitation has this token.
    :raises InvitationGone: it was accepted or revoked, or has expired.
    """
    invitation = (
        Invitation.objects.select_related("official", "official__user")
        .filter(token_sha256=invitation_token_digest(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationNotFound(INVITATION_NOT_FOUND)
    _check_open(invitation, timezone.now())
    return invitation


def current_headships(official: Official, day: datetime.date | None = None) -> list[SpendingUnitHead]:
    """The satker headships of the official that have not ended by `day` (current or upcoming)."""
    day = day or today_jakarta()
    return list(
        SpendingUnitHead.objects.filter(official=official)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("spending_unit")
        .order_by("effective_date", "pk")
    )


@dataclass(frozen=True)
class InvitationRow:
    """A satker head in the inviter's scope, with their login (if any) and their latest invitation."""

    headship: SpendingUnitHead
    official: Official
    username: str
    invitation: Invitation | None
    status: str  # "account", or an Invitation.Status, or "none"

    @property
    def can_send(self) -> bool:
        return self.status in ("none", Invitation.Status.ACCEPTED, Invitation.Status.REVOKED) and not self.username

    @property
    def is_open(self) -> bool:
        return self.status in (Invitation.Status.PENDING, Invitation.Status.EXPIRED)


INVITER_ROLES = (RoleGrant.Role.HR_ADMIN, RoleGrant.Role.COMPLIANCE)


def inviter_unit_ids(user: Any) -> set[int] | None:
    """Units whose satker heads the user may invite (None = all): HR administrators and compliance officers
    over their grants. An auditor grant makes the account read-only whatever else it holds."""
    scope = user_scope(user)
    if scope.user_id is None:
        return set()
    if not scope.is_superuser and RoleGrant.Role.AUDITOR in scope.grants:
        return set()
    return scope.org_unit_ids(INVITER_ROLES)


def satker_heads_for_inviter(user: Any, *, day: datetime.date | None = None) -> list[InvitationRow]:
    """The current and upcoming heads of the satker served by the user's units, with their invitations."""
    day = day or today_jakarta()
    units = inviter_unit_ids(user)
    if units is not ALL and not units:
        return []
    heads = (
        SpendingUnitHead.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("official__user", "spending_unit")
        .order_by("spending_unit__code", "effective_date", "pk")
    )
    if units is not ALL:
        heads = heads.filter(spending_unit__serving_unit_id__in=units)
    heads_list = list(heads)
    latest: dict[int, Invitation] = {}
    for sent in Invitation.objects.filter(official_id__in={h.official_id for h in heads_list}).order_by(
        "official_id", "-created_at", "-pk"
    ):
        latest.setdefault(sent.official_id, sent)
    now = timezone.now()
    rows = []
    for head in heads_list:
        official = head.official
        invitation = latest.get(official.pk)
        username = official.user.get_username() if official.user is not None else ""
        status = invitation.status_at(now) if invitation is not None else "none"
        if username and status != Invitation.Status.ACCEPTED:
            status = "account"  # linked by HR, or an earlier invitation's account
        rows.append(InvitationRow(head, official, username, invitation, status))
    return rows


# --------------------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------------------


def invitation_send(*, official: Official, email: str, actor: Any) -> Invitation:
    """Invite a satker head without a login: an invitation valid `PAKTA_INVITATION_DAYS` days, its link
    e-mailed to `email` after the commit. Audit: `integrity.invitation.sent`.

    :raises InvitationRefused: the e-mail address is invalid, the official is inactive or heads no satker.
    :raises OfficialHasAccount: the official already has a login.
    :raises InvitationAlreadyOpen: the official has an open invitation (resend or revoke it).
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationRefused(EMAIL_INVALID % {"email": repr(email[:EMAIL_MAX_LENGTH])}) from None
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvitationRefused(EMAIL_INVALID % {"email": repr(email[:EMAIL_MAX_LENGTH])})
    token, digest = _new_token()
    with transaction.atomic():
        locked = Official.objects.select_for_update(of=("self",)).select_related("user").get(pk=official.pk)
        _check_invitable(locked)
        if Invitation.objects.filter(official=locked, accepted_at__isnull=True, revoked_at__isnull=True).exists():
            raise InvitationAlreadyOpen(INVITATION_OPEN_EXISTS % {"name": locked.full_name})
        invitation = Invitation.objects.create(
            official=locked,
            email=email,
            token_sha256=digest,
            created_by=actor if getattr(actor, "pk", None) else None,
            expires_at=_expiry(),
        )
        audit_record(
            action="integrity.invitation.sent",
            actor=actor,
            subject=invitation,
            payload={"nip": locked.nip, "email": email, "expires_at": invitation.expires_at},
        )
        _mail_on_commit(invitation, token)
    return invitation


def invitation_resend(*, invitation: Invitation, actor: Any) -> Invitation:
    """Send an open (pending or expired) invitation again with a new token and a new expiry: the old link
    dies at once. Audit: `integrity.invitation.resent`.

    :raises InvitationClosed: the invitation was accepted or revoked.
    :raises InvitationRefused: the official is inactive or no longer heads a satker.
    :raises OfficialHasAccount: the official got a login meanwhile.
    """
    token, digest = _new_token()
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",)).select_related("official__user").get(pk=invitation.pk)
        )
        _check_transition(locked, Invitation.Status.PENDING)
        _check_invitable(locked.official)
        locked.token_sha256 = digest
        locked.expires_at = _expiry()
        locked.resent_count += 1
        locked.save(update_fields=["token_sha256", "expires_at", "resent_count"])
        audit_record(
            action="integrity.invitation.resent",
            actor=actor,
            subject=locked,
            payload={
                "nip": locked.official.nip,
                "email": locked.email,
                "expires_at": locked.expires_at,
                "resent_count": locked.resent_count,
            },
        )
        _mail_on_commit(locked, token)
    return locked


def invitation_revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    """Withdraw an open invitation: its link dies. Audit: `integrity.invitation.revoked`.

    :raises InvitationClosed: the invitation was accepted or revoked already.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update(of=("self",)).select_related("official").get(pk=invitation.pk)
        _check_transition(locked, Invitation.Status.REVOKED)
        _revoke(locked, actor=actor, why="revoked")
    return locked


def invitations_revoke_open(*, official: Official, actor: Any) -> int:
    """Revoke the official's open invitation, if any, inside the caller's transaction (an official who is
    deactivated must not be able to create a login). Audit: `integrity.invitation.revoked`.

    :returns: the number of invitations revoked (0 or 1).
    """
    open_invitations = list(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("official")
        .filter(official=official, accepted_at__isnull=True, revoked_at__isnull=True)
    )
    for invitation in open_invitations:
        _revoke(invitation, actor=actor, why="official_deactivated")
    return len(open_invitations)


def invitation_accept(*, token: str, username: str, password: str, passphrase: str, actor: Any = None) -> Any:
    """The invitee creates their login and signing identity through the link (signatures issue §1).

    In one transaction: the login `username` with `password` (`account_create`), its link to the invited
    official (`official_link_account`), the signing identity whose key is encrypted under `passphrase`
    (`signatures.ca.identity_enrol`), and the acceptance, which kills the link. Audit:
    `integrity.invitation.accepted` (beside the events of those services); its actor is `actor` or, when
    none (the invitee is not signed in), the new login.

    :returns: the new user.
    :raises InvitationNotFound: no invitation has this token.
    :raises InvitationGone: the invitation was accepted or revoked, or has expired.
    :raises OfficialHasAccount: the official got a login meanwhile.
    :raises InvitationRefused: the official was deactivated.
    :raises AccountDataInvalid: the username is invalid or taken, the password fails the password policy,
        or the passphrase equals the password.
    :raises signatures.keystore.PassphraseTooShort: the passphrase is shorter than the policy.
    :raises signatures.keystore.PassphraseTooLong: the passphrase is longer than the policy.
    :raises signatures.ca.CaNotInitialized: the embedded CA has not been initialised.
    """
    invitation = invitation_for_token(token)
    official = invitation.official
    _check_invitable(official, require_headship=False)
    username = _clean_username(username)
    _check_password(password, username=username, official=official, email=invitation.email)
    keystore.check_passphrase_policy(passphrase)
    if passphrase == password:
        raise AccountDataInvalid(PASSPHRASE_EQUALS_PASSWORD)
    if not ca.ca_exists():
        raise ca.CaNotInitialized(ca.CA_NOT_INITIALIZED)
    subject = official_certificate_subject(official, email=invitation.email)
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",)).select_related("official__user").get(pk=invitation.pk)
        )
        if locked.token_sha256 != invitation.token_sha256:  # resent meanwhile: this token is dead
            raise InvitationNotFound(INVITATION_NOT_FOUND)
        _check_open(locked, timezone.now())
        _check_invitable(locked.official, require_headship=False)
        try:
            with transaction.atomic():
                user = account_create(username=username, password=password, actor=actor)
        except IntegrityError:  # taken between the check and the insert
            raise AccountDataInvalid(USERNAME_TAKEN % {"username": username}) from None
        user.email = locked.email
        user.save(update_fields=["email"])
        by = actor if actor is not None else user
        official_link_account(official=locked.official, username=username, password=None, actor=by)
        identity = official_identity_enrol(user=user, passphrase=passphrase, subject=subject, actor=by)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        audit_record(
            action="integrity.invitation.accepted",
            actor=by,
            subject=locked,
            payload={"nip": locked.official.nip, "username": username, "identity_serial": identity.serial},
        )
    return user


# --------------------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------------------


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, invitation_token_digest(token)


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.PAKTA_INVITATION_DAYS)


def _check_open(invitation: Invitation, now: datetime.datetime) -> None:
    status = invitation.status_at(now)
    if status == Invitation.Status.ACCEPTED:
        raise InvitationGone(INVITATION_ACCEPTED)
    if status == Invitation.Status.REVOKED:
        raise InvitationGone(INVITATION_REVOKED)
    if status == Invitation.Status.EXPIRED:
        expired = invitation.expires_at.astimezone(JAKARTA).strftime("%d-%m-%Y %H:%M")
        raise InvitationGone(INVITATION_EXPIRED % {"expired": expired})


def _check_transition(invitation: Invitation, target: str) -> None:
    status = invitation.status_at(timezone.now())
    if target not in Invitation.ALLOWED_TRANSITIONS[status]:
        label = Invitation.Status(status).label
        raise InvitationClosed(INVITATION_CLOSED % {"name": invitation.official.full_name, "status": label})


def _check_invitable(official: Official, *, require_headship: bool = True) -> None:
    if not official.is_active:
        raise InvitationRefused(OFFICIAL_INACTIVE % {"name": official.full_name})
    if official.user is not None:
        raise OfficialHasAccount(
            OFFICIAL_HAS_ACCOUNT % {"name": official.full_name, "username": official.user.get_username()}
        )
    if require_headship and not current_headships(official):
        raise InvitationRefused(OFFICIAL_NOT_SATKER_HEAD % {"name": official.full_name})


def _clean_username(username: str) -> str:
    user_model = get_user_model()
    username = user_model.normalize_username((username or "").strip())
    field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    assert isinstance(field, models.Field)  # the username is a concrete column, not a relation
    maximum = field.max_length or 150
    try:
        field.run_validators(username)
    except ValidationError:
        raise AccountDataInvalid(USERNAME_INVALID % {"maximum": maximum}) from None
    if not username or len(username) > maximum:
        raise AccountDataInvalid(USERNAME_INVALID % {"maximum": maximum})
    if user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username}).exists():
        raise AccountDataInvalid(USERNAME_TAKEN % {"username": username})
    return str(username)


def _check_password(password: str, *, username: str, official: Official, email: str) -> None:
    user_model = get_user_model()
    # An unsaved user, so that the similarity check compares against the invitee's own data.
    probe = user_model(**{user_model.USERNAME_FIELD: username}, email=email, first_name=official.name)
    try:
        password_validation.validate_password(password or "", user=probe)
    except ValidationError as exc:
        raise AccountDataInvalid(
            PASSWORD_INVALID % {"reasons": " ".join(exc.messages)}, extra={"password": exc.messages}
        ) from None


def _revoke(invitation: Invitation, *, actor: Any, why: str) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action="integrity.invitation.revoked",
        actor=actor,
        subject=invitation,
        payload={"nip": invitation.official.nip, "email": invitation.email, "cause": why},
    )


def _mail_on_commit(invitation: Invitation, token: str) -> None:
    official = invitation.official
    headships = ", ".join(f"{h.title} {h.spending_unit.name}" for h in current_headships(official))
    subject = str(MAIL_SUBJECT)
    body = str(
        MAIL_BODY
        % {
            "name": official.full_name,
            "office": settings.PAKTA_INSTITUTION_NAME,
            "headships": headships or gettext("kepala satker"),
            "link": invitation_url(token),
            "expires": invitation.expires_at.astimezone(JAKARTA).strftime("%d-%m-%Y %H:%M"),
        }
    )
    transaction.on_commit(partial(_send_email, subject, body, invitation.email))


def _send_email(subject: str, body: str, address: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
