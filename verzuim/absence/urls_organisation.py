"""URL patterns of the organisation views (mounted by verzuim/absence/urls.py)."""

from django.urls import path

from verzuim.absence.views import organisation
from verzuim.core import ratelimit as rl

urlpatterns = [
    path("werkgevers/", organisation.employers, name="employers"),
    path("medewerkers/", rl.rate_limited(*rl.LIST_FILTER)(organisation.employees),
         name="employees"),
    path("medewerkers/<int:pk>/", organisation.employee, name="employee"),
    path("import/", rl.rate_limited(*rl.UPLOAD, methods=("POST",))(organisation.import_view),
         name="import"),
]
