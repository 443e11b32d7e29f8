"""factory_boy factories with traits, e.g. ``UserFactory(blocked=True)``."""

from __future__ import annotations

import factory
from django.utils import timezone

from verzuim.accounts.models import Role, User
from verzuim.tenants.models import Tenant

PASSWORD = "Correct-horse-battery-9"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant{n}")
    name = factory.LazyAttribute(lambda o: f"Arbodienst {o.slug.title()}")
    host = factory.LazyAttribute(lambda o: f"{o.slug}.verzuim.test")
    support_email = factory.LazyAttribute(lambda o: f"support@{o.slug}.example")
    phone = "020 555 0100"
    sms_sender = "Verzuim"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory, slug="demo", host="testserver")
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Jan"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@werkgever.example")
    phone = factory.Sequence(lambda n: f"+316{10000000 + n:08d}")
    roles = factory.LazyFunction(lambda: [Role.EMPLOYER_HR.value])
    activated_at = factory.LazyFunction(timezone.now)
    phone_verified_at = factory.LazyFunction(timezone.now)

    class Params:
        blocked = factory.Trait(
            blocked_at=factory.LazyFunction(timezone.now), blocked_reason="second_step_failures"
        )
        support = factory.Trait(roles=[Role.SUPPORT.value], is_staff=True)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()


# --- sick-leave data -------------------------------------------------------------------

from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from verzuim.absence.models import (  # noqa: E402
    Department,
    Employee,
    Employer,
    Employment,
    UserScope,
)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    tenant = factory.SubFactory(TenantFactory, slug="demo", host="testserver")
    name = factory.Sequence(lambda n: f"Werkgever {n} B.V.")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    payroll_tax_number = factory.Sequence(lambda n: f"{800000000 + n:09d}L01")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    employer = factory.SubFactory(EmployerFactory)
    name = factory.Sequence(lambda n: f"Afdeling {n}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An employee with one ongoing full-time employment (``employed=False`` for none).

    ``department``/``manager``/``start``/``hours`` shape that employment."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    employer = factory.SubFactory(EmployerFactory)
    personnel_number = factory.Sequence(lambda n: f"P{n:05d}")
    first_name = "Piet"
    last_name = factory.Sequence(lambda n: f"Werknemer{n}")

    @factory.post_generation
    def employed(obj: Employee, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        Employment.objects.create(
            employee=obj,
            start_date=kwargs.get("start", date(2020, 1, 1)),  # type: ignore[arg-type]
            end_date=kwargs.get("end"),  # type: ignore[arg-type]
            contract_hours=Decimal(str(kwargs.get("hours", "40"))),
            fulltime_hours=Decimal("40"),
            department=obj.department,
            manager=obj.manager,
        )


def grant_scope(user: User, employer: Employer, department: Department | None = None) -> UserScope:
    return UserScope.objects.create(user=user, employer=employer, department=department)
