"""``manage.py load_absence_demo``: (re)generate the demo employers of the demo tenant."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from verzuim.absence import demo
from verzuim.tenants.models import Tenant


class Command(BaseCommand):
    help = "Reset and generate 3 demo employers, 500 employees and two years of sick reports."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("Demo data is for development only.")
        tenant = Tenant.objects.filter(slug="demo").first()
        if tenant is None:
            raise CommandError("Run `manage.py load_demo` first: there is no demo tenant.")
        started = time.monotonic()
        result = demo.load(tenant)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo sick-leave data: {result.employers} employers, {result.employees} "
                f"employees, {result.reports} sick reports, {result.open_cases} open cases "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
