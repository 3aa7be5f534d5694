"""Secrets as input, shared by the signing endpoints (`integrity.apis.signing_identity`,
`integrity.apis.pact_signatures`) and the signing pages (`frontend.views.enrolment`, `frontend.views.signing`).

**Passphrases**, token PINs and PKCS#12 passwords travel only in request bodies (never a URL or header),
are never stored, logged, audited or sent back: the fields below are write-only and kept exactly as typed,
the views mark them sensitive for Django's error reports (`sensitive_passphrases`, `SENSITIVE_FIELDS`), and
the wrong-passphrase answer only counts the attempts left. A wrong PIN is the token's to count (it locks
itself); Pakta only passes its refusal on.
"""

from __future__ import annotations

from typing import Any

from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from rest_framework import serializers

from signatures import keystore

PASSPHRASES_DIFFER = _("Kedua passphrase tidak sama. Ketik ulang keduanya.")
PASSPHRASE_FIELDS = ("passphrase", "passphrase_confirm", "old_passphrase", "new_passphrase", "new_passphrase_confirm")
SENSITIVE_FIELDS = (*PASSPHRASE_FIELDS, "pkcs12_password", "pin")
PIN_MAX_LENGTH = 256


def passphrase_field(**kwargs: Any) -> serializers.CharField:
    # Kept exactly as typed: spaces are part of a passphrase.
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=keystore.PASSPHRASE_MAX_LENGTH,
        style={"input_type": "password"},
        **kwargs,
    )


def pin_field(**kwargs: Any) -> serializers.CharField:
    # Kept exactly as typed, like a passphrase; never sent back.
    return serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=PIN_MAX_LENGTH, style={"input_type": "password"}, **kwargs
    )


def sensitive_passphrases[V: type](view: V) -> V:
    """Class decorator: every passphrase, PIN and PKCS#12 password field is sensitive in Django's error
    reports, and so are all local variables of the view's `post` (the validated data holding them)."""
    view = method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")(view)
    if hasattr(view, "post"):
        view = method_decorator(sensitive_variables(), name="post")(view)
    return view
