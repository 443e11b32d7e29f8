"""URL patterns of the worklist views (mounted by verzuim/absence/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
