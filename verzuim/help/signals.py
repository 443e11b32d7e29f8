from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from verzuim.help.models import FaqItem, Manual
from verzuim.tenants.models import Tenant


@receiver(post_save, sender=Tenant, dispatch_uid="help_seed_new_tenant")
def seed_new_tenant(
    sender: Any, instance: Tenant, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        from verzuim.help.seed import seed_help

        seed_help(instance)


@receiver(post_save, sender=FaqItem, dispatch_uid="help_memo_faq_saved")
@receiver(post_delete, sender=FaqItem, dispatch_uid="help_memo_faq_deleted")
@receiver(post_save, sender=Manual, dispatch_uid="help_memo_manual_saved")
@receiver(post_delete, sender=Manual, dispatch_uid="help_memo_manual_deleted")
def forget_sidebars(sender: Any, **kwargs: Any) -> None:
    from verzuim.help.queries import SIDEBARS

    SIDEBARS.clear()
