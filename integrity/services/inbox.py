"""The in-app inbox: marking a message read."""

from django.utils import timezone

from integrity.models import InboxMessage


def inbox_message_mark_read(*, message: InboxMessage) -> InboxMessage:
    """Mark a message read; the first read time is kept (a conditional update, so two tabs
    marking the same message agree). A per-user reading mark, not a business fact: no audit event."""
    InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    message.refresh_from_db(fields=["read_at"])
    return message
