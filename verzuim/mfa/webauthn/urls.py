"""URL patterns of the security-key factor (included in the ``mfa`` namespace)."""

urlpatterns: list = []
