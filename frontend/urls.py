from django.urls import path, re_path

from frontend import views

app_name = "frontend"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("pacts/", views.my_pacts, name="pacts"),
    path("pacts/all/", views.pacts_all, name="pacts-all"),
    path("pacts/<int:pk>/", views.pact_detail, name="pact-detail"),
    path("pacts/<int:pk>/pdf/", views.pact_pdf, name="pact-pdf"),
    path("team/", views.team, name="team"),
    path("coverage/", views.coverage, name="coverage"),
    path("decrees/", views.decree_list, name="decrees"),
    path("decrees/upload/", views.decree_upload, name="decree-upload"),
    # The SHA-256 of the uploaded bytes, kept in the session (frontend/views/decrees.py).
    re_path(r"^decrees/preview/(?P<digest>[0-9a-f]{64})/$", views.decree_preview_page, name="decree-preview"),
    re_path(r"^decrees/preview/(?P<digest>[0-9a-f]{64})/apply/$", views.decree_apply, name="decree-apply"),
    path("decrees/<int:pk>/", views.decree_detail, name="decree-detail"),
    path("inbox/", views.inbox, name="inbox"),
]
