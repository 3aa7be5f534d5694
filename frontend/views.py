from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Pakta")


login_view = auth_views.LoginView.as_view()
