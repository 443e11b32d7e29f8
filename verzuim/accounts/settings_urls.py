from django.urls import path

from verzuim.accounts import settings_views as views

app_name = "settings"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/password/", views.password_change, name="password"),
    path("security/phone/", views.phone_change, name="phone"),
    path(
        "security/phone/confirm/<str:token>/", views.phone_recovery_confirm, name="phone-recovery"
    ),
    path("security/default-method/", views.default_method, name="default-method"),
    path("security/sessions/end/", views.session_end, name="session-end"),
    path("security/sessions/end-others/", views.sessions_end_others, name="sessions-end-others"),
    path("security/trusted/revoke/", views.trusted_revoke, name="trusted-revoke"),
]
