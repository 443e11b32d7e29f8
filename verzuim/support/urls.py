"""The support desk (functioneel beheer), under /support/."""

from django.urls import path

from verzuim.core import ratelimit as rl
from verzuim.support import access_views, views

app_name = "support"
urlpatterns = [
    path("", views.home, name="home"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/unblock/", views.unblock, name="unblock"),
    path("users/<int:pk>/invitation/", views.resend_invitation, name="resend-invitation"),
    path("users/<int:pk>/phone/", views.reset_phone, name="reset-phone"),
    path("users/<int:pk>/factors/", views.reset_factors, name="reset-factors"),
    path("users/<int:pk>/sessions/", views.end_sessions, name="end-sessions"),
    path("users/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("errors/", views.error_lookup, name="errors"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export/", rl.rate_limited(*rl.EXPORT)(views.audit_export), name="audit-export"),
    path(
        "medewerkers/",
        rl.rate_limited(*rl.EXPORT, methods=("POST",))(access_views.employee_export),
        name="employee-export",
    ),
]
