"""HTTP for revocation data: one GET (a CRL) or POST (an OCSP request) to a URL a certificate names, bounded
in every way an outside server could stretch it.

- Only http and https; never Pakta's own host (`settings.PAKTA_BASE_URL`, any port); never a host that
  resolves to an internal address (loopback, private, link-local, multicast, reserved, unspecified) unless
  `settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS`, and the addresses connected to are the ones checked (a
  DNS answer that changes in between gains nothing); a few redirects, each checked like the first URL,
  their own bodies never read.
- At most `FETCH_MAX_BYTES` per answer (a larger declared length is refused before reading).
- At most `FETCH_TIMEOUT` seconds in all: resolving, connecting, the TLS handshake, redirects, headers and
  body. The request runs in a thread of its own while the caller waits for the time left; when it is up, the
  caller gets a `TimeoutError` and the request's sockets are shut down, so a server that sends a byte every
  few seconds (in the headers as much as in the body) holds neither the caller nor the thread.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

FETCH_TIMEOUT = 10.0
"""Seconds one CRL or OCSP request may take in all (resolving, connecting, redirects, reading)."""
FETCH_MAX_BYTES = 10 * 1024 * 1024
"""The largest CRL or OCSP response read; a larger one is refused."""
FETCHABLE_SCHEMES = ("http", "https")

PRIVATE_NETWORK_REFUSED = _(
    "alamat jaringan internal tidak diizinkan: %(host)s mengarah ke %(address)s (atur "
    "PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS hanya bila memang disengaja)"
)

_MAX_REDIRECTS = 3
_READ_CHUNK = 64 * 1024


class FetchRefused(ValueError):
    """A URL (or a redirect) that Pakta does not fetch: not http(s), on its own host, or on an internal
    network address."""


def is_ours(url: str) -> bool:
    """Whether `url` is on the host of `settings.PAKTA_BASE_URL` (any port): that would be HTTP to ourselves."""
    own = urllib.parse.urlsplit(str(settings.PAKTA_BASE_URL)).hostname
    host = urllib.parse.urlsplit(url).hostname
    return bool(own) and bool(host) and str(host).lower().rstrip(".") == str(own).lower().rstrip(".")


def fetch(url: str, *, data: bytes | None = None, content_type: str | None = None) -> bytes:
    """GET `url` (or POST `data`), at most `FETCH_MAX_BYTES` within `FETCH_TIMEOUT` seconds in all.

    :raises FetchRefused: the URL or a redirect is not fetchable (a ValueError).
    :raises ValueError: the answer is larger than allowed.
    :raises TimeoutError: no complete answer in time (an OSError).
    :raises OSError: the request failed (resolving, connection, HTTP error status).
    :raises http.client.HTTPException: the server's answer is not HTTP.
    """
    timeout = FETCH_TIMEOUT
    request = _Request(url, data, content_type, deadline=time.monotonic() + timeout)
    worker = threading.Thread(target=request.run, name="pakta-revocation-fetch", daemon=True)
    try:
        worker.start()
    except RuntimeError as exc:  # no thread to be had (the process is at its limit)
        raise OSError(f"cannot start the request: {exc}") from None
    worker.join(timeout)
    if worker.is_alive():
        request.abandon()
        raise TimeoutError(f"no complete answer within {timeout:g} s")
    return request.outcome()


class _Request:
    """One fetch, run by its own thread; `abandon` shuts its sockets down from the caller's thread."""

    def __init__(self, url: str, data: bytes | None, content_type: str | None, *, deadline: float) -> None:
        self.url = url
        self.data = data
        self.content_type = content_type
        self.deadline = deadline
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._abandoned = False
        self.targets: set[str] = set()  # the URLs' own hosts (checked as public), not a proxy's
        self._body: bytes | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        _current.request = self
        try:
            self._body = self._get()
        except BaseException as exc:
            self._error = exc
        finally:
            _current.request = None

    def outcome(self) -> bytes:
        if self._error is not None:
            raise self._error
        assert self._body is not None
        return self._body

    def remaining(self) -> float:
        """Seconds left, for a socket's timeout.

        :raises TimeoutError: none.
        """
        left = self.deadline - time.monotonic()
        if left <= 0 or self._abandoned:
            raise TimeoutError("the time for the request is up")
        return left

    def register(self, sock: socket.socket) -> None:
        """Keeps `sock` to shut it down if the request is abandoned (at once if it already is)."""
        with self._lock:
            self._sockets.append(sock)
            if self._abandoned:
                _shut(sock)

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            for sock in self._sockets:
                _shut(sock)

    def _get(self) -> bytes:
        check_url(self.url)
        headers = {"User-Agent": "Pakta"}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        method = "POST" if self.data is not None else "GET"
        request = urllib.request.Request(self.url, data=self.data, headers=headers, method=method)  # noqa: S310 (checked above)
        try:
            response = _opener().open(request, timeout=self.remaining())
        except urllib.error.HTTPError as exc:
            exc.close()
            raise OSError(f"HTTP {exc.code} {exc.reason}") from None
        with response:
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > FETCH_MAX_BYTES:
                raise ValueError(f"the answer is larger than {FETCH_MAX_BYTES} bytes")
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read1(_READ_CHUNK):
                size += len(chunk)
                if size > FETCH_MAX_BYTES:
                    raise ValueError(f"the answer is larger than {FETCH_MAX_BYTES} bytes")
                chunks.append(chunk)
                self.remaining()
        return b"".join(chunks)


def _shut(sock: socket.socket) -> None:
    """Wakes a thread blocked reading `sock` (closing alone would not); a socket already closed is left."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


_current = threading.local()


def _request() -> _Request:
    request = getattr(_current, "request", None)
    if request is None:  # pragma: no cover - the opener is used only by `fetch`
        raise RuntimeError("revocation fetches run through signatures.revocation.fetch.fetch")
    return request


def check_url(url: str) -> None:
    """:raises FetchRefused: `url` is not fetchable (scheme, own host, internal address)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in FETCHABLE_SCHEMES or not parts.hostname:
        raise FetchRefused(f"only http and https URLs are fetched, not {url!r}")
    if is_ours(url):
        raise FetchRefused(f"{url} is Pakta's own host")
    if not settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS:
        for *_rest, sockaddr in socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP):
            _check_public(parts.hostname, sockaddr)
        _request().targets.add(parts.hostname.lower())


def _check_public(host: str, sockaddr: tuple[Any, ...]) -> None:
    """Refuses a loopback, private, link-local, multicast, reserved or unspecified address (a CA's URL must
    not make Pakta reach into its own network).

    :raises FetchRefused: `sockaddr` is one.
    """
    address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        raise FetchRefused(str(PRIVATE_NETWORK_REFUSED % {"host": host, "address": address}))


def _open_socket(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
    """`socket.create_connection` for the request's connections: each socket is registered with the request
    before it connects (so the deadline cuts connecting too), and a connection to a URL's own host goes only
    to addresses checked as public, those resolved here, so a DNS answer cannot change in between (a proxy's
    address, which the operator configured, is not checked).

    :raises FetchRefused: the host resolves to an internal address.
    :raises OSError: it does not resolve, or no address answers.
    """
    request = _request()
    host, port = address
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS and host.lower() in request.targets:
        for *_rest, sockaddr in infos:
            _check_public(host, sockaddr)
    failure: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        request.register(sock)
        try:
            sock.settimeout(request.remaining())
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        return sock
    raise failure or OSError(f"{host} has no address")


class _Connection(http.client.HTTPConnection):
    """Connects through `_open_socket`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _open_socket


class _TlsConnection(http.client.HTTPSConnection):
    """Connects through `_open_socket`, and registers the TLS socket before its handshake, so a handshake
    dripped byte by byte is cut at the deadline too. The certificate and the host name are checked as by
    `http.client.HTTPSConnection` (the same context, the same server name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _open_socket

    def connect(self) -> None:
        request = _request()
        http.client.HTTPConnection.connect(self)
        context: ssl.SSLContext = self._context  # type: ignore[attr-defined]
        tunnel: str | None = self._tunnel_host  # type: ignore[attr-defined]
        tls = context.wrap_socket(self.sock, server_hostname=tunnel or self.host, do_handshake_on_connect=False)
        self.sock = tls
        request.register(tls)
        tls.do_handshake()


class _HttpHandler(urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        return self.do_open(_Connection, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        return self.do_open(_TlsConnection, req, context=self._context)  # type: ignore[attr-defined]


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a few redirects, each checked like the first URL."""

    max_redirections = _MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        try:
            check_url(newurl)
            return super().redirect_request(req, fp, code, msg, headers, newurl)
        finally:
            fp.close()  # the redirect's own body is never used; urllib would read all of it, however large


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """One opener per process: building an SSL context with the system's CA store takes ~17 ms that would
    otherwise go into every fetch."""
    return urllib.request.build_opener(_CheckedRedirects, _HttpHandler, _HttpsHandler)
