"""Forgotten login name and password, under /recover/."""

from django.urls import path

from . import views

app_name = "recovery"
urlpatterns = [
    path("login-name/", views.login_name, name="login-name"),
    path("password/", views.password_request, name="password"),
    path("password/new/", views.set_password, name="set-password"),
    path("password/<str:uidb64>/<str:token>/", views.link, name="link"),
]
