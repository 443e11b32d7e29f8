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
