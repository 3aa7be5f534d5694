""" "Kotak masuk": the in-app notifications of the signed-in official (reminders and the like)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontend.navigation import can_see_own_pacts
from integrity.models import InboxMessage
from integrity.selectors import user_scope

PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    if not can_see_own_pacts(scope):
        raise PermissionDenied
    assert scope.official_id is not None
    messages = InboxMessage.objects.filter(official_id=scope.official_id).order_by("-created_at", "-pk")
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/inbox.html", {"page": page})
