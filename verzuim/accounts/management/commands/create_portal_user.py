from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from verzuim.accounts.actions import create_user
from verzuim.accounts.models import Role, User
from verzuim.accounts.phone import normalise_mobile
from verzuim.mfa.backup_codes import rules as backup_rules
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.tenants.models import Tenant


class Command(BaseCommand):
    help = "Create a portal user and send the account e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="tenant short name (slug)")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--phone", required=True, help="mobile number, e.g. +31612345678")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            choices=[r.value for r in Role],
            help="may be given several times",
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password",
            help="development and tests only: set a password "
            "and print backup codes instead of waiting for activation",
        )
        parser.add_argument("--staff", action="store_true", help="may use the technical admin")

    def handle(self, *args: Any, **opts: Any) -> None:
        tenant = Tenant.objects.filter(slug=opts["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with short name {opts['tenant']!r}.")
        try:
            phone = normalise_mobile(opts["phone"])
            if opts["password"]:
                validate_password(
                    opts["password"], User(username=opts["username"], email=opts["email"])
                )
            user = create_user(
                tenant=tenant,
                username=opts["username"],
                email=opts["email"],
                phone=phone,
                roles=sorted(set(opts["role"])),
                first_name=opts["first_name"],
                last_name=opts["last_name"],
                password=opts["password"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if opts["staff"]:
            User.objects.filter(pk=user.pk).update(is_staff=True)
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} at {tenant.slug}."))
        if opts["password"]:
            codes = generate_backup_codes(user)
            self.stdout.write("Backup codes (shown once):")
            for code in codes:
                self.stdout.write(f"  {backup_rules.display(code)}")
