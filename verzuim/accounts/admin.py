from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from verzuim.accounts.actions import unblock_user
from verzuim.accounts.activation.actions import ActivationError, send_invitation
from verzuim.accounts.models import User
from verzuim.core.request import Origin


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["username", "email", "tenant", "is_active", "blocked_at", "last_login"]
    list_filter = ["is_active", ("blocked_at", admin.EmptyFieldListFilter)]
    search_fields = ["username", "email", "first_name", "last_name", "phone"]
    exclude = ["password", "user_permissions", "groups"]
    # Phone, factors, tenant and rights change only through audited actions.
    readonly_fields = [
        "tenant",
        "phone",
        "phone_verified_at",
        "preferred_method",
        "is_superuser",
        "is_staff",
        "blocked_at",
        "blocked_reason",
        "second_step_failures",
        "last_login",
        "activated_at",
        "date_joined",
    ]
    actions = ["unblock", "resend_invitation"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Support staff see only their own tenant's users.
        return super().get_queryset(request).filter(tenant_id=request.user.tenant_id)  # type: ignore[union-attr]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_role("support") or super().has_module_permission(request)  # type: ignore[union-attr]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_role("support") or super().has_view_permission(request, obj)  # type: ignore[union-attr]

    @admin.action(description=_("Unblock selected accounts"))
    def unblock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = sum(
            unblock_user(
                user,
                actor=request.user,  # type: ignore[arg-type]
                origin=Origin.from_request(request),
                reason="unblocked by support in the admin",
            )
            for user in queryset.filter(blocked_at__isnull=False)
        )
        self.message_user(
            request,
            ngettext("%(n)d account unblocked.", "%(n)d accounts unblocked.", count) % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Resend invitation"))
    def resend_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """A new activation e-mail; the link in any earlier one stops working."""
        sent = skipped = 0
        for user in queryset:
            try:
                send_invitation(
                    user,
                    actor=request.user,  # type: ignore[arg-type]
                    origin=Origin.from_request(request),
                )
            except ActivationError:
                skipped += 1
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", sent) % {"n": sent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d account skipped: it is already activated or deactivated.",
                    "%(n)d accounts skipped: they are already activated or deactivated.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )
