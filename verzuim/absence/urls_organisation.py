"""URL patterns of the organisation views (mounted by verzuim/absence/urls.py)."""

from django.urls import path

from verzuim.absence.views import organisation

urlpatterns = [
    path("werkgevers/", organisation.employers, name="employers"),
    path("medewerkers/", organisation.employees, name="employees"),
    path("medewerkers/<int:pk>/", organisation.employee, name="employee"),
    path("import/", organisation.import_view, name="import"),
]
