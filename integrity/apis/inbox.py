"""The signed-in official's in-app messages (reminders, escalations)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, paginated
from integrity.models import InboxMessage
from integrity.selectors import user_scope
from integrity.services.inbox import inbox_message_mark_read


def inbox_of(request: Request) -> QuerySet[InboxMessage]:
    """Only the user's own messages: anyone else's answers 404."""
    official_id = user_scope(request.user).official_id
    if official_id is None:
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(official_id=official_id)


class InboxMessageSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = InboxMessage
        fields = ["id", "subject", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, message: InboxMessage) -> bool:
        return message.read_at is not None


class InboxListApi(PaktaApiView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(parameters=[FilterSerializer], responses=InboxMessageSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = inbox_of(request).order_by("-created_at", "-pk")
        unread = filters.validated_data.get("unread")
        if unread is not None:
            qs = qs.filter(read_at__isnull=unread)
        return paginated(self, request, qs, InboxMessageSerializer)


class InboxMessageReadApi(PaktaApiView):
    """Mark one of your messages as read (idempotent: the first read time is kept)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=InboxMessageSerializer)
    def post(self, request: Request, pk: int) -> Response:
        message = get_object_or_404(inbox_of(request), pk=pk)
        inbox_message_mark_read(message=message)
        return Response(InboxMessageSerializer(message).data)
