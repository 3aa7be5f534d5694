"""Integrity API routes, included under /api/v1/ (config/api_urls.py)."""

from django.urls import path

from integrity.apis import (
    auth,
    ca_status,
    decrees,
    inbox,
    journal,
    org,
    pact_signatures,
    pacts,
    signing_identity,
    validation_reports,
    verify,
)

app_name = "integrity_api"

urlpatterns = [
    path("auth/token/", auth.TokenCreateApi.as_view(), name="auth-token"),
    path("me/", auth.MeApi.as_view(), name="me"),
    path("me/signing-identity/", signing_identity.SigningIdentityApi.as_view(), name="signing-identity"),
    path(
        "me/signing-identity/passphrase/",
        signing_identity.SigningIdentityPassphraseApi.as_view(),
        name="signing-identity-passphrase",
    ),
    path(
        "me/signing-identity/pkcs12/",
        signing_identity.SigningIdentityPkcs12Api.as_view(),
        name="signing-identity-pkcs12",
    ),
    path("units/", org.UnitListCreateApi.as_view(), name="unit-list"),
    path("units/<int:pk>/", org.UnitDetailApi.as_view(), name="unit-detail"),
    path("positions/", org.PositionListCreateApi.as_view(), name="position-list"),
    path("positions/<int:pk>/", org.PositionDetailApi.as_view(), name="position-detail"),
    path("officials/", org.OfficialListCreateApi.as_view(), name="official-list"),
    path("officials/<int:pk>/", org.OfficialDetailApi.as_view(), name="official-detail"),
    path("spending-units/", org.SpendingUnitListCreateApi.as_view(), name="spending-unit-list"),
    path("spending-units/<int:pk>/", org.SpendingUnitDetailApi.as_view(), name="spending-unit-detail"),
    path("assignments/", org.AssignmentListApi.as_view(), name="assignment-list"),
    path("assignments/<int:pk>/", org.AssignmentDetailApi.as_view(), name="assignment-detail"),
    path("decrees/", decrees.DecreeListImportApi.as_view(), name="decree-list"),
    path("decrees/preview/", decrees.DecreePreviewApi.as_view(), name="decree-preview"),
    path("decrees/<int:pk>/", decrees.DecreeDetailApi.as_view(), name="decree-detail"),
    path("pacts/", pacts.PactListApi.as_view(), name="pact-list"),
    path("pacts/<int:pk>/", pacts.PactDetailApi.as_view(), name="pact-detail"),
    path("pacts/<int:pk>/pdf/", pacts.PactPdfApi.as_view(), name="pact-pdf"),
    path("pacts/<int:pk>/sign/", pact_signatures.PactSignApi.as_view(), name="pact-sign"),
    path("pacts/<int:pk>/signatures/", pact_signatures.PactSignaturesApi.as_view(), name="pact-signatures"),
    path(
        "pacts/<int:pk>/revisions/<int:sequence>/pdf/",
        pact_signatures.PactRevisionPdfApi.as_view(),
        name="pact-revision-pdf",
    ),
    path(
        "pacts/<int:pk>/validation-report/",
        validation_reports.PactValidationReportApi.as_view(),
        name="pact-validation-report",
    ),
    path(
        "pacts/<int:pk>/validation-report.xml",
        validation_reports.PactValidationReportXmlApi.as_view(),
        name="pact-validation-report-xml",
    ),
    path("coverage/", pacts.CoverageApi.as_view(), name="coverage"),
    path("inbox/", inbox.InboxListApi.as_view(), name="inbox"),
    path("inbox/<int:pk>/read/", inbox.InboxMessageReadApi.as_view(), name="inbox-read"),
    path("audit/root/", journal.JournalRootApi.as_view(), name="audit-root"),
    path("audit/proof/inclusion/", journal.JournalInclusionProofApi.as_view(), name="audit-inclusion-proof"),
    path("audit/proof/consistency/", journal.JournalConsistencyProofApi.as_view(), name="audit-consistency-proof"),
    path("verify/<slug:verification_id>/", verify.VerifyDocumentApi.as_view(), name="verify-document"),
    path("ca/", ca_status.CaStatusApi.as_view(), name="ca-status"),
]
