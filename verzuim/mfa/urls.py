from django.urls import path

from verzuim.mfa import reauth_views, views
from verzuim.mfa.totp import urls as totp_urls
from verzuim.mfa.webauthn import urls as webauthn_urls

app_name = "mfa"
urlpatterns = [
    path("sms/", views.sms_verify, name="sms"),
    path("sms/resend/", views.sms_resend, name="sms-resend"),
    path("backup-code/", views.backup_code_verify, name="backup-code"),
    path("backup-codes/new/", views.backup_codes_new, name="backup-codes-new"),
    path("backup-codes/saved/", views.backup_codes_saved, name="backup-codes-saved"),
    path("again/", reauth_views.reauth, name="reauth"),
    *totp_urls.urlpatterns,
    *webauthn_urls.urlpatterns,
]
