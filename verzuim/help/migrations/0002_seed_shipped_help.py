"""Give every existing tenant the shipped FAQ and manuals (new tenants get them on creation)."""

from django.db import migrations


def seed_existing(apps, schema_editor):
    from verzuim.help.seed import seed_into

    Tenant = apps.get_model("tenants", "Tenant")
    FaqItem = apps.get_model("help", "FaqItem")
    Manual = apps.get_model("help", "Manual")
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        seed_into(tenant_id, FaqItem, Manual)


class Migration(migrations.Migration):
    dependencies = [("help", "0001_initial"), ("tenants", "0002_tenant_trusted_device_days")]

    operations = [migrations.RunPython(seed_existing, migrations.RunPython.noop)]
