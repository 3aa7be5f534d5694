"""Accounts and roles: link a login to an official, grant or revoke a role over a unit subtree."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from audit.services import audit_record
from integrity.models import Official, RoleGrant, Unit

ROLE_UNKNOWN = _("Peran %(role)s tidak dikenal (pilihan: %(choices)s).")
OFFICIAL_ALREADY_LINKED = _("Pegawai %(nip)s sudah terhubung dengan akun %(user)s.")


def role_grant(*, user: Any, role: str, unit: Unit | None, actor: Any = None) -> RoleGrant:
    if role not in RoleGrant.Role.values:
        raise ApplicationError(ROLE_UNKNOWN % {"role": role, "choices": ", ".join(RoleGrant.Role.values)})
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(user=user, role=role, unit=unit)
        if created:
            audit_record(
                action="integrity.role.granted",
                actor=actor,
                subject=grant,
                payload={"user": user.get_username(), "role": role, "unit": unit.code if unit else None},
            )
    return grant


def role_revoke(*, grant: RoleGrant, actor: Any = None) -> None:
    with transaction.atomic():
        payload = {
            "user": grant.user.get_username(),
            "role": grant.role,
            "unit": grant.unit.code if grant.unit else None,
        }
        audit_record(action="integrity.role.revoked", actor=actor, subject=grant, payload=payload)
        grant.delete()


def official_link_account(*, official: Official, username: str, password: str | None, actor: Any = None) -> Any:
    """Create (or reuse) the login `username` and link it to the official."""
    user_model = get_user_model()
    with transaction.atomic():
        locked = Official.objects.select_for_update().get(pk=official.pk)
        linked = locked.user
        if linked is not None and linked.get_username() != username:
            raise ApplicationError(OFFICIAL_ALREADY_LINKED % {"nip": locked.nip, "user": linked.get_username()})
        user, created = user_model.objects.get_or_create(username=username, defaults={"email": locked.email})
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        if created and not password:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        locked.user = user
        locked.save(update_fields=["user"])
        audit_record(
            action="integrity.official.account_linked",
            actor=actor,
            subject=locked,
            payload={"nip": locked.nip, "username": username, "password": "set" if password else None},
        )
    return user


def account_create(*, username: str, password: str | None, is_superuser: bool = False, actor: Any = None) -> Any:
    """Create a login (staff and superuser together when `is_superuser`)."""
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model(username=username, is_staff=is_superuser, is_superuser=is_superuser)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record(
            action="auth.user.created",
            actor=actor,
            subject=user,
            payload={"username": username, "is_superuser": is_superuser},
        )
    return user
