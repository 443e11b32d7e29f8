"""URL patterns of the organisation views (mounted by verzuim/absence/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
