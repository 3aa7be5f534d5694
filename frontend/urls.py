from django.urls import path, re_path

from frontend import views
from frontend.views.ca_admin import ca_admin
from frontend.views.enrolment import enrol
from frontend.views.invitations import (
    invitation_accept_view,
    invitation_resend_view,
    invitation_revoke_view,
    invitation_send_view,
    invitations,
)
from frontend.views.signing import pact_revision_pdf, pact_sign_page
from frontend.views.verify import verify_document, verify_document_pdf, verify_upload

app_name = "frontend"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("pacts/", views.my_pacts, name="pacts"),
    path("pacts/all/", views.pacts_all, name="pacts-all"),
    path("pacts/<int:pk>/", views.pact_detail, name="pact-detail"),
    path("pacts/<int:pk>/pdf/", views.pact_pdf, name="pact-pdf"),
    path("pacts/<int:pk>/sign/", pact_sign_page, name="pact-sign"),
    path("pacts/<int:pk>/revisions/latest/pdf/", pact_revision_pdf, name="pact-revision-pdf"),
    path("tanda-tangan/identitas/", enrol, name="enrol"),
    path("team/", views.team, name="team"),
    path("coverage/", views.coverage, name="coverage"),
    path("decrees/", views.decree_list, name="decrees"),
    path("decrees/upload/", views.decree_upload, name="decree-upload"),
    # The SHA-256 of the uploaded bytes, kept in the session (frontend/views/decrees.py).
    re_path(r"^decrees/preview/(?P<digest>[0-9a-f]{64})/$", views.decree_preview_page, name="decree-preview"),
    re_path(r"^decrees/preview/(?P<digest>[0-9a-f]{64})/apply/$", views.decree_apply, name="decree-apply"),
    path("decrees/<int:pk>/", views.decree_detail, name="decree-detail"),
    path("inbox/", views.inbox, name="inbox"),
    path("admin-ca/", ca_admin, name="ca-admin"),
    path("invitations/", invitations, name="invitations"),
    path("invitations/send/", invitation_send_view, name="invitation-send"),
    path("invitations/<int:pk>/resend/", invitation_resend_view, name="invitation-resend"),
    path("invitations/<int:pk>/revoke/", invitation_revoke_view, name="invitation-revoke"),
    # Public: the one-time link e-mailed to an invited satker head (frontend/views/invitations.py).
    path("undangan/<str:token>/", invitation_accept_view, name="invitation-accept"),
    # Public: anyone verifies a signed PDF; the QR code in every signature stamp links to /v/<id>.
    path("verifikasi/", verify_upload, name="verify"),
    path("v/<slug:verification_id>/", verify_document, name="verify-document"),
    path("v/<slug:verification_id>/pdf/", verify_document_pdf, name="verify-document-pdf"),
]
