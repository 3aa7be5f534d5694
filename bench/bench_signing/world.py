"""The environment (throwaway database, CA key file, media, production scrypt) and the fixture: one KPPN,
its officials with accounts and identities, their pacts with rendered documents.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import logging
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.test import override_settings

from bench._db import throwaway_database
from bench.bench_signing.constants import D0, KPPN_CODE, KPPN_NAME, ORGANISATION, PASSPHRASE, STAFF_PER_SECTION


@contextlib.contextmanager
def _environment() -> Iterator[Path]:
    """A temporary directory for the CA key file, media and (SQLite) the database file; the throwaway
    database in it; production scrypt; the embedded TSA."""
    from signatures import keystore

    directory = Path(tempfile.mkdtemp(prefix="pakta-bench-signing-"))
    test_settings = connection.settings_dict.setdefault("TEST", {})
    previous_name = test_settings.get("NAME")
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(directory / "pakta.sqlite3")
    else:
        test_settings["NAME"] = f"test_{connection.settings_dict['NAME']}_bench_sign"
    quiet = {name: logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")}
    levels = {name: logger.level for name, logger in quiet.items()}
    for logger in quiet.values():  # their INFO lines (one per certificate path validated) would drown the output
        logger.setLevel(logging.WARNING)
    overrides = override_settings(
        PAKTA_CA_KEY_FILE=directory / "ca.key",
        MEDIA_ROOT=directory / "media",
        PAKTA_TSA_URL="",
        PAKTA_SIGNING_SCRYPT_LOG2_N=keystore.SCRYPT_LOG2_N,
        PAKTA_CERTIFIED_ROOTS_DIR="",
        ALLOWED_HOSTS=["127.0.0.1"],
    )
    try:
        with overrides, throwaway_database():
            yield directory
    finally:
        test_settings["NAME"] = previous_name
        for name, logger in quiet.items():
            logger.setLevel(levels[name])
        shutil.rmtree(directory, ignore_errors=True)


class _Nips:
    """Valid, unique NIPs (DOMAIN.md §5.1): one birth date per person, TMT CPNS at 23."""

    def __init__(self) -> None:
        self._n = itertools.count()

    def __next__(self) -> str:
        n = next(self._n)
        birth = datetime.date(1966, 1, 1) + datetime.timedelta(days=7 * n)
        return f"{birth:%Y%m%d}{birth.year + 23:04d}{n % 12 + 1:02d}{n % 2 + 1}001"


@dataclass
class Signer:
    user: Any
    identity: Any
    holder: Any = None  # an opened EmbeddedKeyHolder, made when needed (one key derivation)


@dataclass
class World:
    pacts: list[Any]  # staff pacts (order 1 = staff, order 2 = section head), sections interleaved
    signers: dict[int, Signer]  # official id -> signer
    key: Any  # the shared private key (loaded)
    office: Any
    raw: dict[str, Any] = field(default_factory=dict)


def _build(n_staff: int) -> World:
    """The office, its officials with accounts and identities, their pacts with rendered documents."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.contrib.auth import get_user_model

    from integrity.models import Assignment, IntegrityPact, Official, PactParty, Position, Unit
    from integrity.services.pact_documents import pact_document_ensure
    from integrity.services.pacts import pacts_reconcile
    from signatures import ca, keystore
    from signatures.models import SigningIdentity

    n_sections = -(-n_staff // STAFF_PER_SECTION)
    ministry = Unit.objects.create(code="KEMENKEU", name="Kementerian Keuangan Republik Indonesia", kind="ministry")
    dg = Unit.objects.create(code="DJPB", name=ORGANISATION, kind="dg", parent=ministry)
    kanwil = Unit.objects.create(
        code="KANWIL-ACEH", name="Kanwil DJPb Provinsi Aceh", kind="kanwil", parent=dg, city="Banda Aceh"
    )
    kppn = Unit.objects.create(code=KPPN_CODE, name=KPPN_NAME, kind="kppn", parent=kanwil, city="Banda Aceh")
    sections = Unit.objects.bulk_create(
        Unit(code=f"{KPPN_CODE}-S{s:02d}", name=f"Seksi {s:02d}", kind="section", parent=kppn)
        for s in range(n_sections)
    )
    structural, staff_kind = Position.Kind.STRUCTURAL, Position.Kind.STAFF
    kppn_head = Position.objects.create(
        code="KAKPPN", title="Kepala KPPN", unit=kppn, is_unit_head=True, kind=structural
    )
    heads = Position.objects.bulk_create(
        Position(
            code=f"{u.code}-KEPALA", title=f"Kepala {u.name}", unit=u, reports_to=kppn_head, is_unit_head=True,
            kind=structural,
        )
        for u in sections
    )  # fmt: skip
    staff = Position.objects.bulk_create(
        Position(
            code=f"{heads[i % n_sections].unit.code}-P{i:04d}", title="Pelaksana", unit=heads[i % n_sections].unit,
            reports_to=heads[i % n_sections], kind=staff_kind,
        )
        for i in range(n_staff)
    )  # fmt: skip
    positions = [kppn_head, *heads, *staff]
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=f"bench{i:05d}", password="!unusable")  # noqa: S106 (no login by password)
        for i in range(len(positions))
    )
    nips = _Nips()
    officials = Official.objects.bulk_create(
        Official(nip=next(nips), name=f"Pegawai Bench {i:05d}", email="", user=user) for i, user in enumerate(users)
    )
    Assignment.objects.bulk_create(
        Assignment(official=o, position=p, effective_date=D0, decree_number="BENCH/2026")
        for o, p in zip(officials, positions, strict=True)
    )

    keystore.ca_key_file_create()
    ca.ca_initialize(organisation=ORGANISATION, unit_seals=[(KPPN_CODE, KPPN_NAME)])
    key = ec.generate_private_key(ec.SECP256R1())
    blob = keystore.encrypt_with_passphrase(ca._pkcs8(key), PASSPHRASE)  # the one enrolment KDF
    signers: dict[int, Signer] = {}
    for official, position, user in zip(officials, positions, users, strict=True):
        subject = ca._Subject.clean(
            name=official.full_name, nip=official.nip, unit_name=position.unit.name, organisation=ORGANISATION
        )
        with transaction.atomic():
            identity = ca._create_identity(
                user=user,
                backend=SigningIdentity.Backend.EMBEDDED,
                subject=subject,
                public_key=key.public_key(),
                encrypted_key=blob,
                actor=user,
            )
        signers[official.pk] = Signer(user=user, identity=identity)

    pacts_reconcile(as_of=D0)
    staff_ids = {o.pk for o in officials[1 + n_sections :]}
    by_staff = {
        party.official_id: party.pact
        for party in PactParty.objects.filter(
            order=1, official_id__in=staff_ids, pact__kind=IntegrityPact.Kind.EMPLOYEE_SUPERIOR
        ).select_related("pact")
    }
    # Staff were assigned round-robin over the sections: in this order consecutive pacts have different
    # section heads (two workers never wait on one head's identity).
    pacts = [by_staff[o.pk] for o in officials[1 + n_sections :]]
    pacts = [pact_document_ensure(pact=pact) for pact in pacts]
    return World(pacts=pacts, signers=signers, key=key, office=kppn)


def _parties(pact: Any) -> list[Any]:
    return list(pact.parties.select_related("official").order_by("order"))


def _signer(world: World, party: Any) -> Signer:
    from signatures.signers import EmbeddedKeyHolder

    signer = world.signers[party.official_id]
    if signer.holder is None:
        signer.holder = EmbeddedKeyHolder(signer.identity, PASSPHRASE)
    return signer


def _latest_bytes(pact: Any) -> bytes:
    from integrity.selectors.signing import pact_latest_revision, pact_revision_bytes

    revision = pact_latest_revision(pact)
    assert revision is not None
    return pact_revision_bytes(revision)
