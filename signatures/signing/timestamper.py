"""The timestamping authority for signatures and archive timestamps, one per process."""

from __future__ import annotations

import threading

from django.conf import settings
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper

from signatures.signers import in_process_timestamper

_http_lock = threading.Lock()
_http_timestampers: dict[str, HTTPTimeStamper] = {}


def pakta_timestamper() -> TimeStamper:
    """The timestamping authority for signatures and archive timestamps, one per process: an RFC 3161
    client for `settings.PAKTA_TSA_URL` when it is set, else the embedded TSA (in-process, no HTTP).

    :raises signatures.ca.CaNotInitialized: no external TSA is configured and the CA has not been
        initialised.
    """
    url = getattr(settings, "PAKTA_TSA_URL", "")
    if not url:
        return in_process_timestamper()
    with _http_lock:
        stamper = _http_timestampers.get(url)
        if stamper is None:
            stamper = HTTPTimeStamper(url, timeout=10)
            _http_timestampers[url] = stamper
    return stamper
