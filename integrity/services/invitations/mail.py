"""The invitation e-mail with the link, sent after the transaction that made the link commits."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integrity.models import Invitation
from integrity.services.invitations.heads import current_headships
from integrity.services.invitations.links import invitation_url
from integrity.workdays import JAKARTA

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
