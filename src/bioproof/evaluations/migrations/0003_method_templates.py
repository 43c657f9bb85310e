from django.db import migrations


def sync(apps, schema_editor):
    from bioproof.evaluations.methods import sync as sync_templates

    sync_templates(apps.get_model("evaluations", "MethodTemplate"))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0002_need_protocol_templates")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
