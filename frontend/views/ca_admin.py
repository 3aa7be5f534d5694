"""The CA admin page (signatures issue §5 "Web UI and API"), `/admin-ca/`: the embedded CA, its TSA, and the
certificates issued and revoked, for system administrators and auditors (read-only). It reads the same
overview as the API (`integrity.apis.ca_status`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from integrity.apis.ca_status import ca_overview, can_read_ca
from integrity.selectors import user_scope


@login_required
@require_GET
def ca_admin(request: HttpRequest) -> HttpResponse:
    """The embedded CA for system administrators and auditors (read-only)."""
    if not can_read_ca(user_scope(request.user)):
        raise PermissionDenied
    return render(request, "frontend/ca_admin.html", {"ca": ca_overview()})
