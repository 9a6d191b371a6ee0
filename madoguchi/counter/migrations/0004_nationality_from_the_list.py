"""国籍・地域 typed at the counter mapped onto the list (core/data/countries.csv) for the
visits still open: listed codes and names become the list's code and name, anything else
is kept as typed and flagged 要確認 (counter.nationality.listed). Signed and cancelled
visits keep what was printed and signed."""

from django.db import migrations

OPEN_STEPS = ("identify", "interview", "confirmed", "printed")


def forward(apps, schema_editor):
    from madoguchi.counter.nationality import listed

    VisitPerson = apps.get_model("counter", "VisitPerson")
    for vp in VisitPerson.objects.filter(visit__step__in=OPEN_STEPS).iterator():
        data, changed = listed(vp.data or {})
        if changed:
            vp.data = data
            vp.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("counter", "0003_ido_handoff")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
