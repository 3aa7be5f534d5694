"""The signing state of a pact for the pact detail page (who signed, certified or not, whose turn), read by
`integrity.selectors.signing.pact_signing` like the sign page and the API."""

from typing import Any

from django import template

from integrity.models import IntegrityPact
from integrity.selectors.signing import PactSigning, pact_signing

register = template.Library()


@register.simple_tag(takes_context=True)
def pact_signing_state(context: template.Context, pact: IntegrityPact) -> PactSigning:
    """`{% pact_signing_state pact as signing %}`: the pact's signing state for the signed-in user."""
    request: Any = context.get("request")
    return pact_signing(pact, getattr(request, "user", None))
