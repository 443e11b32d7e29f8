"""Who may use the support desk: users with the support role, within their own tenant."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from verzuim.accounts.models import Role, User

View = Callable[..., HttpResponseBase]


def is_support(user: Any) -> bool:
    return bool(user.is_authenticated and isinstance(user, User) and user.has_role(Role.SUPPORT))


def is_tenant_admin(user: Any) -> bool:
    return bool(
        user.is_authenticated and isinstance(user, User) and user.has_role(Role.TENANT_ADMIN)
    )


def support_required(view: View) -> View:
    """Logged in (so past the second factor) with the support role; 403 otherwise.

    Data access must still be scoped to ``request.user.tenant`` in the view.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_support(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def tenant_admin_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_tenant_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
