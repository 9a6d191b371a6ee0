"""Foreign residents imported without a code the mapping knew (国籍 ``XX``) whose 国籍名 is
in the list (core/data/countries.csv) take that entry's code; the others stay ``XX`` with
their name, and the counter flags them 要確認."""

from django.db import migrations


def forward(apps, schema_editor):
    from madoguchi.core import countries

    Person = apps.get_model("register", "Person")
    names = (
        Person.objects.filter(nationality=countries.UNKNOWN)
        .exclude(nationality_name="")
        .values_list("nationality_name", flat=True)
        .distinct()
    )
    for name in list(names):
        entry = countries.resolve(name)
        if entry is not None and entry.code != countries.JAPAN:
            Person.objects.filter(
                nationality=countries.UNKNOWN, nationality_name=name
            ).update(nationality=entry.code)


class Migration(migrations.Migration):
    dependencies = [("register", "0002_protectionhold")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
