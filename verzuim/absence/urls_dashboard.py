"""URL patterns of the dashboard views (mounted by verzuim/absence/urls.py)."""

from django.urls import path

from verzuim.absence.views import dashboard
from verzuim.core import ratelimit as rl

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "dashboard/export/",
        rl.rate_limited(*rl.EXPORT)(dashboard.dashboard_export),
        name="dashboard-export",
    ),
    path(
        "dashboard/export/ziekmeldingen/",
        rl.rate_limited(*rl.EXPORT)(dashboard.reports_export),
        name="reports-export",
    ),
]
