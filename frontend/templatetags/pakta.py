"""Template helpers for the base layout and the pact tables."""

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from frontend import labels
from frontend.navigation import Navigation, navigation_for

register = template.Library()


@register.simple_tag(takes_context=True)
def pakta_navigation(context: template.Context) -> Navigation:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return Navigation(roles=[], items=[])
    return navigation_for(request)


@register.filter
def state_label(state: str) -> Any:
    return labels.label(labels.STATE_LABELS, state)


@register.filter
def kind_label(kind: str) -> Any:
    return labels.label(labels.KIND_LABELS, kind)


@register.filter
def party_role_label(role: str) -> Any:
    return labels.label(labels.PARTY_ROLE_LABELS, role)


@register.filter
def acting_label(acting: str) -> Any:
    return labels.label(labels.ACTING_LABELS, acting)


@register.filter
def move_kind_label(kind: str) -> Any:
    return labels.label(labels.MOVE_KIND_LABELS, kind)


@register.filter
def is_local_url(url: str) -> bool:
    """True for a path on this site ("/pacts/1/"), never for another host or scheme."""
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
