"""Pact templates: versioned Typst sources (issue §7 "Pact documents"; DOMAIN.md §1.2 "store the text as a
versioned template").

A template version is immutable. Publishing a source whose SHA-256 differs from every stored version of
its kind creates the next version; pacts keep the version they were rendered with
(`IntegrityPact.template`), so changing a template never changes an existing pact's document.
"""

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from audit.services import audit_record
from integrity.models import IntegrityPact, PactTemplate

PACT_TEMPLATE_KIND_UNKNOWN = _("Jenis templat pakta %(kind)s tidak dikenal.")
PACT_TEMPLATE_EMPTY = _("Sumber templat pakta %(kind)s kosong.")


class PactTemplateError(ApplicationError):
    pass


def pact_template_publish(*, kind: str, source: str, actor: Any = None) -> PactTemplate:
    """Make `source` the current template of `kind` and return its version.

    - The latest version already has this source: it is returned, nothing is written.
    - An older version has this source (a change was reverted): that version is returned, since
      versions are unique per content (`pact_template_content_unique`) and it renders identically.
    - Otherwise version latest+1 is created, with audit event `integrity.pact_template.published`.

    Concurrent publishers of the same source end with one version: the unique constraints decide,
    and the loser returns the winner's row.

    :raises PactTemplateError: unknown kind or empty source.
    """
    if kind not in IntegrityPact.Kind.values:
        raise PactTemplateError(PACT_TEMPLATE_KIND_UNKNOWN % {"kind": kind})
    if not source.strip():
        raise PactTemplateError(PACT_TEMPLATE_EMPTY % {"kind": kind})
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    existing = PactTemplate.objects.filter(kind=kind, sha256=digest).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            latest = PactTemplate.objects.select_for_update().filter(kind=kind).order_by("-version").first()
            template = PactTemplate.objects.create(
                kind=kind, version=(latest.version + 1) if latest else 1, source=source, sha256=digest
            )
            audit_record(
                action="integrity.pact_template.published",
                actor=actor,
                subject=template,
                payload={
                    "kind": kind,
                    "version": template.version,
                    "sha256": digest,
                    "previous_version": latest.version if latest else None,
                },
            )
    except IntegrityError:
        # Another publisher stored this version number or this source first.
        winner = PactTemplate.objects.filter(kind=kind, sha256=digest).first()
        if winner is None:
            raise
        return winner
    return template
