"""Authenticator-app secrets are stored sealed (verzuim/mfa/totp/sealing.py)."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from verzuim.mfa.totp import sealing

    TotpDevice = apps.get_model("mfa", "TotpDevice")
    for device in TotpDevice.objects.all().only("pk", "sealed_secret"):
        if not device.sealed_secret.startswith(sealing.PREFIX):
            device.sealed_secret = sealing.seal(device.sealed_secret)
            device.save(update_fields=["sealed_secret"])


def unseal_existing(apps, schema_editor):
    from verzuim.mfa.totp import sealing

    TotpDevice = apps.get_model("mfa", "TotpDevice")
    for device in TotpDevice.objects.all().only("pk", "sealed_secret"):
        if device.sealed_secret.startswith(sealing.PREFIX):
            device.sealed_secret = sealing.unseal(device.sealed_secret)
            device.save(update_fields=["sealed_secret"])


class Migration(migrations.Migration):
    dependencies = [("mfa", "0002_alter_smschallenge_purpose_totpdevice_and_more")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField("totpdevice", "secret"),
                migrations.AddField(
                    "totpdevice", "sealed_secret",
                    models.CharField(max_length=255, db_column="secret", default=""),
                    preserve_default=False,
                ),
            ],
            database_operations=[
                migrations.AlterField(
                    "totpdevice", "secret", models.CharField(max_length=255),
                ),
            ],
        ),
        migrations.RunPython(seal_existing, unseal_existing),
    ]
