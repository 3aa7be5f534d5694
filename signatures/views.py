"""Public endpoints of the embedded CA: its certificates, CRLs and OCSP (signatures issue §1).

Relying parties (Adobe Reader, pyHanko, BSrE's verifier) fetch these without logging in, so the views are
public, read-only except for OCSP's POST (which changes nothing and carries no CSRF token). They answer 404
while the CA has not been initialised.
"""

import base64
import binascii
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from signatures import ca
from signatures.models import CaKey

OCSP_REQUEST_MAX_BYTES = 16 * 1024
# The base64 of the largest request accepted, URL-encoded (every character may become %XX).
OCSP_GET_MAX_CHARS = 3 * (OCSP_REQUEST_MAX_BYTES * 4 // 3 + 4)


def _binary(body: bytes, content_type: str, *, max_age: int, filename: str = "") -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={max_age}"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _not_initialized() -> HttpResponse:
    return HttpResponse(str(ca.CA_NOT_INITIALIZED), status=404, content_type="text/plain; charset=utf-8")


@require_GET
def root_certificate(request: HttpRequest) -> HttpResponse:
    """GET /ca/root.crt: the root certificate (DER, application/pkix-cert, RFC 2585)."""
    try:
        der = ca.ca_certificate_der(CaKey.Role.ROOT)
    except ca.CaNotInitialized:
        return _not_initialized()
    return _binary(der, "application/pkix-cert", max_age=86400, filename="pakta-root.crt")


@require_GET
def issuing_certificate(request: HttpRequest) -> HttpResponse:
    """GET /ca/issuing.crt: the issuing CA certificate (DER; the caIssuers URL of end-entity certificates)."""
    try:
        der = ca.ca_certificate_der(CaKey.Role.ISSUING)
    except ca.CaNotInitialized:
        return _not_initialized()
    return _binary(der, "application/pkix-cert", max_age=86400, filename="pakta-issuing.crt")


def _crl(role: str) -> HttpResponse:
    try:
        der = ca.crl_der(role)
    except ca.CaNotInitialized:
        return _not_initialized()
    return _binary(der, "application/pkix-crl", max_age=3600)


@require_GET
def issuing_crl(request: HttpRequest) -> HttpResponse:
    """GET /ca/crl/issuing.crl: the issuing CA's CRL (DER, application/pkix-crl)."""
    return _crl(CaKey.Role.ISSUING)


@require_GET
def root_crl(request: HttpRequest) -> HttpResponse:
    """GET /ca/crl/root.crl: the root's CRL (covers the issuing CA certificate)."""
    return _crl(CaKey.Role.ROOT)


@csrf_exempt
@require_POST
def ocsp(request: HttpRequest) -> HttpResponse:
    """POST /ca/ocsp: an OCSP request (application/ocsp-request) answered with application/ocsp-response
    (RFC 6960 Appendix A). Problems with the request itself are answered inside the OCSP response
    (malformedRequest), as the RFC wants; only a wrong media type or an oversized body is an HTTP error."""
    if request.content_type != "application/ocsp-request":
        return HttpResponse(status=415)
    body = request.body  # Django caps it at DATA_UPLOAD_MAX_MEMORY_SIZE
    if len(body) > OCSP_REQUEST_MAX_BYTES:
        return HttpResponse(status=413)
    return _ocsp_answer(body)


@require_GET
def ocsp_get(request: HttpRequest, encoded: str) -> HttpResponse:
    """GET /ca/ocsp/<request>: the same OCSP request as base64 in the path, URL-encoded (RFC 6960 A.1).
    Readers such as Poppler/NSS try GET first; an undecodable request gets malformedRequest in OCSP."""
    if len(encoded) > OCSP_GET_MAX_CHARS:
        return HttpResponse(status=414)
    try:
        body = base64.b64decode(unquote(encoded), validate=True)
    except (binascii.Error, ValueError):
        body = b""  # answered as malformedRequest, like a garbled POST body
    return _ocsp_answer(body)


def _ocsp_answer(body: bytes) -> HttpResponse:
    try:
        der = ca.ocsp_response_der(body)
    except ca.CaNotInitialized:
        return _not_initialized()
    response = HttpResponse(der, content_type="application/ocsp-response")
    response["Cache-Control"] = "no-store"
    return response
