from django.db import migrations, models


def sign_existing_rows(apps, schema_editor):
    """Rows written before the anchor get their MAC under the key configured now."""
    from madoguchi.audit.anchor import row_mac

    AuditRecord = apps.get_model("audit", "AuditRecord")
    batch = []
    for rec in AuditRecord.objects.filter(mac="").only("id", "seq", "hash").iterator(2000):
        rec.mac = row_mac(rec.seq, rec.hash)
        batch.append(rec)
        if len(batch) >= 2000:
            AuditRecord.objects.bulk_update(batch, ["mac"])
            batch = []
    if batch:
        AuditRecord.objects.bulk_update(batch, ["mac"])


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditrecord',
            name='mac',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.RunPython(sign_existing_rows, migrations.RunPython.noop),
    ]
