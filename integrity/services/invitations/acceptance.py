"""Accepting an invitation: the invitee's login, its link to the official and the signing identity, all or
nothing; the chosen username, password and passphrase are checked first."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from audit.services import audit_record
from integrity.models import Invitation, Official
from integrity.services.access import account_create, official_link_account
from integrity.services.invitations.errors import (
    INVITATION_NOT_FOUND,
    PASSPHRASE_EQUALS_PASSWORD,
    PASSWORD_INVALID,
    USERNAME_INVALID,
    USERNAME_TAKEN,
    AccountDataInvalid,
    InvitationNotFound,
)
from integrity.services.invitations.links import _check_open, invitation_for_token
from integrity.services.invitations.rules import _check_invitable
from integrity.services.officials import official_certificate_subject, official_identity_enrol
from signatures import ca, keystore


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
