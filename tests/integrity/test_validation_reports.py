"""A signed pact's validation report (signatures issue §3): made when the pact is sealed, a human summary
and the ETSI TS 119 102-2 XML report, both downloadable by those who may see the pact."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import TestCase
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from audit.models import AuditEvent
from integrity.models import IntegrityPact, PactValidationReport
from integrity.services import validation_reports
from integrity.services.signing import pact_issue_for_signing, pact_sign
from integrity.services.validation_reports import pact_validation_report_store, pact_validation_reports_missing
from integrity.tasks import store_pact_validation_report
from signatures import ca
from signatures.reports import ValidationReportError, etsi_validation_report_xml
from tests.integrity import test_pact_signing as plan
from tests.integrity.test_pact_signing import PASS_ATASAN, PASS_PEGAWAI

# The signing plan's fixtures: its settings (autouse) and the office with the pact and its signers.
_signing_settings = plan._signing_settings
office = plan.office
pact = plan.pact
pegawai = plan.pegawai
atasan = plan.atasan
orang_luar = plan.orang_luar

ETSI = "{http://uri.etsi.org/19102/v1.2.1#}"
TASK_PATH = "integrity.tasks.store_pact_validation_report"


def _sign_fully(pact: IntegrityPact, pegawai, atasan) -> None:
    """Both parties sign; the seal commits and enqueues the report's task, which runs here as the worker
    would run it."""
    pact_issue_for_signing(pact=pact, actor=pegawai)
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    with TestCase.captureOnCommitCallbacks(execute=True):
        pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    assert not PactValidationReport.objects.filter(pact=pact).exists()  # not in the signing request
    queued = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert queued.args_kwargs == {"args": [pact.pk], "kwargs": {}}
    store_pact_validation_report.call(pact.pk)
    queued.delete()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_sealing_stores_a_valid_report_with_summary_and_etsi_xml(office, pact, pegawai, atasan):
    """GIVEN a pact WHEN both parties sign (and it is sealed) THEN its report is stored: VALID, a summary
    naming both signers with their NIP, and an ETSI XML report with one passed signature report each (and
    one for the office seal)."""
    _sign_fully(pact, pegawai, atasan)
    report = PactValidationReport.objects.get(pact=pact)
    assert report.verdict == "VALID"
    assert report.revision.kind == "lta"
    assert "Dokumen sah dan utuh" in report.summary
    for role in ("pegawai", "atasan"):
        person = office["people"][role]
        assert person.full_name in report.summary
        assert person.nip in report.summary
    assert report.summary.count("tidak tersertifikasi") == 3  # the office seal, then both parties
    assert report.summary_json["verdict"] == "VALID"
    assert (report.xml.name or "").startswith("pacts/reports/")

    root = ET.fromstring(report.xml.read())  # noqa: S314 (our own output)
    assert root.tag == f"{ETSI}ValidationReport"
    signatures = root.findall(f"{ETSI}SignatureValidationReport")
    assert len(signatures) == 3
    indications = [s.findtext(f"{ETSI}SignatureValidationStatus/{ETSI}MainIndication") for s in signatures]
    assert indications == ["urn:etsi:019102:mainindication:total-passed"] * 3
    assert root.find(f"{ETSI}SignatureValidationObjects") is not None

    event = AuditEvent.objects.filter(action="integrity.pact.validation_report_stored").get()
    payload = json.loads(event.payload)
    assert payload["pact_id"] == pact.pk and payload["verdict"] == "VALID"


def test_report_can_be_made_again_and_replaces_the_old_one(pact, pegawai, atasan):
    _sign_fully(pact, pegawai, atasan)
    again = pact_validation_report_store(pact=pact)
    assert again is not None
    assert PactValidationReport.objects.filter(pact=pact).count() == 1


def test_a_failing_report_leaves_the_pact_signed(pact, pegawai, atasan, monkeypatch):
    """GIVEN the ETSI report crashes WHEN the pact is sealed THEN it is SIGNED anyway, without a report."""

    def boom(*args, **kwargs):
        raise ValidationReportError("rusak")

    monkeypatch.setattr(validation_reports, "etsi_validation_report_xml", boom)
    _sign_fully(pact, pegawai, atasan)
    assert not PactValidationReport.objects.filter(pact=pact).exists()
    monkeypatch.undo()
    assert pact_validation_report_store(pact=pact) is not None


def test_nightly_makes_the_reports_that_are_missing_and_only_those(pact, pegawai, atasan):
    """GIVEN a sealed pact whose report task was lost WHEN the nightly job runs THEN its report is made,
    once: a second run finds nothing to do."""
    pact_issue_for_signing(pact=pact, actor=pegawai)
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)  # on-commit callbacks never run here: task lost
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    assert not PactValidationReport.objects.filter(pact=pact).exists()
    assert pact_validation_reports_missing() == 1
    assert PactValidationReport.objects.get(pact=pact).verdict == "VALID"
    assert pact_validation_reports_missing() == 0


def test_a_pdf_without_signatures_gets_an_indonesian_error(office):
    with pytest.raises(ValidationReportError, match="Laporan validasi ETSI tidak dapat dibuat"):
        etsi_validation_report_xml(b"%PDF-1.7\nnot really\n", trust_roots=ca.trust_roots())


def test_api_downloads_the_summary_and_the_xml_and_hides_them_from_outsiders(pact, pegawai, atasan, orang_luar):
    _sign_fully(pact, pegawai, atasan)
    summary = _client(atasan).get(f"/api/v1/pacts/{pact.pk}/validation-report/")
    assert summary.status_code == 200, summary.content
    body = summary.json()
    assert body["verdict"] == "VALID" and body["number"] == pact.number
    assert "Dokumen sah dan utuh" in body["summary"]
    assert body["xml_url"].endswith(f"/api/v1/pacts/{pact.pk}/validation-report.xml")

    xml = _client(pegawai).get(f"/api/v1/pacts/{pact.pk}/validation-report.xml")
    assert xml.status_code == 200
    assert xml["Content-Type"] == "application/xml"
    content = b"".join(xml.streaming_content)  # type: ignore[attr-defined]  # a FileResponse
    assert ET.fromstring(content).tag == f"{ETSI}ValidationReport"  # noqa: S314 (our own output)

    for url in ("validation-report/", "validation-report.xml"):
        assert _client(orang_luar).get(f"/api/v1/pacts/{pact.pk}/{url}").status_code == 404
