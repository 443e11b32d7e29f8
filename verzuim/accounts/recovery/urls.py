"""Forgotten login name and password, under /recover/."""

from django.urls import path  # noqa: F401

app_name = "recovery"
urlpatterns: list = []
