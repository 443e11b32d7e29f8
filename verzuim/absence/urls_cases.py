"""URL patterns of the cases views (mounted by verzuim/absence/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
