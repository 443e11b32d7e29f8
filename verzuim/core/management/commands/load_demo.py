"""Demo tenant and users for `make run`. Safe to run again: it resets the demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from verzuim.accounts.models import Role, User
from verzuim.mfa.backup_codes import rules as backup_rules
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.tenants.models import Tenant

DEMO_PASSWORD = "Verzuim-demo-2026"
DEMO_USERS = [
    # login name, first, last, phone, roles, staff
    ("demo.hr", "Hanna", "de Vries", "+31612345601", [Role.EMPLOYER_HR], False),
    ("demo.casemanager", "Cas", "Jansen", "+31612345602", [Role.CASE_MANAGER], False),
    ("demo.support", "Sanne", "Bakker", "+31612345603", [Role.SUPPORT], True),
    ("demo.manager", "Mo", "Yilmaz", "+31612345604", [Role.MANAGER], False),
    ("demo.arts", "Anouk", "Smit", "+31612345605", [Role.PHYSICIAN], False),
]
# What each demo login sees (printed after loading).
DEMO_SCOPES = {
    "demo.hr": "HR of Bakkerij Van der Meulen B.V.",
    "demo.casemanager": "case manager of all 3 demo employers",
    "demo.support": "support desk (no sick-leave data)",
    "demo.manager": "manager of the team Winkels at Bakkerij Van der Meulen B.V.",
    "demo.arts": "occupational physician of all 3 demo employers",
}
# Fixed demo codes so the printed list stays valid across restarts (development only).
DEMO_BACKUP_CODES = ["demx2345ab", "demx2345cd", "demx2345ef", "demx2345gh", "demx2345jk",
                     "demx2345mn", "demx2345pq", "demx2345rs", "demx2345tu", "demx2345vw"]


class Command(BaseCommand):
    help = "Create or reset the demo tenant and demo users (development only)."

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("Demo data is for development only.")
        with transaction.atomic():
            tenant, _ = Tenant.objects.update_or_create(
                slug="demo",
                defaults={
                    "name": "Voorbeeld Arbodienst", "host": "demo.localhost",
                    "support_email": "support@voorbeeld-arbodienst.nl",
                    "phone": "020 123 4567", "phone_hours": "ma–vr 8.30–17.00",
                    "address": "Postbus 1234\n1000 AB Amsterdam", "sms_sender": "VerzuimDemo",
                },
            )
            for username, first, last, phone, roles, staff in DEMO_USERS:
                user = User.objects.filter(tenant=tenant, username=username).first() or User(
                    tenant=tenant, username=username)
                user.first_name, user.last_name, user.phone = first, last, phone
                user.email = f"{username}@voorbeeld-werkgever.nl"
                user.roles, user.is_staff = [str(r) for r in roles], staff
                user.blocked_at, user.blocked_reason, user.second_step_failures = None, "", 0
                user.activated_at = user.phone_verified_at = timezone.now()
                user.set_password(DEMO_PASSWORD)
                user.save()
                generate_backup_codes(user, codes=DEMO_BACKUP_CODES)
        call_command("load_absence_demo", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"  Portal:        http://127.0.0.1:8000/  (tenant: {tenant.name})")
        self.stdout.write("  Outbox (SMS):  http://127.0.0.1:8000/dev/outbox/  or  "
                          "python manage.py outbox --last 5")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
        for username, *_rest in DEMO_USERS:
            self.stdout.write(f"  Login name: {username:<18} {DEMO_SCOPES.get(username, '')}")
        self.stdout.write("  Backup codes (each works once per reset): "
                          + ", ".join(backup_rules.display(c) for c in DEMO_BACKUP_CODES))
