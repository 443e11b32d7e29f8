"""URL patterns of the dashboard views (mounted by verzuim/absence/urls.py)."""

from django.urls import path

from verzuim.absence.views import dashboard

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export/", dashboard.dashboard_export, name="dashboard-export"),
    path("dashboard/export/ziekmeldingen/", dashboard.reports_export, name="reports-export"),
]
