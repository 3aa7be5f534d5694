"""Print the demo logins (issue §11), as `make run` does before starting the server.

Only users that exist and still have the demo password are listed: a login whose password was
changed, or a database without the demo, prints nothing misleading. The signing passphrase of the
demo identities (signatures issue §6) is printed when a listed login has an active identity.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from audit.errors import ApplicationError
from integrity import workdays
from integrity.demo import DEMO_PASSPHRASE, DEMO_PASSWORD, DEMO_USERS
from integrity.models import Assignment, Official, SpendingUnitHead
from signatures import keystore
from signatures.models import SigningIdentity


def _who(official: Official) -> str:
    """Name and current post: after the sample decree a login may hold another post than its name
    suggests (the outgoing Kepala KPPN moves to the Kanwil)."""
    today = workdays.today_jakarta()
    assignment = (
        Assignment.objects.active_on(today)
        .filter(official=official)
        .select_related("position")
        .order_by("acting", "effective_date")
        .first()
    )
    if assignment is not None:
        return f"{official.full_name} — {assignment.position.title}"
    head = SpendingUnitHead.objects.active_on(today).filter(official=official).select_related("spending_unit").first()
    if head is not None:
        return f"{official.full_name} — {head.title} pada {head.spending_unit.name}"
    return official.full_name


def _opens(identity: SigningIdentity) -> bool:
    """True when the demo passphrase still opens the identity's key (it may have been changed)."""
    try:
        keystore.decrypt_with_passphrase(bytes(identity.encrypted_key), DEMO_PASSPHRASE)
    except ApplicationError:
        return False
    return True


class Command(BaseCommand):
    help = "Tampilkan akun demo (nama pengguna, peran, pegawai) dan kata sandinya."

    def handle(self, *args: Any, **options: Any) -> None:
        users = {
            user.username: user
            for user in get_user_model()
            .objects.filter(username__in=[spec.username for spec in DEMO_USERS], is_active=True)
            .select_related("official")
        }
        # The demo gives every login the same hash; check each distinct hash once (hashing is slow).
        verdict: dict[str, bool] = {}
        for user in users.values():
            if user.password not in verdict:
                verdict[user.password] = check_password(DEMO_PASSWORD, user.password)
        rows = []
        listed = []
        for spec in DEMO_USERS:
            login = users.get(spec.username)
            if login is None or not verdict.get(login.password):
                continue
            listed.append(login)
            official = getattr(login, "official", None)
            rows.append((spec.username, spec.role, _who(official) if official else "-"))
        if not rows:
            return
        out = self.stdout.write
        out(
            _("Akun demo di %(url)s/ — kata sandi: %(password)s (hanya untuk demo)")
            % {
                "url": settings.PAKTA_BASE_URL.rstrip("/"),
                "password": DEMO_PASSWORD,
            }
        )
        width_user = max(len(_("Pengguna")), *(len(row[0]) for row in rows))
        width_role = max(len(_("Peran")), *(len(row[1]) for row in rows))
        person_heading = _("Pegawai — jabatan saat ini")
        out(f"  {_('Pengguna'):<{width_user}}  {_('Peran'):<{width_role}}  {person_heading}")
        for username, role, name in rows:
            out(f"  {username:<{width_user}}  {role:<{width_role}}  {name}")
        signers = SigningIdentity.objects.filter(
            user__in=listed, backend=SigningIdentity.Backend.EMBEDDED, status=SigningIdentity.Status.ACTIVE
        )
        if any(_opens(identity) for identity in signers):
            out(
                _("Passphrase tanda tangan akun demo yang memiliki pegawai: %(passphrase)s (hanya untuk demo)")
                % {"passphrase": DEMO_PASSPHRASE}
            )
