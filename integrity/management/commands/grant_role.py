from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.errors import ApplicationError
from integrity.models import Unit
from integrity.services.access import role_grant


class Command(BaseCommand):
    help = "Grant a role (hr_admin, compliance, auditor) over a unit subtree, or over all units."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("role")
        parser.add_argument("--unit", help="unit code; omit for all units")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Akun {options['username']} tidak ditemukan.")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Unit {options['unit']} tidak ditemukan.")
        try:
            role_grant(user=user, role=options["role"], unit=unit)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{user.get_username()}: {options['role']} {unit.code if unit else '(semua unit)'}")
        )
