"""Invitations of external officials (satker heads of other ministries) to create their login and enrol
for signing (signatures issue §1).

An invitation is a one-time link e-mailed to the official. Only the SHA-256 of its random token is
stored: the token itself exists only in the e-mail, so a copy of the database cannot be turned into a
working link.

States (`Status`), derived from the timestamps so that expiry needs no job:

    pending   sent (or resent), not yet accepted, revoked or expired
    expired   `expires_at` passed before acceptance
    accepted  the official created their login and signing identity; the link is dead
    revoked   withdrawn by HR or compliance; the link is dead

`ALLOWED_TRANSITIONS` lists what each state may become. Resending renews an open invitation (pending or
expired) with a new token and expiry: the old link dies.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    """A one-time, expiring invitation for an official to create a login and enrol. See the module docstring."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        EXPIRED = "expired", _("Kedaluwarsa")
        ACCEPTED = "accepted", _("Diterima")
        REVOKED = "revoked", _("Dicabut")

    ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
        # pending -> expired happens by the clock, not by a service.
        Status.PENDING: frozenset({Status.PENDING, Status.ACCEPTED, Status.REVOKED}),
        Status.EXPIRED: frozenset({Status.PENDING, Status.REVOKED}),
        Status.ACCEPTED: frozenset(),
        Status.REVOKED: frozenset(),
    }

    official = models.ForeignKey(
        "integrity.Official", models.PROTECT, related_name="invitations", verbose_name=_("pegawai")
    )
    email = models.EmailField(_("e-mail tujuan"))
    token_sha256 = models.CharField(
        _("SHA-256 token"),
        max_length=64,
        unique=True,
        help_text=_("Hanya hash token yang disimpan; tokennya sendiri hanya ada di tautan e-mail."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dikirim oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    accepted_at = models.DateTimeField(_("diterima pada"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    resent_count = models.PositiveSmallIntegerField(_("dikirim ulang"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("undangan")
        verbose_name_plural = _("undangan")
        constraints = [
            # One open invitation per official: a second one would leave two live links.
            models.UniqueConstraint(
                fields=["official"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_official",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.official} <{self.email}>"

    def status_at(self, moment: datetime.datetime) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= moment:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)
