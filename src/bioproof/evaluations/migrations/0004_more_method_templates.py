"""Adds the shared templates introduced after 0003 (online, off-gas and QC data layouts);
existing template versions are left as they are."""

from django.db import migrations


def sync(apps, schema_editor):
    from bioproof.evaluations.methods import sync as sync_templates

    sync_templates(apps.get_model("evaluations", "MethodTemplate"))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_method_templates")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
