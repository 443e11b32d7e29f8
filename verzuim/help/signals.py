from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from verzuim.tenants.models import Tenant


@receiver(post_save, sender=Tenant, dispatch_uid="help_seed_new_tenant")
def seed_new_tenant(
    sender: Any, instance: Tenant, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        from verzuim.help.seed import seed_help

        seed_help(instance)
