from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from verzuim.accounts.admin_site import protect_admin

protect_admin(admin.site)

urlpatterns = [
    path("", include("verzuim.core.urls")),
    path("accounts/", include("verzuim.accounts.urls")),
    path("accounts/verify/", include("verzuim.mfa.urls")),
    path("activate/", include("verzuim.accounts.activation.urls")),
    path("settings/", include("verzuim.accounts.settings_urls")),
    path("help/", include("verzuim.help.urls")),
    path("support/", include("verzuim.support.urls")),
    path("verzuim/", include("verzuim.absence.urls")),
    path("recover/", include("verzuim.accounts.recovery.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("beheer/", admin.site.urls),
]
if settings.DEV_PAGES_ENABLED:
    urlpatterns += [path("dev/", include("verzuim.messaging.dev_urls"))]

handler400 = "verzuim.core.views.bad_request"
handler403 = "verzuim.core.views.permission_denied"
handler404 = "verzuim.core.views.page_not_found"
handler500 = "verzuim.core.views.server_error"
