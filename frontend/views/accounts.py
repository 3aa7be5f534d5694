"""Sign-in and sign-out: Django's own views with our templates. Sign-out is a POST."""

from django.contrib.auth import views as auth_views

from frontend.forms import LoginForm

login_view = auth_views.LoginView.as_view(
    template_name="frontend/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout_view = auth_views.LogoutView.as_view()
