"""URL patterns of the security-key factor (included in the ``mfa`` namespace)."""

from django.urls import path

from verzuim.mfa.webauthn import views

urlpatterns = [
    path("key/", views.login_step, name="webauthn"),
    path("key/blocked/", views.blocked, name="webauthn-blocked"),
    path("key/options/", views.auth_options, name="webauthn-auth-options"),
    path("key/verify/", views.auth_verify, name="webauthn-auth-verify"),
    path("key/add/", views.add, name="webauthn-add"),
    path("key/add/options/", views.register_options, name="webauthn-register-options"),
    path("key/add/verify/", views.register_verify, name="webauthn-register-verify"),
    path("key/<int:pk>/remove/", views.remove, name="webauthn-remove"),
]
