"""Sign-in for API clients (token) and "who am I, with which roles"."""

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from audit.errors import ApplicationError
from integrity.apis.base import PaktaApiView
from integrity.apis.serializers import OfficialBriefSerializer
from integrity.models import Official
from integrity.selectors import UserScope, user_scope

INVALID_CREDENTIALS = _("Nama pengguna atau kata sandi salah, atau akun tidak aktif.")


class TokenCreateApi(PaktaApiView):
    """Exchange a username and password for an API token (send it as `Authorization: Token <key>`).
    The same token is returned on every sign-in until it is deleted."""

    authentication_classes = []  # the credentials are the input: no session, so no CSRF
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]  # password guessing: PAKTA_LOGIN_RATE per client address
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        user_id = serializers.IntegerField()
        username = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise ApplicationError(INVALID_CREDENTIALS)
        token, _created = Token.objects.get_or_create(user=user)
        data = {"token": token.key, "user_id": user.pk, "username": user.get_username()}
        return Response(self.OutputSerializer(data).data, status=status.HTTP_200_OK)


def _ids(ids: set[int] | None) -> list[int] | None:
    return None if ids is None else sorted(ids)


def _roles(scope: UserScope) -> list[str]:
    roles: list[str] = [role for role in ("hr_admin", "compliance", "auditor") if role in scope.grants]
    if scope.official_id is not None and scope.held_position_ids:
        roles.append("official")
    if scope.is_superior:
        roles.append("superior")
    if scope.is_unit_head:
        roles.append("unit_head")
    if scope.is_superuser:
        roles.append("superuser")
    return roles


class MeApi(PaktaApiView):
    """The signed-in user, their roles and their scope. A unit list of `null` means "all units"."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        is_superuser = serializers.BooleanField()
        official = OfficialBriefSerializer(allow_null=True)
        roles = serializers.ListField(
            child=serializers.ChoiceField(
                choices=["hr_admin", "compliance", "auditor", "official", "superior", "unit_head", "superuser"]
            )
        )
        hr_unit_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
        compliance_unit_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
        auditor_unit_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
        headed_unit_ids = serializers.ListField(child=serializers.IntegerField())
        held_position_ids = serializers.ListField(child=serializers.IntegerField())
        subordinate_official_ids = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        scope = user_scope(request.user)
        official = Official.objects.filter(pk=scope.official_id).first() if scope.official_id else None
        user: Any = request.user

        def granted(role: str) -> list[int] | None:
            if scope.is_superuser:
                return None
            return _ids(scope.grants[role]) if role in scope.grants else []

        data = {
            "id": user.pk,
            "username": user.get_username(),
            "is_superuser": scope.is_superuser,
            "official": official,
            "roles": _roles(scope),
            "hr_unit_ids": granted("hr_admin"),
            "compliance_unit_ids": granted("compliance"),
            "auditor_unit_ids": granted("auditor"),
            "headed_unit_ids": sorted(scope.headed_unit_ids),
            "held_position_ids": sorted(scope.held_position_ids),
            "subordinate_official_ids": sorted(scope.subordinate_official_ids),
        }
        return Response(self.OutputSerializer(data).data)
