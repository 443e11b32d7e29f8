"""URL patterns of the authenticator-app factor (included in the ``mfa`` namespace)."""

urlpatterns: list = []
