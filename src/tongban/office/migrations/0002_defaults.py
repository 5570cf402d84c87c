"""Default clearances per role and default time limits per office step; both are data the
administration changes in the admin afterwards."""

from django.db import migrations

CLEARANCES = {
    "window_clerk": 1,
    "reviewer": 1,
    "dispatcher": 1,
    "supervisor": 1,
    "data_steward": 0,
    "sysadmin": 0,
    "head": 2,
    "leader": 3,
}
# (process, step, working days, warn days before the deadline)
STEP_LIMITS = [
    ("office_outgoing", "review", 1, 0),
    ("office_outgoing", "countersign", 3, 1),
    ("office_outgoing", "sign", 2, 1),
    ("office_outgoing", "issue", 1, 0),
    ("office_incoming", "register", 1, 0),
    ("office_incoming", "propose", 1, 0),
    ("office_incoming", "instruct", 2, 1),
    ("office_incoming", "handle", 5, 1),
    ("office_incoming", "file", 2, 1),
]


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
