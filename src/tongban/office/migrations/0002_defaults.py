"""Default clearances per role and default time limits per office step; both are data the
administration changes in the admin afterwards (``office.defaults``)."""

from django.db import migrations

from tongban.office.defaults import CLEARANCES, STEP_LIMITS


def seed(apps, schema_editor):
    clearance = apps.get_model("office", "RoleClearance")
    for role, level in CLEARANCES.items():
        clearance.objects.get_or_create(role=role, defaults={"level": level})
    limit = apps.get_model("office", "StepLimit")
    for process, step, days, warn in STEP_LIMITS:
        limit.objects.get_or_create(
            process=process, step=step, defaults={"working_days": days, "warn_days": warn}
        )


class Migration(migrations.Migration):
    dependencies = [("office", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
