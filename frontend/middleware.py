"""Bahasa Indonesia unless the user chose otherwise.

Django's `LocaleMiddleware` also follows the browser's Accept-Language, so an office PC with an
English browser would open Pakta in English. This subclass keeps the rest of its behaviour but
takes the language only from the user's choice (the cookie `set_language` writes), falling back to
`LANGUAGE_CODE` ("id"). To use it, put `frontend.middleware.ChosenLanguageMiddleware` in
`MIDDLEWARE` in place of `django.middleware.locale.LocaleMiddleware`.
"""

import contextlib

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Pages: the user's choice, else Indonesian. API (/api/): a client may also ask through
    Accept-Language, which is how an API client states its language."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen:
            with contextlib.suppress(LookupError):  # an unknown cookie value: keep the default
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
