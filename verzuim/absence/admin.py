"""Technical admin of sick-leave management: organisation data, scopes and the protocol.

Every list is limited to the admin user's own tenant. Sick reports, cases and the dossier
are not here: they change only through the audited actions and views (and medical notes
belong to the physician alone). A changed Poortwachter protocol is saved as a NEW version
(:func:`publish_protocol`); running cases keep the version they started with.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from verzuim.absence.models import Department, Employer, Protocol, UserScope
from verzuim.accounts.models import Role
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin


def _may_manage(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_role(Role.TENANT_ADMIN) or user.has_role(Role.SUPPORT))
    )


class TenantAdmin(admin.ModelAdmin):
    """Lists and edits only rows of the admin user's own tenant."""

    tenant_path = "tenant"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        tenant_id = request.user.tenant_id  # type: ignore[union-attr]
        return super().get_queryset(request).filter(**{f"{self.tenant_path}_id": tenant_id})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Employer)
class EmployerAdmin(TenantAdmin):
    list_display = ["name", "kvk_number", "payroll_tax_number", "own_risk_zw", "own_risk_wga"]
    search_fields = ["name", "kvk_number"]
    exclude = ["tenant"]

    def save_model(
        self, request: HttpRequest, obj: Employer, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.tenant = request.user.tenant  # type: ignore[union-attr]
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                Event.EMPLOYER_CHANGED,
                origin=Origin.from_request(request),
                actor=request.user,
                tenant=obj.tenant,
                data={"employer": obj.pk, "fields": sorted(form.changed_data)},
            )


@admin.register(Department)
class DepartmentAdmin(TenantAdmin):
    tenant_path = "employer__tenant"
    list_display = ["name", "code", "employer", "parent"]
    list_filter = ["employer"]
    search_fields = ["name", "code"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        tenant_id = request.user.tenant_id  # type: ignore[union-attr]
        if db_field.name == "employer":
            kwargs["queryset"] = Employer.objects.filter(tenant_id=tenant_id)
        if db_field.name == "parent":
            kwargs["queryset"] = Department.objects.filter(employer__tenant_id=tenant_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(UserScope)
class UserScopeAdmin(TenantAdmin):
    tenant_path = "employer__tenant"
    list_display = ["user", "employer", "department"]
    list_filter = ["employer"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        from verzuim.accounts.models import User

        tenant_id = request.user.tenant_id  # type: ignore[union-attr]
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(tenant_id=tenant_id)
        if db_field.name == "employer":
            kwargs["queryset"] = Employer.objects.filter(tenant_id=tenant_id)
        if db_field.name == "department":
            kwargs["queryset"] = Department.objects.filter(employer__tenant_id=tenant_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def save_model(
        self, request: HttpRequest, obj: UserScope, form: ModelForm, change: bool
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                Event.SCOPE_CHANGED,
                origin=Origin.from_request(request),
                actor=request.user,
                subject=obj.user,
                data={
                    "employer": obj.employer_id,
                    "department": obj.department_id,
                    "granted": True,
                },
            )

    def delete_model(self, request: HttpRequest, obj: UserScope) -> None:
        with transaction.atomic():
            record(
                Event.SCOPE_CHANGED,
                origin=Origin.from_request(request),
                actor=request.user,
                subject=obj.user,
                data={
                    "employer": obj.employer_id,
                    "department": obj.department_id,
                    "granted": False,
                },
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[UserScope]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


def _free_version(tenant_id: int, wanted: str) -> str:
    """``wanted`` if no protocol of the tenant has it yet, else ``wanted-2``, ``-3``, …"""
    taken = set(Protocol.objects.filter(tenant_id=tenant_id).values_list("version", flat=True))
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}"[:30] in taken:
        n += 1
    return f"{wanted}-{n}"[:30]


def publish_protocol(
    *,
    tenant: Any,
    steps: list[dict[str, Any]],
    version: str,
    actor: Any,
    previous: Protocol | None = None,
    origin: Origin = SYSTEM,
) -> Protocol:
    """Store ``steps`` as a new active protocol version of ``tenant`` and deactivate the
    others. Cases keep the version they started with; only new cases use this one."""
    with transaction.atomic():
        new = Protocol(tenant=tenant, version=_free_version(tenant.pk, version), steps=steps)
        new.full_clean()
        new.save()
        deactivated = list(
            Protocol.objects.filter(tenant=tenant, is_active=True)
            .exclude(pk=new.pk)
            .values_list("pk", flat=True)
        )
        Protocol.objects.filter(pk__in=deactivated).update(is_active=False)
        record(
            Event.PROTOCOL_CHANGED,
            origin=origin,
            actor=actor,
            tenant=tenant,
            data={
                "protocol": new.pk,
                "version": new.version,
                "previous": previous.pk if previous else None,
                "deactivated": deactivated,
            },
        )
    return new


@admin.register(Protocol)
class ProtocolAdmin(TenantAdmin):
    list_display = ["version", "is_active", "created_at"]
    list_filter = ["is_active"]
    fields = ["version", "steps", "is_active"]
    readonly_fields = ["is_active"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        from verzuim.absence import poortwachter

        return {"steps": poortwachter.protocol_to_dicts(poortwachter.DEFAULT_PROTOCOL)}

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["steps"].help_text = _(
            "The steps as a JSON list. Saving stores a new version, used for new cases from "
            "now on; running cases keep their own version."
        )
        return form

    def save_form(self, request: HttpRequest, form: ModelForm, change: bool) -> Protocol:
        # The form's validation ran Protocol.clean on the edited copy; the row itself is
        # never changed.
        return form.save(commit=False)

    def save_model(
        self, request: HttpRequest, obj: Protocol, form: ModelForm, change: bool
    ) -> None:
        tenant = request.user.tenant  # type: ignore[union-attr]
        previous = Protocol.objects.filter(pk=obj.pk).first() if change else None
        new = publish_protocol(
            tenant=tenant,
            steps=obj.steps,
            version=obj.version,
            actor=request.user,
            previous=previous,
            origin=Origin.from_request(request),
        )
        # The admin redirects to / names the saved object: make that the new version.
        obj.pk, obj.version, obj.is_active = new.pk, new.version, new.is_active
        obj.tenant = tenant
        obj._state.adding = False

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        return None
