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

Modules: `errors` (errors and their messages), `links` (the token, its link, the invitation it opens),
`heads` (the satker heads an inviter may invite), `rules` (the checks shared by the writes), `mail`,
`sending` (send, resend), `revocation`, `acceptance`.
"""

from integrity.services.invitations.acceptance import (
    invitation_accept,
)
from integrity.services.invitations.errors import (
    EMAIL_INVALID,
    INVITATION_ACCEPTED,
    INVITATION_CLOSED,
    INVITATION_EXPIRED,
    INVITATION_NOT_FOUND,
    INVITATION_OPEN_EXISTS,
    INVITATION_REVOKED,
    OFFICIAL_HAS_ACCOUNT,
    OFFICIAL_INACTIVE,
    OFFICIAL_NOT_SATKER_HEAD,
    PASSPHRASE_EQUALS_PASSWORD,
    PASSWORD_INVALID,
    USERNAME_INVALID,
    USERNAME_TAKEN,
    AccountDataInvalid,
    InvitationAlreadyOpen,
    InvitationClosed,
    InvitationGone,
    InvitationNotFound,
    InvitationRefused,
    OfficialHasAccount,
)
from integrity.services.invitations.heads import (
    INVITER_ROLES,
    InvitationRow,
    current_headships,
    inviter_unit_ids,
    satker_heads_for_inviter,
)
from integrity.services.invitations.links import (
    TOKEN_BYTES,
    invitation_for_token,
    invitation_token_digest,
    invitation_url,
)
from integrity.services.invitations.mail import (
    MAIL_BODY,
    MAIL_SUBJECT,
)
from integrity.services.invitations.revocation import (
    invitation_revoke,
    invitations_revoke_open,
)
from integrity.services.invitations.sending import (
    EMAIL_MAX_LENGTH,
    invitation_resend,
    invitation_send,
)

__all__ = [
    "EMAIL_INVALID",
    "EMAIL_MAX_LENGTH",
    "INVITATION_ACCEPTED",
    "INVITATION_CLOSED",
    "INVITATION_EXPIRED",
    "INVITATION_NOT_FOUND",
    "INVITATION_OPEN_EXISTS",
    "INVITATION_REVOKED",
    "INVITER_ROLES",
    "MAIL_BODY",
    "MAIL_SUBJECT",
    "OFFICIAL_HAS_ACCOUNT",
    "OFFICIAL_INACTIVE",
    "OFFICIAL_NOT_SATKER_HEAD",
    "PASSPHRASE_EQUALS_PASSWORD",
    "PASSWORD_INVALID",
    "TOKEN_BYTES",
    "USERNAME_INVALID",
    "USERNAME_TAKEN",
    "AccountDataInvalid",
    "InvitationAlreadyOpen",
    "InvitationClosed",
    "InvitationGone",
    "InvitationNotFound",
    "InvitationRefused",
    "InvitationRow",
    "OfficialHasAccount",
    "current_headships",
    "invitation_accept",
    "invitation_for_token",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "invitation_token_digest",
    "invitation_url",
    "invitations_revoke_open",
    "inviter_unit_ids",
    "satker_heads_for_inviter",
]
