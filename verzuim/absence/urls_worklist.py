"""URL patterns of the worklist views (mounted by verzuim/absence/urls.py)."""

from django.urls import path

from verzuim.absence.views import worklist

urlpatterns = [
    path("actiemonitor/", worklist.worklist, name="worklist"),
]
