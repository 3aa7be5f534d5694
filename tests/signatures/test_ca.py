"""The embedded CA: initialisation, enrolment, passphrase change, revocation, CRL and OCSP (issue §1)."""

import base64
import datetime
import io
import os
import stat
from urllib.parse import quote

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from audit.models import AuditEvent
from signatures import ca, keystore
from signatures.models import CaKey, Revocation, SigningIdentity
from signatures.signers import EmbeddedKeyHolder

from .conftest import ORGANISATION, PASSPHRASE

NIP = "198503142010011001"


def _cert(der: bytes | memoryview) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(der))


def _row(role: str, label: str = "") -> CaKey:
    return CaKey.objects.get(role=role, label=label, retired_at__isnull=True)


def _enrol(user, passphrase: str = PASSPHRASE, **overrides):
    fields = {
        "name": "Siti Rahmah",
        "nip": "199001012015032002",
        "unit_name": "Subbagian Umum",
        "organisation": ORGANISATION,
    }
    return ca.identity_enrol(user=user, passphrase=passphrase, actor=user, **{**fields, **overrides})


# --- Initialisation ---------------------------------------------------------------------------------


def test_initialize_creates_root_issuing_tsa_ocsp_and_seals(ca_root):
    root, issuing = _cert(_row("root").certificate), _cert(_row("issuing").certificate)
    tsa, responder = _cert(_row("tsa").certificate), _cert(_row("ocsp").certificate)
    seal = _cert(_row("seal", "KPPN-BNA").certificate)

    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    for cert in (tsa, responder, seal):
        cert.verify_directly_issued_by(issuing)
    for cert in (root, issuing, tsa, responder, seal):
        public_key = cert.public_key()
        assert isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name == "secp256r1"

    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 1
    assert issuing.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0
    assert 19 < (root.not_valid_after_utc - root.not_valid_before_utc).days / 365 < 21
    assert 9 < (issuing.not_valid_after_utc - issuing.not_valid_before_utc).days / 365 < 11

    tsa_eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert tsa_eku.critical and list(tsa_eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert list(responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.OCSP_SIGNING
    ]
    responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
    assert seal.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "KPPN Banda Aceh"

    event = AuditEvent.objects.get(action="signatures.ca.initialized")
    assert event.subject_id == str(ca_root.pk)
    assert "KPPN-BNA" in event.payload


def test_initialize_twice_is_refused_and_writes_nothing(ca_root):
    keys, events = CaKey.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ca.CaAlreadyInitialized):
        ca.ca_initialize(organisation=ORGANISATION)
    assert (CaKey.objects.count(), AuditEvent.objects.count()) == (keys, events)


def test_ca_keys_at_rest_are_encrypted_not_pem_or_der(ca_root):
    for row in CaKey.objects.all():
        blob = bytes(row.encrypted_key)
        assert b"-----BEGIN" not in blob and not blob.startswith(b"\x30")
        cert, key = ca.load_ca_key(row.role, row.label)
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        scalar = key.private_numbers().private_value.to_bytes(32, "big")
        assert der not in blob and scalar not in blob
        assert cert.public_key() == key.public_key()


def test_ca_init_command_creates_a_0600_key_file_and_is_idempotent(db, settings):
    out = io.StringIO()
    call_command("ca_init", "--organisation", ORGANISATION, "--seal", "KPPN-BNA=KPPN Banda Aceh", stdout=out)
    path = settings.PAKTA_CA_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert str(path) in out.getvalue()
    assert CaKey.objects.count() == 5
    key_bytes = path.read_bytes()

    again = io.StringIO()
    call_command("ca_init", stdout=again)
    assert "sudah ada" in again.getvalue()
    quiet = io.StringIO()
    call_command("ca_init", "--if-absent", stdout=quiet)
    assert quiet.getvalue() == ""
    assert CaKey.objects.count() == 5 and path.read_bytes() == key_bytes
    assert AuditEvent.objects.filter(action="signatures.ca.initialized").count() == 1


def test_ca_init_refuses_when_the_ca_exists_but_its_key_file_is_gone(ca_root, settings):
    settings.PAKTA_CA_KEY_FILE.unlink()
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("ca_init", "--if-absent", stdout=io.StringIO())
    assert not settings.PAKTA_CA_KEY_FILE.exists()


def test_issue_seal_renews_and_retires_the_previous_one(ca_root):
    first = _row("seal", "KPPN-BNA")
    second = ca.ca_issue_seal(unit_code="KPPN-BNA", unit_name="KPPN Banda Aceh", organisation=ORGANISATION)
    first.refresh_from_db()
    assert first.retired_at is not None and second.retired_at is None and second.serial != first.serial
    assert AuditEvent.objects.filter(action="signatures.seal.issued").count() == 1


# --- Enrolment ----------------------------------------------------------------------------------------


def test_enrolment_issues_a_signing_certificate_with_nip_and_non_repudiation(identity):
    cert = _cert(identity.certificate)
    issuing = _cert(_row("issuing").certificate)
    cert.verify_directly_issued_by(issuing)
    subject = {attribute.oid: attribute.value for attribute in cert.subject}
    assert subject == {
        NameOID.COMMON_NAME: "Nur Abdullah",
        NameOID.SERIAL_NUMBER: NIP,
        NameOID.ORGANIZATIONAL_UNIT_NAME: "Seksi Pencairan Dana",
        NameOID.ORGANIZATION_NAME: ORGANISATION,
        NameOID.COUNTRY_NAME: "ID",
    }
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    eku = list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert ca.EKU_DOCUMENT_SIGNING in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    access = {
        (item.access_method, item.access_location.value)
        for item in cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    }
    assert access == {
        (AuthorityInformationAccessOID.OCSP, "http://pakta.test/ca/ocsp"),
        (AuthorityInformationAccessOID.CA_ISSUERS, "http://pakta.test/ca/issuing.crt"),
    }
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == "http://pakta.test/ca/crl/issuing.crl"
    policy = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value[0]
    assert "tidak tersertifikasi" in policy.policy_qualifiers[0].explicit_text
    assert 729 <= (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 731
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.RFC822Name
    ) == ["nur.abdullah@example.go.id"]

    assert identity.backend == "embedded" and identity.status == "active"
    assert identity.serial == format(cert.serial_number, "x") and identity.subject_serial == NIP
    event = AuditEvent.objects.get(action="signatures.identity.enrolled")
    assert PASSPHRASE not in event.payload and "passphrase" not in event.payload


def test_the_private_key_is_stored_only_encrypted_under_the_passphrase(identity):
    blob = bytes(identity.encrypted_key)
    key_der = keystore.decrypt_with_passphrase(blob, PASSPHRASE)
    key = serialization.load_der_private_key(key_der, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.public_key() == _cert(identity.certificate).public_key()
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    assert key_der not in blob and scalar not in blob and b"-----BEGIN" not in blob
    assert not blob.startswith(b"\x30")


def test_enrolment_with_a_short_passphrase_is_refused_and_writes_nothing(ca_root, pegawai):
    events = AuditEvent.objects.count()
    with pytest.raises(keystore.PassphraseTooShort) as caught:
        _enrol(pegawai, passphrase="pendek")
    assert "paling sedikit 10 karakter" in str(caught.value.message)
    assert not SigningIdentity.objects.exists() and AuditEvent.objects.count() == events


def test_enrolment_with_an_empty_name_is_refused(ca_root, pegawai):
    with pytest.raises(ca.InvalidSubject, match="Nama wajib diisi"):
        _enrol(pegawai, name="   ")
    with pytest.raises(ca.InvalidSubject, match="terlalu panjang"):
        _enrol(pegawai, name="N" * 65)
    assert not SigningIdentity.objects.exists()


def test_enrolment_before_ca_init_is_refused(db, pegawai):
    with pytest.raises(ca.CaNotInitialized):
        _enrol(pegawai)
    assert not SigningIdentity.objects.exists()


def test_one_active_embedded_identity_per_user(identity, pegawai):
    events = AuditEvent.objects.count()
    with pytest.raises(ca.IdentityAlreadyActive):
        _enrol(pegawai)
    assert SigningIdentity.objects.count() == 1 and AuditEvent.objects.count() == events

    ca.identity_revoke(identity=identity, reason="superseded", actor=None)
    renewed = _enrol(pegawai)
    assert renewed.status == "active" and SigningIdentity.objects.count() == 2


def test_enrol_command_reads_the_passphrase_from_stdin(ca_root, pegawai, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    out = io.StringIO()
    call_command("enrol", "nur.abdullah", "--name", "Nur Abdullah", "--nip", NIP, "--unit", "Seksi PD", stdout=out)
    identity = SigningIdentity.objects.get(user=pegawai)
    assert identity.serial in out.getvalue()
    EmbeddedKeyHolder(identity, PASSPHRASE)  # opens with exactly the line read, newline stripped


def test_enrol_command_refuses_a_short_passphrase(ca_root, pegawai, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    with pytest.raises(CommandError, match="terlalu pendek"):
        call_command("enrol", "nur.abdullah", "--name", "Nur", "--nip", NIP, "--unit", "PD", stdout=io.StringIO())
    assert not SigningIdentity.objects.exists()


# --- Passphrase change -------------------------------------------------------------------------------


def test_passphrase_change_re_encrypts_the_same_key(identity):
    new = "teh-tarik-banda-aceh"
    ca.identity_change_passphrase(identity=identity, old=PASSPHRASE, new=new, actor=identity.user)
    identity.refresh_from_db()
    with pytest.raises(keystore.WrongPassphrase):
        EmbeddedKeyHolder(identity, PASSPHRASE)
    holder = EmbeddedKeyHolder(identity, new)
    assert holder.certificate.dump() == bytes(identity.certificate)
    event = AuditEvent.objects.get(action="signatures.identity.passphrase_changed")
    assert new not in event.payload and PASSPHRASE not in event.payload


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("salah-sekali-bukan-ini", "teh-tarik-banda-aceh", keystore.WrongPassphrase),
        (PASSPHRASE, "pendek", keystore.PassphraseTooShort),
        (PASSPHRASE, PASSPHRASE, ca.PassphraseUnchanged),
    ],
)
def test_passphrase_change_refusals_write_nothing(identity, old, new, error):
    blob, events = bytes(identity.encrypted_key), AuditEvent.objects.count()
    with pytest.raises(error):
        ca.identity_change_passphrase(identity=identity, old=old, new=new, actor=identity.user)
    identity.refresh_from_db()
    assert bytes(identity.encrypted_key) == blob and AuditEvent.objects.count() == events


# --- Revocation, CRL, OCSP -------------------------------------------------------------------------------


def _logged_in_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key or ""


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate, *, nonce: bytes | None = None) -> bytes:
    # SHA-1 in CertIDs is what RFC 5019 clients send; it names, it does not protect.
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def _ocsp_status(identity: SigningIdentity, *, nonce: bytes | None = None) -> ocsp.OCSPResponse:
    issuing = _cert(_row("issuing").certificate)
    response = ocsp.load_der_ocsp_response(
        ca.ocsp_response_der(_ocsp_request(_cert(identity.certificate), issuing, nonce=nonce))
    )
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    responder_key = _cert(_row("ocsp").certificate).public_key()
    assert isinstance(responder_key, ec.EllipticCurvePublicKey) and response.signature_hash_algorithm is not None
    responder_key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(response.signature_hash_algorithm))
    return response


def test_revocation_lists_the_serial_answers_revoked_and_ends_the_users_sessions(identity, pegawai, orang_lain):
    mine, other = _logged_in_session(pegawai), _logged_in_session(orang_lain)
    assert _ocsp_status(identity).certificate_status == ocsp.OCSPCertStatus.GOOD

    ca.identity_revoke(identity=identity, reason="affiliation_changed", actor=None)

    identity.refresh_from_db()
    assert identity.status == "revoked" and identity.revoked_at is not None
    revocation = Revocation.objects.get()
    assert (revocation.serial, revocation.identity_id) == (identity.serial, identity.pk)

    crl = x509.load_der_x509_crl(ca.crl_der("issuing"))
    issuing = _cert(_row("issuing").certificate)
    issuing_key = issuing.public_key()
    assert isinstance(issuing_key, ec.EllipticCurvePublicKey) and crl.is_signature_valid(issuing_key)
    entry = crl.get_revoked_certificate_by_serial_number(int(identity.serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.affiliation_changed
    assert crl.next_update_utc is not None
    assert crl.next_update_utc - crl.last_update_utc == datetime.timedelta(days=7)

    response = _ocsp_status(identity)
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_reason == x509.ReasonFlags.affiliation_changed

    assert not Session.objects.filter(session_key=mine).exists()
    assert Session.objects.filter(session_key=other).exists()
    event = AuditEvent.objects.get(action="signatures.identity.revoked")
    assert '"sessions_ended":1' in event.payload

    with pytest.raises(ca.IdentityNotActive):
        ca.identity_revoke(identity=identity, reason="superseded", actor=None)
    assert Revocation.objects.count() == 1


def test_revocation_with_an_unknown_reason_is_refused(identity):
    with pytest.raises(ca.InvalidRevocationReason):
        ca.identity_revoke(identity=identity, reason="bosan", actor=None)
    identity.refresh_from_db()
    assert identity.status == "active" and not Revocation.objects.exists()


def test_a_leaver_loses_every_identity_and_session(identity, pegawai):
    session = _logged_in_session(pegawai)
    assert ca.identities_revoke_for_user(user=pegawai, reason="privilege_withdrawn", actor=None) == 1
    assert not Session.objects.filter(session_key=session).exists()
    assert ca.identities_revoke_for_user(user=pegawai, reason="privilege_withdrawn", actor=None) == 0


def test_ocsp_echoes_the_nonce_and_knows_what_it_did_not_issue(identity):
    response = _ocsp_status(identity, nonce=b"0123456789abcdef")
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"0123456789abcdef"

    issuing = _cert(_row("issuing").certificate)
    stranger = _cert(identity.certificate)
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(
            *_issuer_hashes(issuing),
            serial_number=stranger.serial_number + 1,
            algorithm=hashes.SHA1(),  # noqa: S303
        )
        .build()
    )
    unknown = ocsp.load_der_ocsp_response(ca.ocsp_response_der(request.public_bytes(serialization.Encoding.DER)))
    assert unknown.certificate_status == ocsp.OCSPCertStatus.UNKNOWN

    root = _cert(_row("root").certificate)
    other_issuer = ocsp.load_der_ocsp_response(ca.ocsp_response_der(_ocsp_request(issuing, root)))
    assert other_issuer.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED

    malformed = ocsp.load_der_ocsp_response(ca.ocsp_response_der(b"not an OCSP request"))
    assert malformed.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def _issuer_hashes(issuer: x509.Certificate) -> tuple[bytes, bytes]:
    return ca._issuer_hashes(issuer, hashes.SHA1())  # noqa: S303


def test_revocation_material_is_made_in_process(identity):
    crls, ocsps = ca.revocation_material_for(identity.certificate)
    assert len(crls) == 2 and len(ocsps) == 1
    assert isinstance(ocsps[0], asn1_ocsp.OCSPResponse)
    assert ocsps[0]["response_status"].native == "successful"
    issuing_crls, issuing_ocsps = ca.revocation_material_for(_row("issuing").certificate)
    assert len(issuing_crls) == 1 and issuing_ocsps == []
    assert [root.dump() for root in ca.trust_roots()] == [bytes(_row("root").certificate)]


# --- HTTP endpoints (mounted at /ca/ by config/urls.py) --------------------------------------------------


@pytest.mark.urls("signatures.urls")
def test_endpoints_serve_certificates_crl_and_ocsp(identity, client):
    root = client.get("/root.crt")
    assert root.status_code == 200 and root["Content-Type"] == "application/pkix-cert"
    assert root.content == bytes(_row("root").certificate)
    assert client.get("/issuing.crt").content == bytes(_row("issuing").certificate)

    crl = client.get("/crl/issuing.crl")
    assert crl.status_code == 200 and crl["Content-Type"] == "application/pkix-crl"
    x509.load_der_x509_crl(crl.content)
    x509.load_der_x509_crl(client.get("/crl/root.crl").content)

    issuing = _cert(_row("issuing").certificate)
    answer = client.post(
        "/ocsp", _ocsp_request(_cert(identity.certificate), issuing), content_type="application/ocsp-request"
    )
    assert answer.status_code == 200 and answer["Content-Type"] == "application/ocsp-response"
    assert ocsp.load_der_ocsp_response(answer.content).certificate_status == ocsp.OCSPCertStatus.GOOD
    assert client.post("/ocsp", b"x", content_type="text/plain").status_code == 415
    assert client.post("/ocsp", b"0" * 20000, content_type="application/ocsp-request").status_code == 413
    assert client.get("/ocsp").status_code == 405

    # RFC 6960 A.1: the same request by GET, base64 in the path (URL-encoded), as NSS/Poppler send it first
    request_der = _ocsp_request(_cert(identity.certificate), issuing)
    encoded = quote(base64.b64encode(request_der).decode(), safe="")
    by_get = client.get(f"/ocsp/{encoded}")
    assert by_get.status_code == 200 and by_get["Content-Type"] == "application/ocsp-response"
    assert ocsp.load_der_ocsp_response(by_get.content).certificate_status == ocsp.OCSPCertStatus.GOOD
    garbled = ocsp.load_der_ocsp_response(client.get("/ocsp/not-base64!").content)
    assert garbled.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert client.get("/ocsp/" + "A" * 100_000).status_code == 414


@pytest.mark.urls("signatures.urls")
def test_endpoints_answer_404_before_ca_init(db, client):
    assert client.get("/root.crt").status_code == 404
    assert client.get("/crl/issuing.crl").status_code == 404
