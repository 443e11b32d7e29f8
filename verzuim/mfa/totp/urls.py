"""URL patterns of the authenticator-app factor (included in the ``mfa`` namespace)."""

from django.urls import URLPattern, path

from verzuim.mfa.totp import views

urlpatterns: list[URLPattern] = [
    path("app/", views.totp_verify, name="totp"),
    path("app/add/", views.totp_add, name="totp-add"),
    path("app/<int:pk>/remove/", views.totp_remove, name="totp-remove"),
]
